"""Writes of the programmes app, split by sub-domain: programmes (definitions, rules, amounts),
applications (application, review, notice, objections, grievances), enrolments (enrolment, changes,
re-confirmation), cycles (generation, exclusions, top-ups, approval) and payments (batches, bank files,
results, ledger)."""
