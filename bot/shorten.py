"""The one rule for a chat message longer than a moment may be, wherever it comes from (a
reaction, a message shortcut or action, a text read back later, in any door): keep its
beginning, up to the limit, and tell the person it was shortened."""

from __future__ import annotations

from dataclasses import dataclass

from bot import parsing, words
from bot.domain import MAX_MOMENT_CHARS

ELLIPSIS = "…"
WORD_ROOM = 200  # cut at a space when one is this close to the limit


@dataclass(frozen=True, slots=True)
class Shortened:
    text: str
    cut: bool  # the message was longer than a moment may be

    @property
    def note(self) -> str:
        """What to tell the person, "" when nothing was cut."""
        if not self.cut:
            return ""
        return words.MESSAGE_CUT.format(limit=MAX_MOMENT_CHARS)


def shorten_message(text: str, limit: int = MAX_MOMENT_CHARS) -> Shortened:
    """The message's text as a moment's: tidied, and if longer than ``limit``, its beginning
    (at a word break where one is near) with an ellipsis, ``limit`` characters at most."""
    tidy = parsing.tidy(text)
    if len(tidy) <= limit:
        return Shortened(tidy, False)
    head = tidy[: limit - len(ELLIPSIS)]
    space = max(head.rfind(" "), head.rfind("\n"))
    if space >= len(head) - WORD_ROOM:
        head = head[:space]
    return Shortened(parsing.tidy(head) + ELLIPSIS, True)
