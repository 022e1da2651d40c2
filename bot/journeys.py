"""Customer-journey templates shipped as TOML in ``bot/templates``, one file per industry."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from bot import words
from bot.domain import JourneyTemplate, TouchpointTemplate

_PACKAGE = "bot.templates"
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class UnknownTemplateError(ValueError):
    """No template of that name ships with the bot."""


class TemplateError(ValueError):
    """A template file is malformed: a bug in the shipped data, caught by the tests."""


def template_names() -> list[str]:
    """The names of the shipped templates, sorted."""
    files = resources.files(_PACKAGE).iterdir()
    return sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml"))


def load_template(name: str) -> JourneyTemplate:
    """The journey template called ``name`` (case-insensitive)."""
    key = name.strip().lower()
    names = template_names()
    if key not in names:
        raise UnknownTemplateError(words.NO_SUCH_TEMPLATE.format(name=name, names=', '.join(names)))
    return _load(key)


@cache
def _load(name: str) -> JourneyTemplate:
    text = resources.files(_PACKAGE).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{name}.toml: {exc}") from exc
    return parse_template(data, source=f"{name}.toml")


def parse_template(data: dict[str, Any], *, source: str = "template") -> JourneyTemplate:
    """Check and convert one decoded TOML document; raises TemplateError naming the problem."""
    name = _text(data, "name", source)
    title = _text(data, "title", source)
    raw = data.get("touchpoints")
    if not isinstance(raw, list) or not raw:
        raise TemplateError(f"{source}: needs at least one [[touchpoints]] table")
    touchpoints = tuple(_touchpoint(item, f"{source} touchpoint {i + 1}") for i, item in enumerate(raw))
    seen: set[str] = set()
    for tp in touchpoints:
        if tp.slug in seen:
            raise TemplateError(f"{source}: slug {tp.slug!r} appears twice")
        seen.add(tp.slug)
    return JourneyTemplate(name=name, title=title, touchpoints=touchpoints)


def _touchpoint(item: object, where: str) -> TouchpointTemplate:
    if not isinstance(item, dict):
        raise TemplateError(f"{where}: must be a table")
    slug = _text(item, "slug", where)
    if not _SLUG.fullmatch(slug):
        raise TemplateError(f"{where}: slug {slug!r} must be lowercase a-z, 0-9 and hyphens")
    keywords = item.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k.strip() for k in keywords):
        raise TemplateError(f"{where} ({slug}): keywords must be a list of non-empty strings")
    emoji = item.get("emoji", "")
    description = item.get("description", "")
    if not isinstance(emoji, str) or not isinstance(description, str):
        raise TemplateError(f"{where} ({slug}): emoji and description must be strings")
    if "\n" in description:
        raise TemplateError(f"{where} ({slug}): description must be one line")
    return TouchpointTemplate(
        slug=slug,
        name=_text(item, "name", where),
        description=description.strip(),
        keywords=tuple(k.strip() for k in keywords),
        emoji=emoji.strip(),
    )


def _text(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise TemplateError(f"{where}: {key!r} must be a non-empty string")
    return value.strip()
