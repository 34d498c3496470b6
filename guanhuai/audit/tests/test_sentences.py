"""Every action a service logs reads as a sentence in the audit log, not as a raw dotted code."""

import re
from pathlib import Path

import guanhuai
from guanhuai.audit.actions import SENTENCES
from guanhuai.core.testing import python_sources

# log(obj, "app.entity.verb", ...) (or log, log_many, log_select) — the code is the first string literal after the object.
_LOGGED = re.compile(
    r'\b(?:log|log|log_many|log_select)\(\s*[^,()]+(?:\([^()]*\))?\s*,\s*"([a-z_]+\.[a-z_]+\.[a-z_]+)"'
)


def test_every_logged_action_has_a_sentence():
    root = Path(guanhuai.__file__).parent
    codes = {
        code
        for path in python_sources(root)
        if "tests" not in path.parts
        for code in _LOGGED.findall(path.read_text(encoding="utf-8"))
    }
    assert codes, "the pattern found no log calls: it is broken"
    missing = sorted(code for code in codes if code not in SENTENCES)
    assert missing == []
