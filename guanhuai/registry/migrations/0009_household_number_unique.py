from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0008_household_number_sequence"),
    ]

    operations = [
        migrations.AlterField(
            model_name="household",
            name="number",
            field=models.CharField(max_length=30, verbose_name="户编号"),
        ),
        migrations.AddConstraint(
            model_name="household",
            constraint=models.UniqueConstraint(fields=("number",), name="household_number_unique"),
        ),
    ]
