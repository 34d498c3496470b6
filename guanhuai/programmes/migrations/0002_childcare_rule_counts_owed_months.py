"""Childcare subsidies installed from the national template carry the rule `age_months < 36`, checked on
one day, which refuses children born 2022–2024 who are still owed months from 2025 (rules.age_window).
Such programmes get a new rule version without the day's age condition; their age limit and counts_from
(unchanged) now decide who is owed a month. Versions are never edited, so the old one stays as history."""

from django.db import migrations

OLD_RULE = {"all": [{"fact": "age_months", "op": "<", "value": 36}]}
NOTE = "育儿补贴：改为自起算月起至少有一个月未满享受月龄即符合（不再按当日月龄判断）"


def forwards(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    RuleVersion = apps.get_model("programmes", "RuleVersion")
    for programme in Programme.objects.filter(age_limit_months=36, counts_from__isnull=False):
        newest = RuleVersion.objects.filter(programme=programme).order_by("-version").first()
        if newest is None or newest.rule != OLD_RULE:
            continue  # a province changed the rule itself: theirs to review
        RuleVersion.objects.create(
            programme=programme,
            version=newest.version + 1,
            rule={"all": []},
            note=NOTE,
            created_by_id=newest.created_by_id,
        )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
