"""Writes of the programmes app, split by sub-domain:

- `programmes`: definitions, templates, rule versions, amount rules;
- `applications`: create, documents, submit, withdraw (and re-exports the review's names); `review`: the
  multi-level review, one or many; `approval`: enrolment when the last level approves;
  `application_common`: what they share;
- `notices`: the village public notice and its objections;
- `grievances`: complaints about an application or a payment;
- `enrolments`: suspension, exit, resumption, annual re-confirmation, death;
- `cycles`: cycle creation, exclusions, top-ups and arrears, approval; `generation`: the cycle job's
  set-based SQL;
- `payments`: batches, bank files, results, ledger posting.

The sentences of their audit actions are in `programmes/audit.py`. Importing the package (as the app's
`ready()` does) imports every module."""

from guanhuai.programmes.services import (  # noqa: F401
    application_common,
    applications,
    approval,
    arrears,
    cycles,
    enrolments,
    generation,
    grievances,
    notices,
    payments,
    programmes,
    review,
)
