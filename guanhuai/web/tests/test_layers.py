"""The layer rules of docs/architecture.md that import-linter cannot see: no app imports another app's
private (`_name`) functions or modules, and no test module imports another (shared builders live in each
app's `tests/factories.py` and in `core/testing.py`). The layer order itself is checked by `lint-imports` in
`make lint` (contracts in pyproject.toml)."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

from guanhuai.core.testing import python_sources

PACKAGE = Path(settings.BASE_DIR) / "guanhuai"


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "guanhuai" else None


def private_imports_across_apps(root: Path = PACKAGE) -> list[str]:
    found = []
    for path in python_sources(root):
        relative = path.relative_to(root.parent)
        if "migrations" in relative.parts or "tests" in relative.parts:
            continue
        own_app = relative.parts[1] if len(relative.parts) > 2 else None
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module or node.level:
                continue
            app = _app_of(node.module)
            if app is None or app == own_app:
                continue
            private_module = any(part.startswith("_") for part in node.module.split(".")[1:])
            names = [alias.name for alias in node.names if alias.name.startswith("_")]
            if private_module or names:
                found.append(f"{relative}:{node.lineno} from {node.module} import {', '.join(names) or '…'}")
    return found


def test_no_app_imports_another_apps_private_names():
    assert private_imports_across_apps() == []


def test_the_check_finds_a_private_import(tmp_path):
    # given a tiny tree where one app reaches into another's private helper
    (tmp_path / "guanhuai" / "funds").mkdir(parents=True)
    (tmp_path / "guanhuai" / "programmes").mkdir()
    (tmp_path / "guanhuai" / "funds" / "services.py").write_text("def _lines():\n    return []\n")
    (tmp_path / "guanhuai" / "programmes" / "payments.py").write_text(
        "from guanhuai.funds.services import _lines\nfrom guanhuai.programmes.x import _own\n"
    )
    # then only the cross-app one is reported
    assert private_imports_across_apps(tmp_path / "guanhuai") == [
        "guanhuai/programmes/payments.py:1 from guanhuai.funds.services import _lines"
    ]


SHARED_HELPERS = {
    "money_sum": "guanhuai/core/money.py",
    "to_money": "guanhuai/core/money.py",
    "chinese_date": "guanhuai/core/text.py",
    "mask_id": "guanhuai/core/masking.py",
    "mask_phone": "guanhuai/core/masking.py",
    "mask_account": "guanhuai/core/masking.py",
    "mask_name": "guanhuai/core/masking.py",
}


def helper_copies(root: Path = PACKAGE) -> list[str]:
    """Every definition of a shared helper outside its one home in core."""
    found = []
    for path in python_sources(root):
        relative = path.relative_to(root.parent)
        if "migrations" in relative.parts or "tests" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and SHARED_HELPERS.get(node.name, str(relative)) != str(
                relative
            ):
                found.append(f"{relative}:{node.lineno} def {node.name}")
    return found


def test_shared_helpers_have_one_copy_in_core():
    # masks, money sums and Chinese dates are defined once, in core, and every app imports that copy
    assert helper_copies() == []
    homes = {
        name: (PACKAGE.parent / home).read_text(encoding="utf-8") for name, home in SHARED_HELPERS.items()
    }
    assert all(f"def {name}(" in text for name, text in homes.items())


def test_the_check_finds_a_second_copy(tmp_path):
    (tmp_path / "guanhuai" / "funds").mkdir(parents=True)
    (tmp_path / "guanhuai" / "funds" / "ledger.py").write_text("def to_money(v):\n    return v\n")
    assert helper_copies(tmp_path / "guanhuai") == ["guanhuai/funds/ledger.py:1 def to_money"]


def views_catching_domain_errors(root: Path = PACKAGE) -> list[str]:
    """`except DomainError` (or a subclass list naming it) in a view module: the views kit's job."""
    found = []
    for path in sorted(root.glob("*/views/*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
                if "DomainError" in names:
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return found


def test_no_view_catches_domain_error_itself():
    # a refusal goes through core/web.py: form_errors, message_errors, refusal, DomainErrorMiddleware
    assert views_catching_domain_errors() == []


def test_the_check_finds_a_view_that_catches_domain_error(tmp_path):
    (tmp_path / "guanhuai" / "funds" / "views").mkdir(parents=True)
    (tmp_path / "guanhuai" / "funds" / "views" / "pages.py").write_text(
        "def v(r):\n    try:\n        pass\n    except DomainError as exc:\n        pass\n"
    )
    assert views_catching_domain_errors(tmp_path / "guanhuai") == ["guanhuai/funds/views/pages.py:4"]


def imports_of_test_modules(root: Path = PACKAGE) -> list[str]:
    """Imports of a test module (`test_*.py`) or of a conftest, anywhere in the tree: a builder two test
    modules need belongs in the app's `tests/factories.py` (or `core/testing.py`), a fixture in a conftest."""
    found = []
    for path in python_sources(root):
        relative = path.relative_to(root.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                last = module.rsplit(".", 1)[-1]
                if module.startswith("guanhuai.") and (last.startswith("test_") or last == "conftest"):
                    found.append(f"{relative}:{node.lineno} {module}")
                    break
    return found


def test_no_test_module_imports_another():
    assert imports_of_test_modules() == []


def test_the_check_finds_a_test_module_imported(tmp_path):
    # given: one test module taking a builder from another, one from a conftest, and one from factories
    tests = tmp_path / "guanhuai" / "programmes" / "tests"
    tests.mkdir(parents=True)
    (tests / "test_review.py").write_text(
        "from guanhuai.programmes.tests.test_applications import build_apps\n"
        "import guanhuai.funds.tests.test_concurrency\n"
        "from guanhuai.accounts.tests.conftest import ApiClient\n"
        "from guanhuai.programmes.tests import test_rules\n"
        "from guanhuai.programmes.tests.factories import build_apps as fine\n"
    )
    # then: the first four are reported, the factories import is not
    assert imports_of_test_modules(tmp_path / "guanhuai") == [
        "guanhuai/programmes/tests/test_review.py:1 guanhuai.programmes.tests.test_applications",
        "guanhuai/programmes/tests/test_review.py:2 guanhuai.funds.tests.test_concurrency",
        "guanhuai/programmes/tests/test_review.py:3 guanhuai.accounts.tests.conftest",
        "guanhuai/programmes/tests/test_review.py:4 guanhuai.programmes.tests.test_rules",
    ]


def test_the_checks_pass_over_a_templates_makemessages_temporary(tmp_path):
    # the catalogue test runs makemessages, which writes `list.html.py` (templatized, not Python) beside a
    # template for a moment; a check walking the tree in another worker then failed with a SyntaxError
    templates = tmp_path / "guanhuai" / "funds" / "templates" / "funds"
    templates.mkdir(parents=True)
    (templates / "list.html.py").write_text("BBBB BBBBBB XXXX\n")
    (tmp_path / "guanhuai" / "funds" / "services.py").write_text(
        "from guanhuai.funds.tests.test_x import y\n"
    )
    assert imports_of_test_modules(tmp_path / "guanhuai") == [
        "guanhuai/funds/services.py:1 guanhuai.funds.tests.test_x"
    ]
