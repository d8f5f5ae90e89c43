from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("market", "0005_indicator_basis_monthly"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="strategysignal",
            index=models.Index(fields=["code", "date"], name="market_signal_code"),
        ),
        migrations.CreateModel(
            name="CoverageDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("dataset", models.CharField(max_length=48)),
                ("date", models.DateField()),
                ("stocks", models.IntegerField(default=0)),
                ("rows", models.IntegerField(default=0)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "indexes": [models.Index(fields=["date"], name="market_coverage_day_date")],
                "constraints": [models.UniqueConstraint(fields=("dataset", "date"), name="market_coverage_day_key")],
            },
        ),
        migrations.CreateModel(
            name="CoverageStock",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("dataset", models.CharField(max_length=48)),
                ("code", models.CharField(max_length=64)),
                ("first_date", models.DateField()),
                ("last_date", models.DateField()),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("dataset", "code"), name="market_coverage_stock_key")],
            },
        ),
    ]
