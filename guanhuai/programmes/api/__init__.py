"""The programmes API under /api/v1/, one module per sub-domain; each module's router uses full paths
(`/programmes/...`, `/applications/...`, `/notices/...`, `/objections/...`, `/grievances/...`, `/enrolments/...`,
`/cycles/...`, `/batches/...`)."""

from ninja import Router

from guanhuai.programmes.api import (
    applications,
    cycles,
    enrolments,
    grievances,
    notices,
    payments,
    programmes,
)

router = Router()
for module in (programmes, applications, notices, grievances, enrolments, cycles, payments):
    router.add_router("", module.router)
