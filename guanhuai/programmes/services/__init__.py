"""Writes of the programmes app, split by sub-domain:

- `programmes`: definitions, templates, rule versions, amount rules;
- `applications`: applications, documents, the multi-level review, enrolment at approval;
- `notices`: the village public notice and its objections;
- `grievances`: complaints about an application or a payment;
- `enrolments`: suspension, exit, resumption, annual re-confirmation, death;
- `cycles`: cycle creation, exclusions, top-ups and arrears, approval; `generation`: the cycle job's
  set-based SQL;
- `payments`: batches, bank files, results, ledger posting.

Each module registers its audit sentences with `guanhuai.audit.actions.register` at import; importing the
package (as the app's `ready()` does) imports them all."""

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
