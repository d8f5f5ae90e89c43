"""Import (upload → preview → apply) and export of the YAML catalogue, and history cleanup."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import catalogue_yaml, permissions, retention
from .common import action, requires
from .forms import CleanupForm, ImportForm

SESSION_KEY = "pages_import"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def _import_rule(replace):
    return "import_replace" if replace else "import"


@login_required
def import_page(request):
    """GET shows the upload form; POST validates the upload as a dry run and shows what would change."""
    if request.method != "POST":
        return render(request, "pages/import_page.html", {"form": ImportForm()})
    permissions.check(request.user, _import_rule(replace=False))
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "pages/import_page.html", {"form": form}, status=400)
    replace = form.cleaned_data["replace"]
    permissions.check(request.user, _import_rule(replace))
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD_BYTES:
        form.add_error("file", _("the file is larger than 2 MB"))
        return render(request, "pages/import_page.html", {"form": form}, status=400)
    text = upload.read().decode("utf-8", errors="replace")
    report = catalogue_yaml.import_catalogue(text, replace=replace, dry_run=True, actor=request.user, interface="ui")
    # The previewed text is applied as is: kept server-side so nothing can swap it in between.
    request.session[SESSION_KEY] = {"text": text, "replace": replace, "name": upload.name}
    return render(request, "pages/import_page.html", {
        "form": form, "report": report, "file_name": upload.name, "replace": replace,
    })


@action("import")
def import_apply(request):
    pending = request.session.get(SESSION_KEY)
    if not pending:
        messages.error(request, _("Nothing to import: upload a file first."))
        return redirect("pages:import_page")
    permissions.check(request.user, _import_rule(pending["replace"]))
    report = catalogue_yaml.import_catalogue(
        pending["text"], replace=pending["replace"], actor=request.user, interface="ui",
    )
    if not report.ok:
        return render(request, "pages/import_page.html", {
            "form": ImportForm(), "report": report, "file_name": pending["name"], "replace": pending["replace"],
        }, status=400)
    del request.session[SESSION_KEY]
    messages.success(request, _(
        "Imported %(name)s: %(created)d created, %(updated)d updated, %(deleted)d deleted."
    ) % {"name": pending["name"], "created": len(report.created), "updated": len(report.updated),
         "deleted": len(report.deleted)})
    return redirect("pages:task_list")


@login_required
def export_catalogue(request):
    text = catalogue_yaml.export_catalogue(actor=request.user, interface="ui")
    response = HttpResponse(text, content_type="application/x-yaml; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="mystocks-tasks-{stamp}.yaml"'
    return response


@requires("cleanup_executions")
def cleanup_page(request):
    """Pick N days; the page says how many executions are older before anything is deleted."""
    form = CleanupForm(request.GET or None)
    context = {"form": form}
    if form.is_valid():
        days = form.cleaned_data["days"]
        context.update(days=days, count=retention.old_executions(days=days).count())
    return render(request, "pages/cleanup_page.html", context)


@action("cleanup_executions")
def cleanup_apply(request):
    form = CleanupForm(request.POST)
    if not form.is_valid():
        return render(request, "pages/cleanup_page.html", {"form": form}, status=400)
    days = form.cleaned_data["days"]
    deleted = retention.delete_old_executions(days=days, actor=request.user, interface="ui")
    messages.success(request, ngettext(
        "Deleted %(n)d execution.", "Deleted %(n)d executions.", deleted,
    ) % {"n": deleted})
    return redirect("pages:cleanup_page")
