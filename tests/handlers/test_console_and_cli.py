"""The console chat and the `moments` command line, run as a new user would run them."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def moments(*args: str, db: Path, stdin: str = "", check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "MOMENTS_LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "handlers.cli", *args], input=stdin, capture_output=True, text=True,
        env=env, cwd=ROOT, check=check, timeout=120,
    )


def test_demo_script_walks_the_whole_method(tmp_path: Path) -> None:
    demo = (ROOT / "demo.txt").read_text(encoding="utf-8")
    done = moments("console", "--fresh", "--start", "2026-11-09T09:00Z", db=tmp_path / "demo.db",
                   stdin=demo)
    out = done.stdout
    assert "Traceback" not in out + done.stderr
    before_adopt = out.split("maria> /moments adopt")[0]
    assert "⚠️" not in before_adopt  # every step up to the lead-only one succeeds
    # report -> file -> prioritise -> prompt -> propose -> vote -> adopt -> digest -> basic
    assert "Filed under 🛂 Check-in" in out and "Filed under 🛫 Boarding" in out
    assert "Which touchpoint was it?" in out and "Moment #11 filed under 💺 In-flight" in out
    assert "1. 🛂 Check-in: 3 OWs this week" in out and "2. 🛫 Boarding" in out
    assert "how could we turn these OWs into WOWs?" in out
    assert "Proposal 1 added by maria" in out and "added anonymously" in out
    assert "You already voted for proposal" in out
    assert "Only the team's leads and workspace admins can adopt" in out
    assert "Voting closed for 2026-W47" in out
    assert "1. 🛂 Check-in: Open the spare desk as soon as ten people are waiting — 2 votes" in out
    assert "New service standard at 🛂 Check-in: Open the spare desk" in out
    assert "weekly digest, 2026-W47" in out and "Shout-outs" in out
    assert "🛂 Check-in: 0 WOW (±0), 3 OW (±0)" in out
    assert "13 weeks later" in out
    assert "Now basic: customers expect these; fresh ideas wanted" in out
    assert "fresh ideas wanted" in out.split("13 weeks later")[1]


def test_console_survives_nonsense(tmp_path: Path) -> None:
    script = "\n".join([
        "hello bot", "/moments nonsense", "7", "/wait forever", "/as", "/ow", "/wow " + "x" * 40_000,
        "/moments vote abc", "/ow #spaceport lost", "/quit", "/wow never reached",
    ])
    done = moments("console", "--fresh", db=tmp_path / "c.db", stdin=script)
    out = done.stdout
    assert "Traceback" not in out + done.stderr
    assert "I log messages that start with WOW:" in out
    assert "There is nothing to choose right now" in out
    assert "limit is 3,000" in out and "I don't know the touchpoint “spaceport”" in out
    assert "never reached" not in out
    export = moments("export", "moments", db=tmp_path / "c.db")
    assert len(list(csv.reader(io.StringIO(export.stdout)))) == 1  # the header: nothing stored
    left = moments("console", "--fresh", db=tmp_path / "q.db", stdin="Quit\n/wow never reached\n")
    assert "never reached" not in left.stdout and "I log messages" not in left.stdout


def test_touchpoints_export_import_and_moment_export(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    moments("console", "--fresh", "--template", "hotel", db=db,
            stdin="/ow #room the shower was cold\n/wow @ana upgraded a honeymoon couple #arrival\n")
    exported = moments("touchpoints", "export", "-", db=db).stdout
    assert "slug: housekeeping" in exported
    edited = exported.replace("name: Room", "name: Guest room") + (
        "- slug: spa\n  name: Spa\n  description: Treatments and pool\n  emoji: 💆\n"
        "  keywords: [spa, massage, pool]\n"
    )
    (tmp_path / "journey.yml").write_text(edited, encoding="utf-8")
    result = moments("touchpoints", "import", str(tmp_path / "journey.yml"), db=db)
    assert "1 touchpoint(s) added, 1 updated" in result.stdout
    listing = moments("touchpoints", "list", db=db).stdout
    assert "Guest room #room" in listing and "Spa #spa" in listing
    bad = moments("touchpoints", "import", "-", db=db, stdin="just: [a, string", check=False)
    assert bad.returncode == 2 and "isn't a touchpoint list" in bad.stderr
    rows = list(csv.DictReader(io.StringIO(moments("export", "moments", db=db).stdout)))
    assert [(r["kind"], r["touchpoint"], r["credited"]) for r in rows] == [
        ("ow", "room", ""), ("wow", "arrival", "ana")]


def test_digest_preview_and_db_upgrade(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    assert "up to date" in moments("db", "upgrade", db=db).stdout
    moments("console", "--fresh", "--start", "2026-11-16T09:00Z", db=db,
            stdin="/ow #baggage bag came out last\n")
    out = moments("digest", "--week", "2026-W47", "--preview", db=db).stdout
    assert "weekly digest, 2026-W47" in out and "Baggage: 0 WOW (±0), 1 OW (+1)" in out
    missing = moments("digest", "--team", "nope", db=db, check=False)
    assert missing.returncode == 2 and "Say which team" in missing.stderr


def test_file_command_writes_one_line_per_input(tmp_path: Path) -> None:
    lines = [
        {"id": 1, "text": "my suitcase never arrived in Oslo"},
        {"id": "b", "text": "thank you for the lovely welcome at the gate, boarding was a breeze"},
        "not json at all",
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    out = moments("file", "--template", "airline", db=tmp_path / "f.db", stdin=stdin).stdout
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == 3
    assert results[0]["id"] == 1 and results[0]["touchpoint"] == "baggage"
    assert results[1]["kind"] == "wow" and results[1]["touchpoint"] == "boarding"
    assert "error" in results[2]


@pytest.mark.parametrize("argv", [["--help"], []])
def test_help(argv: list[str], tmp_path: Path) -> None:
    out = moments(*argv, db=tmp_path / "h.db").stdout
    for command in ("console", "db", "touchpoints", "export", "file", "digest"):
        assert command in out


def test_privacy_export_delete_and_purge_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    moments("console", "--fresh", "--start", "2024-01-08T09:00Z", db=db,
            stdin="/as mia\n/ow #baggage bag lost again\n")
    moments("console", db=db, stdin="/as mia\n/wow #boarding lovely gate team\n")
    data = json.loads(moments("privacy", "export", "--user", "mia", db=db).stdout)
    assert sorted(m["text"] for m in data["moments_reported"]) == ["bag lost again", "lovely gate team"]
    assert "1 moment(s)" in moments("purge", "--older-than-months", "12", db=db).stdout
    assert "Erased mia: 1 moments" in moments("privacy", "delete", "--user", "mia", db=db).stdout
    assert json.loads(moments("privacy", "export", "--user", "mia", db=db).stdout)["moments_reported"] == []
    refused = moments("purge", db=db, check=False)
    assert refused.returncode == 2 and "MOMENTS_RETENTION_MONTHS" in refused.stderr


def test_console_export_writes_the_csv_and_prints_its_path(tmp_path: Path) -> None:
    import subprocess as sp
    script = "/moments setup name=Crew template=airline\n/ow the queue at check-in took an hour\n" \
             "/moments export\n/quit\n"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'e.db'}", "MOMENTS_LOG_LEVEL": "WARNING"}
    out = sp.run([sys.executable, "-m", "handlers.cli", "console"], input=script, capture_output=True,
                 text=True, env=env, cwd=tmp_path, timeout=120).stdout
    written = next(line.split("Written to ", 1)[1] for line in out.splitlines() if "Written to " in line)
    rows = Path(written.strip()).read_text().splitlines()
    assert rows[0] == "id,date,kind,touchpoint,text,credited" and "the queue at check-in" in rows[1]


def test_console_shows_no_markup_in_help_a_confirmation_or_the_digest(tmp_path: Path) -> None:
    script = ("/moments help\n/as maria\n/wow @jonas walked a nervous flyer to the gate #boarding\n"
              "/moments digest\n/quit\n")
    out = moments("console", "--fresh", "--start", "2026-11-09T09:00Z", db=tmp_path / "c.db",
                  stdin=script).stdout
    assert "Moments: turn customer moments into better service" in out
    assert "/moments file ID touchpoint — move a moment" in out  # a readable command hint
    assert "Credited: @jonas" in out and "Wrong place? /moments file 1 <touchpoint> moves it." in out
    assert "weekly digest" in out and "WOW / OW by touchpoint (change from last week)" in out
    assert "*" not in out and "`" not in out
    assert not any(0xFDD0 <= ord(c) <= 0xFDEF for c in out)


def test_console_keeps_a_moment_made_before_setup_and_files_it_after(tmp_path: Path) -> None:
    script = ("/channel lounge\n/as nia\n/wow Omar found a quiet corner for a crying toddler\n"
              "1\n/moments mine\n/quit\n")
    out = moments("console", "--fresh", db=tmp_path / "c.db", stdin=script).stdout
    assert "Traceback" not in out
    said = out.split("nia> /wow")[1]
    assert "Saved: your 🌟 WOW is waiting here" in said and "[1] Set up this channel" in said
    setup = said.split("nia> 1")[1]
    assert "(to #lounge)" in setup and "Team set up: Lounge" in setup  # guessed, nothing typed
    assert "Filed 1 moment(s) that were waiting" in setup and "@nia's 🌟 WOW" in setup
    assert "Set up by @nia" in setup  # whoever presses the button leads the team
    assert "Omar found a quiet corner" in out.split("nia> /moments mine")[1]
