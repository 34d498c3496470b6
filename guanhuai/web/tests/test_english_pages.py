"""Every page in English: walk every URL pattern of the staff UI over the demo province, as the first demo
user who may open it, and fail on any Chinese character (or full-width punctuation) that is not user data.

User data is what people typed or imported: names of persons, branches, funds, donors, programmes… A
character run counts as user data when it occurs in a text column of the database (the demo's own data);
everything else on an English page comes from a template or the code and must be translated. Besides the
text, the attributes a person meets (placeholder, title, aria-label, alt, a button's value) are checked.
The language switch names each language in its own (lang="zh-hans"): that is by design."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models

from guanhuai.accounts.models import User
from guanhuai.audit.models import AuditEntry
from guanhuai.jobs import registry as job_registry
from guanhuai.web.tests.objects import OTHER_VALUES, make_demo, model_for, walk

# Chinese characters, CJK punctuation (、。「」【】) and full-width forms (（）：，！).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")

# The first of these demo users for whom a page opens is the one who reads it in English.
READERS = (
    "sheng_admin",
    "jijin",
    "caiwu",
    "shenji",
    "xian_shenpi",
    "zhen_shenhe",
    "cun_zhuanguan",
    "xiangmu",
)

SKIPPED = (
    r"^admin/",  # Django's admin has its own translations
    r"^api/",  # JSON, with its own test of translated errors (test_i18n)
    r"^i18n/",  # the language switch itself
    r"^healthz",
    r"logout/",
    r"^gk/",  # the public portal: Chinese by design (简体 and 繁體), marked lang="zh-Hans"/"zh-Hant"
)

# Models whose text is not user data: a job's row is written by the code and shown through its kind's
# translated label. (The audit log keeps the values it recorded, in the language of the moment: data.)
NOT_USER_DATA = {"jobs.job", "sessions.session"}

# A run of Chinese that may carry a name mask (张*明).
MASKED_OR_CJK = re.compile(r"[*\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
# A Chinese date standing in English text (not inside a Chinese sentence of user data).
CHINESE_DATE = re.compile(
    r"(?<![\u4e00-\u9fff])\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?(?![\u4e00-\u9fff])"
)

# Full-width punctuation alone, without a character: （ ） ： ， 、
PUNCTUATION = re.compile(r"[\u3000-\u303f\uff00-\uffef]+")

# Chinese that an English page shows on purpose: the search box's example of a name as a clerk types it, and
# the legacy import's example of a reading annotation it strips (計(jì) → 計).
EXAMPLES = {"张枫", "計"}

ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "value", "data-bs-title")


class _Visible(HTMLParser):
    """The text and the person-facing attributes of a page, without scripts, styles and the parts in
    another language (lang="zh-hans")."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def _other_lang(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        skip = tag in ("script", "style") or (a.get("lang") or "en").lower().startswith("zh")
        if tag in ("input", "meta", "link", "br", "hr", "img", "source", "col", "wbr"):
            if not skip and not self._other_lang() and a.get("type") != "hidden":
                self.out.extend(str(a[name]) for name in ATTRIBUTES if a.get(name))
            return
        if not skip and not self._other_lang():
            self.out.extend(str(a[name]) for name in ATTRIBUTES if a.get(name) and name != "value")
        self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self._other_lang():
            self.out.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.out)


def user_data_text() -> str:
    """Every text value in the database's user-data tables, joined: a CJK run found in it is user data."""
    chunks: list[str] = []
    for model in apps.get_models():
        if model._meta.label_lower in NOT_USER_DATA:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not getattr(f, "choices", None)
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            chunks.extend(
                json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
                for value in row
                if value
            )
    return "\n".join(chunks)


def page_routes() -> list[str]:
    found = {route.lstrip("^").rstrip("$") for route in walk()}
    return sorted(route for route in found if not any(re.search(skip, route) for skip in SKIPPED))


def url_for(route: str) -> str:
    def one(match: re.Match) -> str:
        keyword = match.group(2)
        if keyword in OTHER_VALUES:
            return str(OTHER_VALUES[keyword])
        if keyword in ("object_type", "object_id"):  # an object's audit history: one the log names
            entry = AuditEntry.objects.exclude(object_id="").order_by("pk").first()
            return str(getattr(entry, keyword))
        model = model_for(route, keyword)
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"the demo has no {model.__name__}: {route} cannot be walked"
        return str(obj.pk)

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", one, route)


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.GUANHUAI_RATE_LIMITS_ENABLED = False
    with django_capture_on_commit_callbacks(execute=True):
        make_demo()


class UserData:
    """The user data's text, and its Chinese runs: a page's run is user data when it is one of them, whole
    (a substring would let any single character through, such as the 年 of a Chinese date)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.runs = set(CJK.findall(text))

    def has(self, run: str, left: str, right: str) -> bool:
        if run in EXAMPLES:
            return True
        if PUNCTUATION.fullmatch(run):
            # a lone bracket or colon is user data only together with the words around it: "（aged 70）"
            # has no "70）" in the data, while a typed "（2026）" does
            return (left + run + right) in self.text
        if run in self.runs:
            return True
        # a masked name (张*明, 王**): every part is the start or end of a user-data run
        if "*" in run:
            parts = [p for p in run.split("*") if p]
            return all(any(r.startswith(p) or r.endswith(p) for r in self.runs) for p in parts)
        return False


def leaks(html: str, data: UserData) -> list[str]:
    text = visible_text(html)
    found = set()
    for match in MASKED_OR_CJK.finditer(text):
        run = match.group(0)
        if not CJK.search(run):
            continue
        left = re.search(r"\S{0,8}$", text[: match.start()]).group(0)
        right = re.match(r"\S{0,8}", text[match.end() :]).group(0)
        if not data.has(run, left, right):
            found.add(run)
    # a Chinese date inside English text (2026年12月08日) is a leak even when the user data has one like it
    found.update(CHINESE_DATE.findall(text))
    return sorted(found)


def test_the_leak_check_finds_a_label_but_not_a_name():
    html = (
        '<p>Name: 王秀英 (aged 73)</p><td>身份证号</td><p>（aged 73）</p><input placeholder="搜索">'
        '<input type="hidden" value="隐藏"><input type="submit" lang="zh-hans" value="简体中文"><script>"脚本"</script>'
    )
    assert leaks(html, UserData("王秀英\n富龙村 （2026）")) == sorted(["身份证号", "搜索", "（", "）"])
    assert leaks("<p>Year （2026）</p>", UserData("王秀英\n富龙村 （2026）")) == []


def test_the_leak_check_finds_a_chinese_date_and_lets_a_masked_name_through():
    html = "<p>Object by 2026年12月08日</p><p>王*英 of 富龙村, 2026年12月08日</p>"
    assert leaks(html, UserData("王秀英 富龙村 2026年12月公示")) == ["2026年12月08日", "日", "月"]


@pytest.mark.django_db
def test_every_page_in_english_shows_no_chinese_outside_user_data(client, demo):
    # job kinds that other tests register ("tests.…", Chinese labels) are in the job filter when the whole
    # suite runs in one process: they are test data, not the app's
    test_kinds = [str(kind.label) for name, kind in job_registry.kinds().items() if name.startswith("tests.")]
    user_data = UserData("\n".join([user_data_text(), *test_kinds]))
    readers = [User.objects.get(username=name) for name in READERS]
    problems: list[str] = []
    opened = 0
    for route in page_routes():
        url = url_for(route)
        for reader in readers:
            client.force_login(reader)
            client.cookies["django_language"] = "en"
            response = client.get(url)
            if response.status_code not in (400, 403, 404):
                break
        if response.status_code >= 300 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        opened += 1
        html = response.content.decode()
        found = leaks(html, user_data)
        if found:
            text = re.sub(r"\s+", " ", visible_text(html))
            where = [text[max(0, i - 40) : i + 40] for i in (text.find(run) for run in found) if i >= 0]
            problems.append(f"{url} ({reader.username}): {' '.join(found)}  …" + " | ".join(where))
    assert opened > 60, f"only {opened} pages opened: the walk no longer reaches the app's pages"
    assert not problems, f"{len(problems)} English pages show untranslated Chinese:\n" + "\n".join(problems)
