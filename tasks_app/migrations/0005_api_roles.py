"""The "viewer" and "operator" groups the API's permissions are written for."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ("taskdefinition", "taskexecution", "taskgroup", "taskgroupmember", "grouprun", "auditlog",
          "dailyrollup", "tradingday")
OPERATOR_EXTRA = (
    "run_taskdefinition", "add_taskdefinition", "change_taskdefinition",
    "add_taskgroup", "change_taskgroup", "add_taskgroupmember", "change_taskgroupmember", "delete_taskgroupmember",
)


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = list(Permission.objects.filter(content_type__app_label="tasks_app",
                                          codename__in=[f"view_{m}" for m in MODELS]))
    viewer, _ = Group.objects.get_or_create(name="viewer")
    viewer.permissions.add(*view)
    operator, _ = Group.objects.get_or_create(name="operator")
    operator.permissions.add(*view, *Permission.objects.filter(content_type__app_label="tasks_app",
                                                               codename__in=OPERATOR_EXTRA))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["viewer", "operator"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tasks_app", "0004_engine_indexes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
