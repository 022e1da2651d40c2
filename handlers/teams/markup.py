"""The core's markup (bot/text.py) as Teams shows it: TextBlock markdown, command hints as people
type them in Teams (``moments stats``), ``@key`` as the person's name, user text made safe."""

from __future__ import annotations

from collections.abc import Mapping

from handlers.teams import cards
from handlers.teams.reading import teams_syntax


def markdown(text: str, names: Mapping[str, str] | None = None) -> str:
    return cards.markdown(teams_syntax(text, dict(names or {})))
