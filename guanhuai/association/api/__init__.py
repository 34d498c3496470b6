"""/api/v1/association/…: the association's records over the API, one module per sub-domain, each with its
own `router` added here. Thin, on the core/api kit: reads through selectors (scoped; out of scope is the
same 404 as missing), writes through services."""

from ninja import Router

router = Router(tags=["协会建设"])

from guanhuai.association.api import care  # noqa: E402

router.add_router("", care.router)
# --- part 1: members, bodies, cadres ---
from guanhuai.association.api.members import router as members_router  # noqa: E402

router.add_router("/", members_router)
from guanhuai.association.api import training  # noqa: E402

router.add_router("/courses", training.router)
