"""Stock search and the stock page: K-line with indicators (drawn from chart JSON), profile tables."""
import orjson
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from tasks_app.pages.common import requires

from ..reads.charts import chart_data, search_stocks, stock_profile
from .forms import ChartForm


@requires("view")
def stock_search(request):
    query = request.GET.get("q", "")
    found = search_stocks(query)
    if len(found) == 1 or (found and found[0].code == query.strip()):
        return redirect("market:stock_detail", code=found[0].code)
    return render(request, "market/stock_search.html", {"query": query, "stocks": found})


@requires("view")
def stock_detail(request, code):
    profile = stock_profile(code)
    if profile is None:
        raise Http404(code)
    return render(request, "market/stock_detail.html", profile)


@requires("view")
def stock_chart(request, code):
    form = ChartForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    data = chart_data(code=code, adjust=form.cleaned_data["adjust"] or "qfq", years=form.cleaned_data["years"] or 10)
    return HttpResponse(orjson.dumps(data), content_type="application/json")
