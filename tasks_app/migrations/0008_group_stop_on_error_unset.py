from django.db import migrations, models


def unset_group_flags(apps, schema_editor):
    # Until now a group's stop_on_error was stored but never read: its members' flags decided.
    # Unset keeps exactly that behaviour for existing groups.
    apps.get_model("tasks_app", "TaskGroup").objects.update(stop_on_error=None)


class Migration(migrations.Migration):

    dependencies = [
        ('tasks_app', '0007_misfire_policy_and_catch_up'),
    ]

    operations = [
        migrations.AlterField(
            model_name='taskgroup',
            name='stop_on_error',
            field=models.BooleanField(blank=True, default=None, help_text="set: decides for every member; empty: each member task's own stop_on_error", null=True),
        ),
        migrations.RunPython(unset_group_flags, migrations.RunPython.noop),
    ]
