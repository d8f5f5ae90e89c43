"""Backtests: list with metrics, detail with curves and trades, and the form that runs a new one."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tasks_app import dispatch, permissions
from tasks_app.models import TaskDefinition
from tasks_app.pages.common import CheapPage, add_service_errors, page_number, requires

from ..models import BacktestRun
from ..reads.backtests import detail
from .forms import BacktestForm

MAX_TRADES_SHOWN = 500


@requires("view")
def backtest_list(request):
    runs = BacktestRun.objects.defer("equity_curve", "metrics", "symbols").order_by("-updated_at", "-id")
    return render(request, "market/backtest_list.html", {"page": CheapPage(runs, page_number(request))})


@requires("view")
def backtest_detail(request, pk):
    run = get_object_or_404(BacktestRun, pk=pk)
    curves = detail(run)
    trades = list(run.trades.all()[:MAX_TRADES_SHOWN])
    return render(request, "market/backtest_detail.html", {
        "run": run, "trades": trades, "trades_cut": len(trades) == MAX_TRADES_SHOWN,
        "monthly": sorted(curves["monthly"].items()), "months": range(1, 13),
        "curves": {k: curves[k] for k in ("equity", "benchmark", "drawdown")},
    })


def _backtest_task():
    return TaskDefinition.objects.filter(job="run_backtest", enabled=True).order_by("task_id").first()


@requires("view")
def backtest_new(request):
    form = BacktestForm(request.POST or None)
    task = _backtest_task()
    if request.method == "POST":
        permissions.check(request.user, "run_task")  # running a backtest is running a task: 403 otherwise
        if task is None:
            messages.error(request, _("No enabled task runs the run_backtest job: define one first."))
        elif form.is_valid():
            try:
                execution = dispatch.run_task_now(task=task, actor=request.user, params=form.params(), interface="ui")
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Started backtest execution #%(id)s.") % {"id": execution.pk})
                return redirect("pages:execution_detail", pk=execution.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "market/backtest_form.html", {"form": form, "task": task}, status=status)
