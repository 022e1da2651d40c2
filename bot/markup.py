"""The core's own rich text: bold, italic, code, mentions, links and list items, each door renders.

The constructors return ordinary strings, so the catalogue (``bot/text.py``) still builds replies
with f-strings. Formatting is marked with Unicode noncharacters (U+FDD0 and on), which Unicode
reserves for a program's internal use: no keyboard types them, and ``literal`` removes them from
anything people wrote, so user text can never turn into formatting. Everything outside a mark is
text to show as it is; a door escapes it for its platform (``render`` with the door's ``Style``).
Marks do not nest: the content of a mark is plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_BOLD, _ITALIC, _CODE, _MENTION, _LINK, _SEP, _END, _ITEM = (chr(0xFDD0 + n) for n in range(8))
_MARKS = re.compile("[\ufdd0-\ufdef]")
_TOKEN = re.compile(
    f"([{_BOLD}{_ITALIC}{_CODE}{_MENTION}])([^\ufdd0-\ufdef]*){_END}"
    f"|{_LINK}([^\ufdd0-\ufdef]*){_SEP}([^\ufdd0-\ufdef]*){_END}"
    f"|(?:(?<=\n)|^){_ITEM}",
)


def literal(text: str) -> str:
    """Text as people wrote it: with any mark characters removed, so it shows only as text."""
    return _MARKS.sub("", text)


def bold(text: str) -> str:
    return f"{_BOLD}{literal(text)}{_END}"


def italic(text: str) -> str:
    return f"{_ITALIC}{literal(text)}{_END}"


def code(text: str) -> str:
    """A command hint or a pattern, shown as people would type it."""
    return f"{_CODE}{literal(text)}{_END}"


def mention(key: str) -> str:
    """A person, by the user key the core knows them by; each door shows them its own way."""
    return f"{_MENTION}{literal(key)}{_END}"


def link(url: str, label: str) -> str:
    return f"{_LINK}{literal(url)}{_SEP}{literal(label)}{_END}"


def item(text: str) -> str:
    """A list line: ``item(...)`` starts a line; the text after it may hold marks."""
    return f"{_ITEM}{text}"


@dataclass(frozen=True)
class Style:
    """How one door writes each mark. ``text`` escapes what is shown as it is, bold and italic
    text included; ``code``, ``mention`` and ``link`` get their content raw and escape it."""

    text: Callable[[str], str]
    bold: Callable[[str], str]
    italic: Callable[[str], str]
    code: Callable[[str], str]
    mention: Callable[[str], str]
    link: Callable[[str, str], str]
    item: str = "• "


def render(marked: str, style: Style) -> str:
    """Marked text in one door's syntax; stray mark characters are dropped."""
    out: list[str] = []
    at = 0
    for m in _TOKEN.finditer(marked):
        out.append(style.text(literal(marked[at:m.start()])))
        at = m.end()
        mark, inner, url, label = m.groups()
        if url is not None:
            out.append(style.link(url, label))
        elif mark is None:
            out.append(style.item)
        else:
            if mark == _BOLD:
                out.append(style.bold(style.text(inner)))
            elif mark == _ITALIC:
                out.append(style.italic(style.text(inner)))
            else:  # a command hint or a user key: the door escapes it as that
                out.append((style.code if mark == _CODE else style.mention)(inner))
    out.append(style.text(literal(marked[at:])))
    return "".join(out)


PLAIN = Style(text=lambda s: s, bold=lambda s: s, italic=lambda s: s, code=lambda s: s,
              mention=lambda key: f"@{key}", link=lambda url, label: f"{label} ({url})"
              if label and label != url else url)


def plain(marked: str) -> str:
    """Marked text with no formatting at all: the console, logs, notification previews."""
    return render(marked, PLAIN)
