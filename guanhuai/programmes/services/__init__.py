"""Writes of the programmes app, split by sub-domain:

- `programmes`: definitions, templates, rule versions, amount rules;
- `applications`: applications, documents, the multi-level review, enrolment at approval;
- `notices`: the village public notice and its objections;
- `grievances`: complaints about an application or a payment;
- `enrolments`: suspension, exit, resumption, annual re-confirmation, death;
- `cycles`: cycle creation, exclusions, top-ups and arrears, approval; `generation`: the cycle job's
  set-based SQL;
- `payments`: batches, bank files, results, ledger posting.

The sentences of their audit actions are in `programmes/audit.py`. Importing the package (as the app's
`ready()` does) imports every module."""

from guanhuai.programmes.services import (  # noqa: F401
    applications,
    arrears,
    cycles,
    enrolments,
    generation,
    grievances,
    notices,
    payments,
    programmes,
)
