"""/api/v1/portal/…: the staff side of the portal over the API (the sites in the actor's scope and their articles).
Thin, on the core/api kit: reads through selectors (out of scope is the same 404 as missing), writes
through services."""

from ninja import Router

from guanhuai.portal.api import articles, sites

router = Router(tags=["阳光计生"])
router.add_router("/articles", articles.router)
router.add_router("/sites", sites.router)
