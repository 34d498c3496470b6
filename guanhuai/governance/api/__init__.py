"""/api/v1/governance/…: charters, village rules, filing and meetings over the API, one module per
sub-domain, each with its own `router` added here. Thin, on the core/api kit: reads through selectors
(scoped; out of scope is the same 404 as missing), writes through services."""

from ninja import Router

from guanhuai.governance.api import designations, documents, meetings

router = Router(tags=["村民自治"])
router.add_router("", documents.router)  # documents, versions, diff, amendments, filing
router.add_router("", meetings.router)  # meetings, motions (the assemblies' part)
router.add_router("", designations.router)  # demonstration villages and counties
