"""Organisation digest benchmark: building it (and its chart) for a workspace of many teams.

    .venv/bin/python bench/org_digest.py [--teams 50] [--moments 40] [--standards 3]

Creates a throwaway PostgreSQL database with one Slack workspace of N airline teams, each with
M moments over this week and last spread over the journey, and half the teams with S standards
of their own, then times ``OrgService.digest`` (the whole digest in one transaction), the rendered
text, and ``handlers.charts.org_chart`` (the PNG the Slack door uploads), each best of three.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import throwaway_database  # noqa: E402

FRIDAY = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
SLUGS = ("check-in", "boarding", "flight", "baggage", "disruption")


class _Fixed:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def best(runs: int, work: object) -> float:
    assert callable(work)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--teams", type=int, default=50)
    parser.add_argument("--moments", type=int, default=40)
    parser.add_argument("--standards", type=int, default=3)
    args = parser.parse_args()
    from bot import org_text
    from bot.domain import MomentKind, Platform, Source
    from bot.services import Actor, Services
    from handlers.charts import org_chart
    from storage import open_store
    from tests.fakes import FakeFiler

    with throwaway_database() as url:
        store = open_store(url)
        clock = _Fixed(FRIDAY - timedelta(days=8))
        services = Services(store=store, clock=clock, make_filer=FakeFiler)
        ws = store.workspace(platform=Platform.SLACK, external_id="TORG").id
        lead = Actor("ULEAD", "Lead", is_admin=True)
        started = time.perf_counter()
        teams = [services.journey.setup_team(workspace_id=ws, actor=lead, channel=f"C{n}",
                                             name=f"Site {n:03d} gate crew", template="airline",
                                             timezone="Europe/Stockholm") for n in range(args.teams)]
        for n, team in enumerate(teams):
            for m in range(args.moments):
                clock.at = FRIDAY - timedelta(days=8) + timedelta(hours=(m * 37) % 190)
                kind = MomentKind.OW if (m + n) % 3 else MomentKind.WOW
                services.moments.report(workspace_id=ws, channel=team.channel, actor=Actor(f"U{m}"),
                                        kind=kind, text=f"#{SLUGS[(m + n) % len(SLUGS)]} moment {m}",
                                        source=Source.COMMAND)
        clock.at = FRIDAY - timedelta(days=4)
        for n, team in enumerate(teams[: max(1, args.teams // 2)]):
            prompt, _ = services.weekly.open_prompt(workspace_id=ws, team_id=team.id)
            for s in range(args.standards):
                proposal = services.weekly.propose(workspace_id=ws, prompt_id=prompt.id,
                                                   actor=Actor("U1"), text=f"Standard {n}.{s}")
                services.weekly.adopt(workspace_id=ws, proposal_id=proposal.id, actor=lead)
        seeded = time.perf_counter() - started
        services.org.setup(workspace_id=ws, actor=lead, channel="#CORG")
        clock.at = FRIDAY
        view = services.org.digest(workspace_id=ws)
        digest = best(3, lambda: services.org.digest(workspace_id=ws))
        text = best(3, lambda: org_text.digest(view))
        chart = best(3, lambda: org_chart(view.groups[0], view.week))
        png = org_chart(view.groups[0], view.week) or b""
        store.close()
    print(f"teams={args.teams} moments/team={args.moments} standards/team={args.standards} "
          f"(seeded in {seeded:.1f} s)")
    print(f"org digest view: {digest * 1000:.0f} ms; text: {text * 1000:.1f} ms "
          f"({len(org_text.digest(view).text)} chars); chart: {chart * 1000:.0f} ms ({len(png)} bytes)")


if __name__ == "__main__":
    main()
