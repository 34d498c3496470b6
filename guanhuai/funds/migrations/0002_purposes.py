from django.db import migrations

PURPOSES = [
    ("general", "综合帮扶", ""),
    ("bereaved", "失独家庭帮扶", "bereaved"),
    ("disabled_child", "伤残家庭帮扶", "disabled_child"),
    ("childcare", "育儿补贴", ""),
    ("youth_health", "青春健康", ""),
    ("three_combinations", "计生三结合", ""),
    ("happy_family", "幸福家庭", ""),
    ("warm_home", "暖心家园", ""),
    ("hardship", "困难家庭救助", ""),
]


def add_purposes(apps, schema_editor):
    Purpose = apps.get_model("funds", "Purpose")
    for code, name, status in PURPOSES:
        Purpose.objects.update_or_create(code=code, defaults={"name": name, "requires_status": status})


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]
    operations = [migrations.RunPython(add_purposes, migrations.RunPython.noop)]
