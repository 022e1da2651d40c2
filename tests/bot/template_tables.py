"""Shared by the template tests: the rows a template is known to file wrong."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from bot.domain import Touchpoint
from bot.filing import KeywordFiler


def left_out_rows_test(
    touchpoints: Sequence[Touchpoint], rows: list[tuple[str, str]]
) -> Callable[[KeywordFiler, str, str], None]:
    """A test that each left-out row still files wrong: strict, so a row the filer starts
    getting right fails it, to be moved back into the asserted tables."""

    @pytest.mark.xfail(reason="left out: see LEFT_OUT", strict=True)
    @pytest.mark.parametrize(("text", "slug"), rows)
    def test(filer: KeywordFiler, text: str, slug: str) -> None:
        assert filer.guess(text, touchpoints).best == slug

    return test
