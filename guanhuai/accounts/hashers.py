"""The password hasher: argon2id with parameters chosen for this deployment, not Django's defaults.

Django's Argon2PasswordHasher uses 100 MiB, t=2, p=8: about 165 ms of CPU per login on the load-test
machine, so 50 staff signing in at 8 a.m. made every page wait on 3 sync workers (issue 16). OWASP's
Password Storage Cheat Sheet gives five equivalent minimums for argon2id; we take the first one it lists
for memory-hard use, m=19 MiB, t=2, p=1. Why the minimum and not more: an account is locked after five
wrong passwords (django-axes), so guessing online is bounded by the lockout, not by the hash; the hash
only matters once the user table has been stolen, and there it is what OWASP asks. p=1 keeps one login on
one core, so a burst of logins cannot take both cores of a small server. See docs/deployment.md.

The algorithm name stays "argon2": hashes made with other parameters still verify, and Django rehashes
them with these parameters at the user's next successful login (`must_update`).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
