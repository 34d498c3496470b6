"""Household numbers come from a per-village sequence (registry.services.numbers). This migration creates
the sequence and repairs the numbers already stored: the first household holding a number keeps it, every
later holder of the same number (the demo gave 440224100200-0900 to two households) and every household
without one gets the next number of its village. Each sequence starts after the highest number of its
village's shape found. The next migration makes the number unique."""

import re

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count

SHAPE = re.compile(r"^(?P<code>[0-9]{12})-(?P<n>[0-9]{1,7})$")


def repair_numbers(apps, schema_editor):
    Household = apps.get_model("registry", "Household")
    HouseholdSequence = apps.get_model("registry", "HouseholdSequence")
    OrgUnit = apps.get_model("orgs", "OrgUnit")
    # The highest number of each village code in use, wherever its household lives now.
    last: dict[str, int] = {}
    for number in Household.objects.values_list("number", flat=True).iterator(chunk_size=20000):
        m = SHAPE.match(number or "")
        if m:
            last[m["code"]] = max(last.get(m["code"], 0), int(m["n"]))
    shared = Household.objects.exclude(number="").values("number").annotate(n=Count("pk")).filter(n__gt=1)
    keep = {
        number: min(Household.objects.filter(number=number).values_list("pk", flat=True))
        for number in shared.values_list("number", flat=True)
    }
    fix = list(
        Household.objects.filter(number__in=list(keep)).exclude(pk__in=list(keep.values())).order_by("pk")
    ) + list(Household.objects.filter(number="").order_by("pk"))
    codes = dict(OrgUnit.objects.filter(pk__in={h.org_unit_id for h in fix}).values_list("pk", "code"))
    for h in sorted(fix, key=lambda h: h.pk):
        code = codes[h.org_unit_id]
        last[code] = last.get(code, 0) + 1
        h.number = f"{code}-{last[code]:04d}"
    Household.objects.bulk_update(fix, ["number"], batch_size=1000)
    units = dict(OrgUnit.objects.filter(code__in=list(last)).values_list("code", "pk"))
    HouseholdSequence.objects.bulk_create(
        [HouseholdSequence(org_unit_id=units[c], last=n) for c, n in last.items() if c in units],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
        ("registry", "0007_person_covering_search_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="HouseholdSequence",
            fields=[
                (
                    "org_unit",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="orgs.orgunit",
                    ),
                ),
                ("last", models.PositiveIntegerField(default=0)),
            ],
            options={
                "verbose_name": "户编号序列",
                "verbose_name_plural": "户编号序列",
            },
        ),
        migrations.RunPython(repair_numbers, migrations.RunPython.noop),
    ]
