"""`{% purl "article" code=a.code %}`: a public page's URL in the form the reader is reading (简/繁)."""

from typing import Any

from django import template

from guanhuai.portal.public import public_url

register = template.Library()


@register.simple_tag(takes_context=True)
def purl(context: Any, name: str, **kwargs: Any) -> str:
    return public_url(context["request"], name, **kwargs)
