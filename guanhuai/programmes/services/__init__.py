"""Writes of the programmes app, split by sub-domain:

- `programmes`: definitions, templates, rule versions, amount rules;
- `applications`: applications, documents, review, public notices, objections, grievances, enrolment at
  approval;
- `enrolments`: suspension, exit, resumption, annual re-confirmation, death;
- `cycles`: generation, exclusions, top-ups and arrears, approval;
- `payments`: batches, bank files, results, ledger posting.

Each module registers its audit sentences with `guanhuai.audit.actions.register` at import; importing the
package (as the app's `ready()` does) imports them all."""

import importlib

for _name in ("programmes", "applications", "enrolments", "cycles", "payments"):
    try:
        importlib.import_module(f"guanhuai.programmes.services.{_name}")
    except ModuleNotFoundError as exc:  # a sub-domain not written yet
        if exc.name != f"guanhuai.programmes.services.{_name}":
            raise
