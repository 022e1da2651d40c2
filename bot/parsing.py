"""Reading what staff type: #touchpoint tags and @colleague mentions, in a neutral syntax, and
the ``WOW:`` / ``OW:`` that makes a chat message a moment.

Doors translate their platform's mentions first (Slack ``<@U123>`` becomes ``@U123``), so the
core only ever sees ``@name`` and ``#slug``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain import MomentKind

TAG = re.compile(r"(?<![\w&/])#([A-Za-z][A-Za-z0-9_-]{0,40})\b")
MENTION = re.compile(r"(?<![\w.])@([A-Za-z0-9][A-Za-z0-9._-]{0,127})")  # Teams ids run to ~100
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A message in a channel is a moment when it starts "WOW:" or "OW:" (the colon: "wow, busy day"
# is chatter). Said to the bot itself (a Teams chat, a mention) the colon may be left out, and
# "moments <sub>" or "/wow ..." is a command.
PREFIXED = re.compile(r"^\s*(wow|ow)\s*:\s*(.+)$", re.IGNORECASE | re.DOTALL)
ADDRESSED = re.compile(r"^\s*/?(wow|ow|moments)(?![\w-])\s*:?\s*(.*)$", re.IGNORECASE | re.DOTALL)
HELP_WORDS = ("help", "/help", "?")


@dataclass(frozen=True, slots=True)
class ParsedText:
    text: str  # as written, tags removed, whitespace tidied
    tags: tuple[str, ...]
    mentions: tuple[str, ...]


def tidy(text: str) -> str:
    """Drop control characters and collapse runs of spaces; keep line breaks."""
    text = CONTROL.sub("", text.replace("\r\n", "\n"))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip()


def parse(text: str) -> ParsedText:
    tags = tuple(dict.fromkeys(m.group(1).lower() for m in TAG.finditer(text)))
    mentions = tuple(dict.fromkeys(m.group(1).rstrip(".") for m in MENTION.finditer(text)))
    without_tags = TAG.sub("", text)
    return ParsedText(tidy(without_tags), tags, mentions)


def blameless(text: str, mentions: tuple[str, ...]) -> str:
    """An OW names no person: mentions become "a colleague"."""
    for name in mentions:
        text = re.sub(rf"(?<![\w.])@{re.escape(name)}\b", "a colleague", text)
    return text


def moment_prefix(text: str) -> tuple[MomentKind, str] | None:
    """``WOW: what happened`` / ``OW: ...`` in a channel message -> (kind, what happened)."""
    match = PREFIXED.match(text)
    return (MomentKind(match.group(1).lower()), match.group(2)) if match else None


def addressed_command(text: str) -> tuple[str, str] | None:
    """What a person typed to the bot directly: ``wow ...`` / ``WOW: ...`` / ``ow ...`` /
    ``moments <sub>`` / ``/moments <sub>`` / ``help`` -> (core command, rest); None otherwise."""
    if text.strip().lower() in HELP_WORDS:
        return "/moments", "help"
    match = ADDRESSED.match(text)
    if match is None:
        return None
    return "/" + match.group(1).lower(), match.group(2).strip()
