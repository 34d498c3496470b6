"""/api/v1/association/…: the association's records over the API, one module per sub-domain, each with its
own `router` added here. Thin, on the core/api kit: reads through selectors (scoped; out of scope is the
same 404 as missing), writes through services."""

from ninja import Router

from guanhuai.association.api import branches, campaigns, care, imports, members, training

router = Router(tags=["协会建设"])
router.add_router("/", members.router)  # members, member groups, Members' Day
router.add_router("/", branches.router)  # a branch's registration, bodies and seats, cadres
router.add_router("/", campaigns.router)  # re-registration campaigns
router.add_router("/", imports.router)  # the member import: staging, preview, commit
router.add_router("/courses", training.router)  # training, sign-in, certificates
router.add_router("", care.router)  # special-family care, volunteers, the health commission
