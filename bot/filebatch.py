"""``moments file --template NAME [--learn FILE]``: file JSON lines in bulk, one answer per line.

Input lines are ``{"id": ..., "text": ...}``; each gets one output line
``{"id", "kind": "wow"|"ow"|null, "touchpoint": slug|null, "confidence": 0..1}``, in the same
order. A line that cannot be filed still gets its output line, with an ``"error"`` field and
its id when the id was readable, so outputs can be joined back to inputs. Learn lines are
``{"text", "touchpoint", "kind"}`` (confirmed filings) and are fed to the filer first;
unreadable learn lines are skipped. Blank lines are not records and are skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, TextIO

from bot.domain import MomentKind, Touchpoint
from bot.filing import KeywordFiler
from bot.journeys import load_template

_ID = re.compile(r'"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)')


def file_jsonl(
    lines: Iterable[str],
    out: TextIO,
    *,
    template: str,
    learn_lines: Iterable[str] | None = None,
    warn: TextIO | None = None,
) -> int:
    """File every JSON line against the template's journey; returns the number of lines written.

    Raises :class:`bot.journeys.UnknownTemplateError` before reading any line when the template
    does not exist.
    """
    touchpoints = template_touchpoints(template)
    filer = KeywordFiler()
    for number, line in enumerate(learn_lines or (), 1):
        if line.strip() and not _learn(filer, line, touchpoints) and warn is not None:
            warn.write(f"learn line {number} skipped: not a JSON object with a \"text\" string\n")
    processed = 0
    for line in lines:
        if not line.strip():
            continue
        out.write(json.dumps(_file_one(filer, touchpoints, line), ensure_ascii=False) + "\n")
        processed += 1
    return processed


def template_touchpoints(template: str) -> list[Touchpoint]:
    """The template's touchpoints as a team's would be: ids 1..n, team 0, in journey order."""
    journey = load_template(template)
    return [
        Touchpoint(
            id=position + 1,
            team_id=0,
            slug=tp.slug,
            name=tp.name,
            description=tp.description,
            keywords=tp.keywords,
            emoji=tp.emoji,
            position=position,
        )
        for position, tp in enumerate(journey.touchpoints)
    ]


def _file_one(filer: KeywordFiler, touchpoints: list[Touchpoint], line: str) -> dict[str, Any]:
    record: Any = None
    try:
        record = json.loads(line)
    except ValueError as exc:
        return _error(_rescue_id(line), f"not valid JSON: {exc.args[0] if exc.args else exc}")
    if not isinstance(record, dict):
        return _error(None, 'each line must be a JSON object with "id" and "text"')
    ident = record.get("id")
    if isinstance(ident, (dict, list)):
        ident = None
    text = record.get("text")
    if not isinstance(text, str):
        return _error(ident, '"text" must be a string')
    guess = filer.guess(text, touchpoints)
    return {
        "id": ident,
        "kind": guess.kind.value if guess.kind else None,
        "touchpoint": guess.best,
        "confidence": round(guess.confidence, 4),
    }


def _rescue_id(line: str) -> Any:
    """The id of a broken line, when it can still be read: ``{"id": 7, "text": "oops}``."""
    match = _ID.search(line)
    if match is None:
        return None
    try:
        return json.loads(match.group(1))
    except ValueError:
        return None


def _error(ident: Any, message: str) -> dict[str, Any]:
    return {"id": ident, "kind": None, "touchpoint": None, "confidence": 0.0, "error": message}


def _learn(filer: KeywordFiler, line: str, touchpoints: list[Touchpoint]) -> bool:
    try:
        record = json.loads(line)
    except ValueError:
        return False
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return False
    slug = record.get("touchpoint")
    kind = record.get("kind")
    filer.learn(
        record["text"],
        MomentKind(kind) if kind in ("wow", "ow") else None,
        slug if isinstance(slug, str) and slug else None,
        touchpoints,
    )
    return True
