"""How long a digest chart takes to draw: the Slack PNG and the Teams card's compact one.

    .venv/bin/python bench/charts.py [--runs 20]

Draws the team chart for a week with 3 and with 12 touchpoints (the airline journey at its
longest), and the organisation chart for 2 and for 6 teams (its most panels) at 8 touchpoints
(its most rows), in this process, after one warm-up draw, and prints the median time and the
PNG's size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NAMES = ["Information", "Booking", "Check-in", "Security", "Boarding", "In-flight service",
         "Baggage claim", "Disruption & delays", "Loyalty programme", "Getting a problem solved",
         "Lounge", "Arrival & transfer"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    from bot.views import DigestView, TouchpointRef, TouchpointWeek
    from handlers.charts import compact_chart, compact_org_chart, digest_chart, org_chart

    started = time.perf_counter()
    digest_chart(DigestView("Warm-up", "2026-W47", (), (TouchpointWeek(TouchpointRef("a", "A"), 1, 1, 0, 0),),
                            (), (), 1, 1))
    print(f"first chart (imports included): {(time.perf_counter() - started) * 1000:.0f} ms; load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    for count in (3, 12):
        rows = tuple(TouchpointWeek(TouchpointRef(f"tp{i}", name), i % 5 + 1, (i * 3) % 7, 1, 2)
                     for i, name in enumerate(NAMES[:count]))
        view = DigestView("Gate crew Stockholm Arlanda", "2026-W47", (), rows, (), (), 9, 9)
        for label, draw in (("Slack PNG", digest_chart), ("Teams card PNG", compact_chart)):
            times, png = [], b""
            for _ in range(args.runs):
                began = time.perf_counter()
                png = draw(view) or b""
                times.append(time.perf_counter() - began)
            print(f"{count:2d} touchpoints, {label}: median {statistics.median(times) * 1000:.1f} ms, "
                  f"{len(png) / 1000:.1f} KB")
    for teams in (2, 6):
        group = org_group(teams)
        for label, draw_org in (("Slack PNG", org_chart), ("Teams card PNG", compact_org_chart)):
            times, png = [], b""
            for _ in range(args.runs):
                began = time.perf_counter()
                png = draw_org(group, "2026-W47") or b""
                times.append(time.perf_counter() - began)
            print(f"organisation, {teams} teams x 8 touchpoints, {label}: median "
                  f"{statistics.median(times) * 1000:.1f} ms, {len(png) / 1000:.1f} KB")
    return 0


def org_group(teams: int) -> Any:
    from bot.org_views import JourneyGroup, OrgTouchpointRow, TeamCount
    from bot.views import TouchpointRef

    names = tuple(f"Site {n:02d} gate crew" for n in range(teams))
    rows = tuple(OrgTouchpointRow(TouchpointRef(f"tp{i}", name),
                                  tuple(TeamCount(t, (i + n) % 5 + 1, (i * 3 + n) % 7)
                                        for n, t in enumerate(names)))
                 for i, name in enumerate(NAMES[:8]))
    return JourneyGroup("airline", names, (), rows, ())


if __name__ == "__main__":
    raise SystemExit(main())
