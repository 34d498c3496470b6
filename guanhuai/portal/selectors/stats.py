"""The editor's statistics: visits and reads per day, per article and per column, for the sites in the
actor's scope (`portal.view_stats`). Rolled-up days come from `ReadDaily`; days the job has not reached
yet (today at least) are counted live from `ReadEvent`, so the figures are never behind."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from guanhuai.accounts.actor import Actor
from guanhuai.portal.models import Article, Column, ReadDaily, ReadEvent
from guanhuai.portal.permissions import VIEW_STATS
from guanhuai.portal.selectors.articles import site_list

TOP_ARTICLES = 30


def read_figures(*, actor: Actor, days: int) -> dict[str, Any]:
    sites = list(site_list(actor=actor, perm=VIEW_STATS))
    site_ids = [s.pk for s in sites]
    today = timezone.localdate()
    since = today - dt.timedelta(days=days - 1)
    through = (
        ReadDaily.objects.filter(site_id__in=site_ids).order_by("-day").values_list("day", flat=True).first()
    )
    rolled = ReadDaily.objects.filter(site_id__in=site_ids, day__gte=since)
    live = ReadEvent.objects.filter(site_id__in=site_ids, day__gte=since)
    if through is not None:
        live = live.filter(day__gt=through)

    visits: Counter[dt.date] = Counter()
    reads_by_day: Counter[dt.date] = Counter()
    for row in rolled.values("day", "article_id").annotate(n=Sum("reads")).order_by():
        (reads_by_day if row["article_id"] else visits)[row["day"]] += row["n"]
    for row in live.values("day", "article_id").annotate(n=Count("pk")).order_by():
        (reads_by_day if row["article_id"] else visits)[row["day"]] += row["n"]

    per_article: Counter[int] = Counter()
    for row in rolled.filter(article__isnull=False).values("article_id").annotate(n=Sum("reads")).order_by():
        per_article[row["article_id"]] += row["n"]
    for row in live.filter(article__isnull=False).values("article_id").annotate(n=Count("pk")).order_by():
        per_article[row["article_id"]] += row["n"]
    top_ids = [pk for pk, _n in per_article.most_common(TOP_ARTICLES)]
    why = "the ids come from the read counts of the actor's own sites"
    articles = Article.objects.unscoped(why).select_related("site", "column").in_bulk(top_ids)
    per_column: Counter[int] = Counter()
    for pk, column_id in (
        Article.objects.unscoped(why).filter(pk__in=list(per_article)).values_list("pk", "column_id")
    ):
        per_column[column_id] += per_article[pk]
    columns = Column.objects.unscoped(why).select_related("site").in_bulk(list(per_column))

    day_rows = [
        {"day": since + dt.timedelta(days=i), "visits": visits[since + dt.timedelta(days=i)],
         "reads": reads_by_day[since + dt.timedelta(days=i)]}
        for i in range(days)
    ][::-1]  # fmt: skip
    return {
        "sites": sites,
        "day_rows": day_rows,
        "total_visits": sum(visits.values()),
        "total_reads": sum(reads_by_day.values()),
        "top_articles": [(articles[pk], per_article[pk]) for pk in top_ids if pk in articles],
        "column_rows": sorted(
            ((columns[c], n) for c, n in per_column.items() if c in columns), key=lambda r: -r[1]
        ),
        "rolled_through": through,
    }
