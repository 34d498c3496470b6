"""Display helpers for the funds pages. Money's filters are builtins now (core/templatetags/money.py);
this library registers the same functions, so a template that still loads it gets the one format."""

from __future__ import annotations

from django import template

from guanhuai.core.templatetags.money import yuan, yuan_out

register = template.Library()
register.filter("yuan", yuan)
register.filter("yuan_out", yuan_out)
