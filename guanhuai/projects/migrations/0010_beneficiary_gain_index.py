from django.db import migrations, models


class Migration(migrations.Migration):
    """A migration of its own: PostgreSQL refuses CREATE INDEX on a table with pending trigger events, which
    0009's UPDATE of every beneficiary leaves until its transaction ends."""

    dependencies = [
        ('projects', '0009_outcome_rollups'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='beneficiary',
            index=models.Index(fields=['income_gain'], name='beneficiary_gain'),
        ),
    ]
