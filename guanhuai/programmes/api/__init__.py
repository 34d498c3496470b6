"""The programmes API under /api/v1/, one module per sub-domain; each module's router uses full paths
(`/programmes/...`, `/applications/...`, `/enrolments/...`, `/cycles/...`, `/batches/...`)."""

from ninja import Router

from guanhuai.programmes.api import applications, cycles, enrolments, payments, programmes

router = Router()
for module in (programmes, applications, enrolments, cycles, payments):
    router.add_router("", module.router)
