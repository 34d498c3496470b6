"""The six key tasks of the association, as the training topics a course can choose (data, not constants: a
province may add its own or retire one through the admin)."""

from django.db import migrations

TOPICS = [
    ("publicity", "宣传教育", 10),
    ("reproductive_health", "生殖健康咨询服务", 20),
    ("healthy_births", "优生优育指导", 30),
    ("family_support", "计划生育家庭帮扶", 40),
    ("rights_protection", "权益维护", 50),
    ("migrant_services", "流动人口服务", 60),
]


def add_topics(apps, schema_editor):
    TrainingTopic = apps.get_model("association", "TrainingTopic")
    for code, name, sort in TOPICS:
        TrainingTopic.objects.update_or_create(code=code, defaults={"name": name, "sort": sort, "active": True})


def remove_topics(apps, schema_editor):
    TrainingTopic = apps.get_model("association", "TrainingTopic")
    TrainingTopic.objects.filter(code__in=[code for code, _name, _sort in TOPICS], courses__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("association", "0004_training")]

    operations = [migrations.RunPython(add_topics, remove_topics)]
