"""English next to Simplified Chinese: the language switch, translated domain errors, and a complete
English catalogue (guanhuai/locale/en/LC_MESSAGES/django.po)."""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from guanhuai.accounts.tests.factories import PASSWORD
from guanhuai.core.errors import ValidationError
from guanhuai.core.validators import parse_resident_id

LOGIN = "/accounts/login/"
PO = Path(settings.BASE_DIR) / "guanhuai" / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


# --- a small .po reader (stdlib only) ----------------------------------------------------------------

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$')


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts: msgid, msgid_plural, msgstr (list), flags, refs. Obsolete
    (#~) entries are skipped."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {
            "msgctxt": None,
            "msgid": None,
            "msgid_plural": None,
            "msgstr": [],
            "flags": set(),
            "refs": [],
        }
        field = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["msgid"] = None
                break
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#:"):
                entry["refs"].extend(line[2:].split())
            elif match := _KEYWORD.match(line):
                keyword, value = match.group(1), ast.literal_eval(match.group(2))
                if keyword.startswith("msgstr"):
                    entry["msgstr"].append(value)
                    field = ("msgstr", len(entry["msgstr"]) - 1)
                else:
                    entry[keyword] = value
                    field = (keyword, None)
            elif line.startswith('"') and field:
                value = ast.literal_eval(line)
                if field[0] == "msgstr":
                    entry["msgstr"][field[1]] += value
                else:
                    entry[field[0]] += value
        if entry["msgid"] is not None:
            entries.append(entry)
    return entries


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdif]", text))


# --- the language switch ------------------------------------------------------------------------------


def test_login_page_is_chinese_by_default_and_offers_english(client, db):
    response = client.get(LOGIN)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in body
    assert "登录关怀工作平台" in body
    # the switch: a CSRF-protected POST to set_language that comes back to this page
    assert f'action="{reverse("set_language")}"' in body
    assert 'name="language" value="en"' in body
    assert f'name="next" value="{LOGIN}"' in body
    assert "简体中文" in body and "English" in body


def test_switching_to_english_translates_the_login_page_and_stays_there(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": LOGIN})
    assert response.status_code == 302
    assert response["Location"] == LOGIN

    body = client.get(LOGIN).content.decode()
    assert '<html lang="en">' in body
    assert "Sign in to the Guanhuai work platform" in body
    assert "登录关怀工作平台" not in body

    # and back again
    client.post(reverse("set_language"), {"language": "zh-hans", "next": LOGIN})
    assert "登录关怀工作平台" in client.get(LOGIN).content.decode()


def test_an_english_browser_still_gets_chinese_until_the_user_switches(client, db):
    body = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Sign in to the Guanhuai work platform" not in body
    client.post(reverse("set_language"), {"language": "en", "next": LOGIN})
    body = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Sign in to the Guanhuai work platform" in body


def test_signed_in_user_sees_english_navigation_and_role_names(client, tree, people):
    client.force_login(people.reviewer_a)
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    body = client.get(reverse("home")).content.decode()
    assert "Sign out" in body
    assert "My account" in body
    assert "Township reviewer" in body  # a role name from the registry
    assert "退出登录" not in body
    # the switch is in the navbar for signed-in users too
    assert 'name="language" value="zh-hans"' in body


def test_unknown_language_is_ignored(client, db):
    client.post(reverse("set_language"), {"language": "fr", "next": LOGIN})
    assert "登录关怀工作平台" in client.get(LOGIN).content.decode()


# --- messages from services and the API ---------------------------------------------------------------


def test_domain_error_from_a_validator_is_translated():
    with translation.override("en"):
        with pytest.raises(ValidationError) as english:
            parse_resident_id("123")
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as chinese:
            parse_resident_id("123")
    assert str(english.value) == (
        "A resident ID number must have 18 characters (the last may be X) "
        "or be a 15-digit legacy number; this one has 3."
    )
    assert str(chinese.value) == "身份证号应为18位（最后一位可为X）或15位旧号，当前为3位。"


def test_api_error_message_follows_accept_language(client, db):
    english = client.get("/api/v1/orgunits", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/v1/orgunits", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english.status_code == chinese.status_code == 401
    assert english.json()["message"] == "Please sign in, or provide a valid API token."
    assert chinese.json()["message"] == "请先登录，或提供有效的API令牌。"


# --- the catalogue --------------------------------------------------------------------------------------


def test_every_english_entry_is_translated():
    """Fails (and lists the strings) when makemessages brought in entries nobody has translated yet."""
    entries = read_po(PO)
    assert entries and entries[0]["msgid"] == ""  # the header
    missing = [
        f"{e['refs'][0] if e['refs'] else '?'}: {e['msgid']!r}"
        for e in entries[1:]
        if not e["msgstr"] or not all(e["msgstr"]) or "fuzzy" in e["flags"]
    ]
    if missing:
        print("Untranslated or fuzzy entries in", PO)
        print("\n".join(missing))
    assert not missing, f"{len(missing)} untranslated or fuzzy entries:\n" + "\n".join(missing)


def test_translations_keep_every_placeholder():
    wrong = []
    for e in read_po(PO)[1:]:
        sources = {tuple(_placeholders(e["msgid"]))}
        if e["msgid_plural"] is not None:
            sources.add(tuple(_placeholders(e["msgid_plural"])))
        for text in e["msgstr"]:
            if text and tuple(_placeholders(text)) not in sources:
                wrong.append(f"{e['msgid']!r} -> {text!r}")
    assert not wrong, "\n".join(wrong)


def test_compiled_catalogue_matches_the_po_file():
    """Catches a .po edited without running compilemessages."""
    with MO.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = []
    for e in read_po(PO)[1:]:
        ctx = e["msgctxt"]
        if e["msgid_plural"] is None:
            got = compiled.pgettext(ctx, e["msgid"]) if ctx else compiled.gettext(e["msgid"])
        elif ctx:
            got = compiled.npgettext(ctx, e["msgid"], e["msgid_plural"], 1)
        else:
            got = compiled.ngettext(e["msgid"], e["msgid_plural"], 1)
        if got != e["msgstr"][0]:
            stale.append(e["msgid"])
    assert not stale, "run `manage.py compilemessages`; stale: " + ", ".join(map(repr, stale))


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext, msgmerge)")
def test_catalogue_has_every_string_in_the_code(tmp_path, monkeypatch):
    """Extracts the strings afresh into a scratch directory and compares them with the committed
    catalogue, so a new `_("…")` without `makemessages -l en` is noticed."""
    monkeypatch.chdir(settings.BASE_DIR)
    with override_settings(LOCALE_PATHS=[str(tmp_path)]):
        call_command(
            "makemessages",
            locale=["en"],
            ignore_patterns=[".venv", "node_modules", "var", "benchmarks", "guanhuai/locale"],
            verbosity=0,
        )
    fresh = {e["msgid"] for e in read_po(tmp_path / "en" / "LC_MESSAGES" / "django.po")[1:]}
    known = {e["msgid"] for e in read_po(PO)[1:]}
    new = sorted(fresh - known)
    if new:
        print("Strings in the code but not in", PO)
        print("\n".join(map(repr, new)))
    assert not new, (
        f"{len(new)} strings are missing from the English catalogue; run `manage.py makemessages -l en "
        "--ignore=.venv --ignore=node_modules --ignore=var --ignore=benchmarks`, translate, compile:\n"
        + "\n".join(map(repr, new))
    )


# --- on a phone -------------------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# the right edge of the furthest navbar element, in CSS pixels
NAVBAR_RIGHT_EDGE = (
    "Math.max(...[...document.querySelectorAll('nav *')].map(e => e.getBoundingClientRect().right))"
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not CHROMIUM and os.environ.get("GUANHUAI_REQUIRE_BROWSER") != "1", reason="chromium is not installed"
)
def test_phone_user_switches_the_login_page_to_english_and_back(live_server, tree, people):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN").new_page()
        page.set_default_timeout(10_000)
        try:
            page.goto(f"{live_server.url}{LOGIN}")
            assert page.get_by_role("heading", name="登录关怀工作平台").is_visible()

            # when: the user taps "English" in the navbar
            page.get_by_role("button", name="English").click()
            page.get_by_role("heading", name="Sign in to the Guanhuai work platform").wait_for()

            # then: still on the login page, the navbar fits the phone, and signing in works in English
            assert page.url.endswith(LOGIN)
            assert page.evaluate(NAVBAR_RIGHT_EDGE) <= 375
            page.fill("input[name=username]", "reviewer_a")
            page.fill("input[name=password]", PASSWORD)
            page.locator("main form [type=submit]").click()
            page.wait_for_url(f"{live_server.url}/")
            assert page.get_by_text("Township reviewer").first.is_visible()
            assert page.evaluate(NAVBAR_RIGHT_EDGE) <= 375  # next to the menu button

            # and back to Chinese, from any page
            page.get_by_role("button", name="简体中文").click()
            page.get_by_text("乡镇审核员").first.wait_for()
        finally:
            browser.close()
