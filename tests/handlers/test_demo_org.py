"""`make demo-org`: the two-site story plays through to the organisation digest."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.handlers.test_console_and_cli import ROOT, moments

pytestmark = pytest.mark.slow  # a console in a subprocess


def test_the_two_site_demo_reaches_the_organisation_digest(tmp_path: Path) -> None:
    demo = (ROOT / "demo-org.txt").read_text(encoding="utf-8")
    done = moments("console", "--fresh", "--start", "2026-11-09T09:00Z", db=tmp_path / "org.db",
                   stdin=demo)
    out = done.stdout
    assert "Traceback" not in out + done.stderr and "⚠️" not in out
    assert "The organisation digest goes to #all-sites every week, fri 17:00" in out
    landvetter = out.split("you> /channel console")[1]
    assert "Open the spare desk as soon as ten people are waiting — 🌍 Arlanda gate crew adopted this" \
        in landvetter
    assert "First adopted by Arlanda gate crew." in landvetter
    digest = out.split("you> /moments org digest")[1]
    assert "organisation digest, 2026-W47" in digest
    assert "🛂 Check-in: Landvetter gate crew 0/2 · Arlanda gate crew 1/0" in digest
    assert "first adopted by Arlanda gate crew; followed by 2 of 2 teams; new this week: " \
        "Landvetter gate crew" in digest
    assert "Arlanda gate crew (first): 100% of 2 → 0% of 1" in digest
    for moment_text in ("50 minutes", "spare desk opened at once", "maria", "jonas", "ali"):
        assert moment_text not in digest  # figures and standards, never moments or people
