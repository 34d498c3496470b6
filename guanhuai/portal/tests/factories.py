"""factory_boy factories for the portal (fast set-up; the workflow is tested through the services), and
the builders its tests share."""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.utils import timezone

from guanhuai.core.text import to_simplified
from guanhuai.portal.models import Article, Column, Site
from guanhuai.portal.sanitise import plain_text, render_body
from guanhuai.portal.states import ArticleStatus, BodyFormat

_codes = itertools.count(1)


class SiteFactory(factory.django.DjangoModelFactory):
    """Pass `unit=` (an OrgUnit)."""

    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"计划生育协会{n}")
    slug = factory.Sequence(lambda n: f"site{n}")
    phone = "0751-1234567"
    address = "韶关市浈江区"


class ColumnFactory(factory.django.DjangoModelFactory):
    """Pass `site=`; `parent=` for a sub-column. `path` follows the parent's."""

    class Meta:
        model = Column

    name = factory.Sequence(lambda n: f"栏目{n}")
    slug = factory.Sequence(lambda n: f"col{n}")
    parent = None
    path = factory.LazyAttribute(lambda o: f"{o.parent.path}/{o.slug}" if o.parent else o.slug)


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article (publish_at an hour ago) in `column=`. Pass `status=`/`publish_at=` for others;
    `body_source` is rendered and indexed as the service would."""

    class Meta:
        model = Article

    column = factory.SubFactory(ColumnFactory)
    site = factory.LazyAttribute(lambda o: o.column.site)
    code = factory.LazyFunction(lambda: f"20260101-{next(_codes):06x}")
    title = factory.Sequence(lambda n: f"协会动态第{n}期")
    author = "省计生协宣传部"
    body_format = BodyFormat.MARKDOWN
    body_source = "计生协会开展生育关怀活动。"
    status = ArticleStatus.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    body = factory.LazyAttribute(lambda o: render_body(o.body_source, o.body_format))
    search_text = factory.LazyAttribute(lambda o: to_simplified(f"{o.title} {plain_text(o.body)}").lower())
