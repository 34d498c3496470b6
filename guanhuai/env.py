"""Every deploy-specific value comes from the environment, read here and only here.

`.env.example` lists them. A `.env` file beside `manage.py` (or the path in `GUANHUAI_ENV_FILE`) is read
first, without overriding variables already set in the process environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv() -> None:
    path = Path(os.environ.get("GUANHUAI_ENV_FILE", BASE_DIR / ".env"))
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


_load_dotenv()


def get(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def get_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def get_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None or value == "" else int(value)


def get_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def caches(
    url: str, *, default_dir: Path, testing: bool = False, max_entries: int = 5000
) -> dict[str, dict[str, Any]]:
    """CACHES for a CACHE_URL. The cache holds the rate-limit counters, so it must be one that every web
    worker shares: Redis (redis://, rediss://, unix://) across machines, the database (db://TABLE, after
    `guanhuai createcachetable`), or, by default, a file cache that the workers of one machine share.
    Tests without a CACHE_URL count in memory, per test process. A file cache holds up to `max_entries`
    files (Django's default of 300 is too few for the portal's page cache: it would cull on nearly every
    write); past it, a third is culled."""
    file_options = {"MAX_ENTRIES": max_entries, "CULL_FREQUENCY": 3}
    if not url:
        if testing:
            return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(default_dir),
                "OPTIONS": file_options,
            }
        }
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    if url.startswith("db://"):
        table = url.removeprefix("db://") or "guanhuai_cache"
        return {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": table}}
    if url.startswith("file://"):
        path = url.removeprefix("file://") or str(default_dir)
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": path,
                "OPTIONS": file_options,
            }
        }
    raise ValueError("CACHE_URL must start with redis://, rediss://, unix://, db:// or file://")
