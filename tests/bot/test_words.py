"""Every sentence the bot says lives in ``bot/words.py``: a later translation is a data change.

A small scan of the modules that speak (the core's services, commands and renderings, and the
doors' replies, forms and cards) for string literals that read like chat text: four or more words
that start with a capital or end in . ? ! or :. Docstrings, log calls and a short allow-list of
what is not chat text (CLI help, platform field values) are left out. A sentence found here belongs
in the catalogue, under its feature's heading.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import words

ROOT = Path(__file__).resolve().parents[2]
SPEAKING = (
    "bot/services/*.py", "bot/errors.py", "bot/commands.py", "bot/subcommands.py", "bot/text.py",
    "bot/views.py", "bot/chat.py", "bot/weeks.py", "bot/schedule.py", "bot/journeys.py", "bot/shorten.py",
    "bot/redact.py", "bot/welcome.py", "bot/journey_edits.py",
    "handlers/slack/modals.py", "handlers/slack/blocks.py", "handlers/slack/home.py",
    "handlers/slack/door.py", "handlers/slack/export.py", "handlers/slack/listeners/*.py",
    "handlers/teams/cards.py", "handlers/teams/replies.py", "handlers/teams/lifecycle.py",
    "handlers/teams/export.py", "handlers/teams/listeners/*.py", "handlers/teams/home.py",
    "handlers/teams/journey_card.py", "handlers/teams/setup_form.py",
    "handlers/console/chat.py", "handlers/slack/inbox.py", "handlers/teams/bot.py", "handlers/teams/web.py",
    "handlers/export_links.py", "handlers/server.py",
)
LOGGERS = {"log", "logger", "logging", "_log"}
LOG_CALLS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
WORD = re.compile(r"[A-Za-z']+")
# (module, literal): strings in speaking modules that are not chat text
NOT_CHAT: frozenset[tuple[str, str]] = frozenset({
    # ordinary retellings a workspace's own redaction pattern is tried on before it is accepted
    ("bot/redact.py", "The guest thanked Sam and the crew at check-in: quick, friendly and kind!"),
    ("bot/redact.py", "Flight 42 boarded at 9:30 on 16 Nov 2026 from gate 7; 3 bags came late, "
                      "row 23 had no water."),
    ("bot/redact.py", "Maria found two seats together for a family (with a pram) in the lounge."),
    # a stored pattern that no longer compiles: logged for the operator, the person gets OOPS
    ("bot/redact.py", "The redaction pattern {} is not a valid expression: {}"),
    # the Teams door's startup warnings, for whoever runs Moments (logged, never sent to chat)
    ("handlers/teams/web.py", "MOMENTS_TEAMS_EMULATOR=1 and no MICROSOFT_APP_ID: the Teams door at "
                              "/api/messages runs in LOCAL EMULATOR MODE WITHOUT AUTHENTICATION, for "
                              "requests from this machine only. Never use it in production; set "
                              "MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD for Teams."),
    # a JSON error for a request to /slack/events when Slack is off: for Slack's servers, not a person
    ("handlers/server.py", "Slack is not configured"),
    ("handlers/teams/web.py", "Teams is not configured (MICROSOFT_APP_ID): /api/messages is off "
                              "(MOMENTS_TEAMS_EMULATOR=1 opens it to the local Bot Framework Emulator)"),
})


def _modules() -> list[Path]:
    return sorted(p for pattern in SPEAKING for p in ROOT.glob(pattern))


def _skipped(tree: ast.AST) -> set[int]:
    """Docstrings, everything inside a log call, and the pieces of an f-string (read whole)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if node.func.attr in LOG_CALLS and name in LOGGERS:
                skip.update(id(n) for n in ast.walk(node))
        elif (isinstance(node, ast.AnnAssign) and isinstance(node.annotation, ast.Name)
              and node.annotation.id == "TypeAlias" and node.value is not None):
            skip.update(id(n) for n in ast.walk(node.value))  # a type written as a string
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
    return skip


def literals(source: str) -> Iterator[tuple[int, str]]:
    """Each string literal and f-string (its fields shown as ``{}``) outside what is skipped."""
    tree = ast.parse(source)
    skip = _skipped(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
        elif isinstance(node, ast.JoinedStr):
            yield node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "{}"
                                       for v in node.values)


def chat_like(text: str) -> bool:
    text = text.strip()
    return len(WORD.findall(text)) >= 4 and (text[:1].isupper() or text[-1:] in ".?!:")


def sentences_outside_words(path: Path) -> list[str]:
    rel = path.relative_to(ROOT).as_posix()
    return [f"{rel}:{line}: {text!r}" for line, text in literals(path.read_text())
            if chat_like(text) and (rel, text) not in NOT_CHAT]


def test_the_scan_finds_a_sentence_and_skips_docstrings_and_logs() -> None:
    source = '''
"""A module docstring, Long And Chatty."""
import logging
log = logging.getLogger(__name__)
def f(n):
    """Its docstring. Says Many Things."""
    log.warning("Could not reach the Slack API: %s", n)
    return f"Moment #{n} filed. Thanks, I'll learn from it."
'''
    found = [text for _, text in literals(source) if chat_like(text)]
    assert found == ["Moment #{} filed. Thanks, I'll learn from it."]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_modules_that_speak_keep_their_sentences_in_the_catalogue(path: Path) -> None:
    assert sentences_outside_words(path) == [], "move these into bot/words.py"


def test_the_catalogue_holds_no_platform_syntax() -> None:
    """Formatting is the core's markup; Slack's *bold* and `code` or Teams' **bold** stay out."""
    for name, value in vars(words).items():
        texts = value.values() if isinstance(value, dict) else [value]
        for text in texts:
            flat = " ".join(text) if isinstance(text, tuple) else text
            if name.isupper() and isinstance(flat, str):
                assert not re.search(r"[`*]|<@|<!", flat), name


def test_no_entry_of_the_catalogue_is_defined_twice() -> None:
    """A second definition silently replaces the first: one feature's sentence in another's place."""
    tree = ast.parse((ROOT / "bot/words.py").read_text(encoding="utf-8"))
    names = [t.id for node in tree.body if isinstance(node, ast.Assign | ast.AnnAssign)
             for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
             if isinstance(t, ast.Name)]
    assert sorted({n for n in names if names.count(n) > 1}) == []
