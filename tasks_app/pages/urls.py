from django.urls import path

from . import dashboard, definitions, editing, executions, groups, import_export

app_name = "pages"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("dashboard/summary/", dashboard.dashboard_summary, name="dashboard_summary"),
    path("dashboard/health/", dashboard.dashboard_health, name="dashboard_health"),
    path("tasks/", definitions.task_list, name="task_list"),
    path("tasks/new/", editing.task_create, name="task_create"),
    path("tasks/cron-preview/", editing.cron_preview, name="cron_preview"),
    path("tasks/job-params/", editing.job_params, name="job_params"),
    path("tasks/<str:task_id>/", definitions.task_detail, name="task_detail"),
    path("tasks/<str:task_id>/edit/", editing.task_edit, name="task_edit"),
    path("tasks/<str:task_id>/run/", definitions.task_run, name="task_run"),
    path("tasks/<str:task_id>/stop/", definitions.task_stop, name="task_stop"),
    path("tasks/<str:task_id>/pause/", definitions.task_pause, name="task_pause"),
    path("tasks/<str:task_id>/resume/", definitions.task_resume, name="task_resume"),
    path("tasks/<str:task_id>/toggle-enabled/", definitions.task_toggle_enabled, name="task_toggle_enabled"),
    path("tasks/<str:task_id>/delete/", definitions.task_delete, name="task_delete"),
    path("executions/<int:pk>/", executions.execution_detail, name="execution_detail"),
    path("executions/<int:pk>/live/", executions.execution_live, name="execution_live"),
    path("executions/<int:pk>/log/", executions.execution_log, name="execution_log"),
    path("executions/<int:pk>/stop/", executions.execution_stop, name="execution_stop"),
    path("groups/", groups.group_list, name="group_list"),
    path("groups/new/", groups.group_create, name="group_create"),
    path("groups/<str:group_id>/", groups.group_detail, name="group_detail"),
    path("groups/<str:group_id>/edit/", groups.group_edit, name="group_edit"),
    path("groups/<str:group_id>/run/", groups.group_run_now, name="group_run_now"),
    path("group-runs/<int:pk>/", groups.group_run_detail, name="group_run_detail"),
    path("group-runs/<int:pk>/stop/", groups.group_run_stop, name="group_run_stop"),
    path("catalogue/import/", import_export.import_page, name="import_page"),
    path("catalogue/import/apply/", import_export.import_apply, name="import_apply"),
    path("catalogue/export/", import_export.export_catalogue, name="export_catalogue"),
    path("cleanup/", import_export.cleanup_page, name="cleanup_page"),
    path("cleanup/apply/", import_export.cleanup_apply, name="cleanup_apply"),
]
