"""The coverage page (entry of the Market data section) and its "fill the gaps" action."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tasks_app.pages.common import action, messages_of, requires

from .. import gapfill
from ..reads.coverage import MAX_WINDOW_DAYS, overview

DEFAULT_DAYS = 60


def window(request):
    try:
        days = int(request.GET.get("days") or request.POST.get("days") or DEFAULT_DAYS)
    except ValueError:
        days = DEFAULT_DAYS
    return max(5, min(MAX_WINDOW_DAYS, days))


@requires("view")
def coverage_page(request):
    days = window(request)
    datasets = overview(days=days)
    dates = [c.date for c in datasets[0].cells] if datasets and datasets[0].cells else []
    return render(request, "market/coverage_page.html", {"datasets": datasets, "days": days, "dates": dates})


@action("run_task")
def coverage_fill(request, dataset):
    try:
        executions = gapfill.fill_gaps(dataset=dataset, actor=request.user, days=window(request))
    except (ValidationError, ValueError) as exc:
        messages.error(request, _("Not started: %(reason)s") % {"reason": messages_of(exc)})
        return redirect("market:coverage")
    messages.success(request, _("Started %(n)d backfill run(s) for %(dataset)s.") % {
        "n": len(executions), "dataset": dataset})
    return redirect("pages:execution_detail", pk=executions[0].pk)
