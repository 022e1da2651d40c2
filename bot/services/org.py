"""The whole organisation: an admin's organisation channel and its weekly digest, where every
team of a journey template stands beside the others (touchpoints matched by slug), and the
standards adopted anywhere show how far they spread and what they did where adopted.

It works across the teams of one workspace (one Slack workspace, one Teams tenant): the
workspace is the organisation. What crosses teams is figures, team names and standards; never a
moment's text or who reported it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

from bot import words
from bot.domain import MomentKind, OrgChannel, Standard, Team, Touchpoint
from bot.errors import NotAllowed, UserError
from bot.journeys import load_template
from bot.markup import code
from bot.org_views import (
    Adoption,
    Hotspot,
    JourneyGroup,
    OrgChannelView,
    OrgDigestView,
    OrgTouchpointRow,
    SpreadView,
    TeamCount,
)
from bot.ports import Repository
from bot.schedule import due_at, parse_slot
from bot.services.base import Actor, Deps, ref
from bot.services.reports import _impact
from bot.services.spread import root_of
from bot.views import TouchpointRef
from bot.weeks import iso_week, shift_week, week_bounds, zone

HOTSPOTS = 5
SPREAD_SHOWN = 6
DEFAULT_SLOT = "fri 17:00"  # after the teams' own digests (fri 16:00 by default)


def is_admin(repo: Repository, actor: Actor) -> bool:
    if actor.external:
        return False
    member = repo.member(actor.user_id)
    return actor.is_admin or (member is not None and member.is_admin)


def require_admin(repo: Repository, actor: Actor, doing: str) -> None:
    if not is_admin(repo, actor):
        raise NotAllowed(words.ORG_ADMINS_ONLY.format(doing=doing))


def org_schedule(org: OrgChannel) -> Team:
    """The organisation channel's weekly slot as a team's, so the schedule's rules apply."""
    return Team(0, "", org.channel, timezone=org.timezone, digest_at=org.digest_at)


@dataclass
class _TeamWeek:
    team: Team
    by_id: dict[int, Touchpoint]
    start: datetime
    end: datetime
    counts: dict[str, tuple[int, int]]  # slug -> (wows, ows) this week
    ows_last: Counter[str]


class OrgService:
    def __init__(self, deps: Deps) -> None:
        self._d = deps

    def setup(self, *, workspace_id: int, actor: Actor, channel: str, timezone: str | None = None,
              digest_at: str | None = None) -> OrgChannelView:
        """An admin picks the organisation channel (and, if they like, its weekly slot)."""
        channel, _, name = channel.strip().lstrip("#").partition("|")  # Slack: "C123|all-sites"
        if not channel:
            raise UserError(words.ORG_WHICH_CHANNEL.format(command=code("/moments org setup")))
        if timezone is not None:
            zone(timezone)
        if digest_at is not None:
            parse_slot(digest_at)
        with self._d.store.transaction(workspace_id) as repo:
            require_admin(repo, actor, "pick the organisation channel")
            team = repo.team_by_channel(channel)
            if team is not None:
                raise UserError(words.ORG_A_TEAM_CHANNEL.format(channel=f"#{channel}",
                                                                team=team.name))
            old = repo.org_channel()
            tz = timezone or (old.timezone if old else _usual_timezone(repo.teams()))
            slot = " ".join((digest_at or (old.digest_at if old else DEFAULT_SLOT)).split())
            kept = old.name if old and old.channel == channel else ""
            org = repo.save_org_channel(OrgChannel(old.id if old else 0, channel, tz, slot,
                                                   name=name or kept))
            return self._view(repo, org)

    def channel(self, *, workspace_id: int) -> OrgChannelView | None:
        with self._d.store.transaction(workspace_id) as repo:
            org = repo.org_channel()
            return self._view(repo, org) if org is not None else None

    def org(self, *, workspace_id: int) -> OrgChannel | None:
        with self._d.store.transaction(workspace_id) as repo:
            return repo.org_channel()

    def remove(self, *, workspace_id: int, actor: Actor) -> bool:
        with self._d.store.transaction(workspace_id) as repo:
            require_admin(repo, actor, "switch the organisation channel off")
            return repo.remove_org_channel()

    def pause(self, *, workspace_id: int, org_id: int) -> None:
        with self._d.store.transaction(workspace_id) as repo:
            org = repo.org_channel()
            if org is not None and org.id == org_id:
                repo.save_org_channel(replace(org, paused=True))

    def _view(self, repo: Repository, org: OrgChannel) -> OrgChannelView:
        now = self._d.clock.now()
        schedule = org_schedule(org)
        week = iso_week(now, org.timezone)
        when = due_at(schedule, "digest", week)
        if when <= now:
            when = due_at(schedule, "digest", shift_week(week, 1))
        return OrgChannelView(org.channel, org.timezone, org.digest_at,
                              None if org.paused else when, len(repo.teams()), org.name)

    def digest(self, *, workspace_id: int, week: str | None = None) -> OrgDigestView:
        """The organisation's week: one group per journey template, most teams first."""
        now = self._d.clock.now()
        with self._d.store.transaction(workspace_id) as repo:
            org = repo.org_channel()
            week = week or iso_week(now, org.timezone if org else "UTC")
            by_template: dict[str, list[Team]] = {}
            for team in repo.teams():
                by_template.setdefault(team.template, []).append(team)
            ordered = sorted(by_template.items(), key=lambda kv: (-len(kv[1]), kv[0]))
            groups = tuple(self._group(repo, template, teams, week) for template, teams in ordered)
            name = repo.workspace.name or words.ORG_UNNAMED
            return OrgDigestView(name, week, groups, org.channel if org else "")

    def _group(self, repo: Repository, template: str, teams: list[Team], week: str) -> JourneyGroup:
        weeks = [_team_week(repo, team, week) for team in teams]
        refs: dict[str, TouchpointRef] = {}
        sharing: Counter[str] = Counter()
        for tw in weeks:
            for tp in tw.by_id.values():
                refs.setdefault(tp.slug, ref(tp))
                if tp.active:
                    sharing[tp.slug] += 1
        order = _journey_order(template, weeks)
        rows = []
        for slug in order:
            cells = tuple(TeamCount(tw.team.name, *tw.counts.get(slug, (0, 0))) for tw in weeks)
            if any(c.wows or c.ows for c in cells):
                rows.append(OrgTouchpointRow(refs[slug], cells))
        hotspots = sorted(
            (Hotspot(r.touchpoint, r.ows, sum(tw.ows_last[r.touchpoint.slug] for tw in weeks),
                     sum(1 for c in r.teams if c.ows),
                     max(sharing[r.touchpoint.slug], sum(1 for c in r.teams if c.ows)))
             for r in rows if r.ows),
            key=lambda h: (-h.ows, -h.teams_hurting, h.ows_last_week - h.ows, h.touchpoint.slug))
        wows = sum(r.wows for r in rows) + sum(tw.counts.get("", (0, 0))[0] for tw in weeks)
        ows = sum(r.ows for r in rows) + sum(tw.counts.get("", (0, 0))[1] for tw in weeks)
        return JourneyGroup(template, tuple(t.name for t in teams), tuple(hotspots[:HOTSPOTS]),
                            tuple(rows), self._spread(repo, weeks, refs, sharing), wows, ows)

    def _spread(self, repo: Repository, weeks: list[_TeamWeek], refs: dict[str, TouchpointRef],
                sharing: Counter[str]) -> tuple[SpreadView, ...]:
        """Each standard of these teams, with every team that follows it and its effect there:
        those adopted this week anywhere first, then the most followed."""
        followed: dict[int, list[tuple[_TeamWeek, Standard]]] = {}
        for tw in weeks:
            for standard in repo.standards(tw.team.id):
                followed.setdefault(root_of(standard), []).append((tw, standard))
        out = []
        for root_id, adopted in followed.items():
            root = next((s for _, s in adopted if s.id == root_id), None) or repo.standard(root_id)
            if root is None:
                continue
            origin = repo.team(root.team_id)
            first_week = next((tw for tw, s in adopted if s.id == root_id), None)
            slug = (first_week.by_id[root.touchpoint_id].slug if first_week is not None
                    else adopted[0][0].by_id[adopted[0][1].touchpoint_id].slug)
            adopted.sort(key=lambda a: (a[1].id != root_id, a[1].adopted_at, a[1].id))
            adoptions = []
            for tw, standard in adopted:
                impact = _impact(repo, tw.team.id, standard, tw.by_id, tw.end)  # as the digest
                adoptions.append(Adoption(tw.team.name, standard.adopted_at, impact.ow_share_before,
                                          impact.ow_share_since, impact.moments_before,
                                          impact.moments_since, standard.id == root_id))
            new = tuple(tw.team.name for tw, s in adopted if tw.start <= s.adopted_at < tw.end)
            out.append(SpreadView(refs.get(slug, TouchpointRef(slug, slug)), root.text,
                                  origin.name if origin else "", tuple(adoptions),
                                  max(sharing[slug], len(adoptions)), new))
        out.sort(key=lambda v: (not v.new_this_week, -len(v.adoptions), v.touchpoint.slug, v.text))
        return tuple(out[:SPREAD_SHOWN])


def _team_week(repo: Repository, team: Team, week: str) -> _TeamWeek:
    start, end = week_bounds(week, team.timezone)
    last_start, _ = week_bounds(shift_week(week, -1), team.timezone)
    by_id = {t.id: t for t in repo.touchpoints(team.id, include_retired=True)}
    counts: dict[str, tuple[int, int]] = {}
    for m in repo.moments(team.id, since=start, until=end):
        slug = by_id[m.touchpoint_id].slug if m.touchpoint_id in by_id else ""
        wows, ows = counts.get(slug, (0, 0))
        counts[slug] = (wows + (m.kind is MomentKind.WOW), ows + (m.kind is MomentKind.OW))
    ows_last: Counter[str] = Counter(
        by_id[m.touchpoint_id].slug
        for m in repo.moments(team.id, since=last_start, until=start, kind=MomentKind.OW)
        if m.touchpoint_id in by_id)
    return _TeamWeek(team, by_id, start, end, counts, ows_last)


def _journey_order(template: str, weeks: list[_TeamWeek]) -> list[str]:
    """The template's order, then the teams' own touchpoints as they come."""
    try:
        order = [t.slug for t in load_template(template).touchpoints]
    except ValueError:
        order = []
    for tw in weeks:
        for tp in sorted(tw.by_id.values(), key=lambda t: (t.position, t.id)):
            if tp.slug not in order:
                order.append(tp.slug)
    return order


def _usual_timezone(teams: list[Team]) -> str:
    """The timezone most teams keep (their organisation's, most likely), else UTC."""
    counted = Counter(t.timezone for t in teams)
    return counted.most_common(1)[0][0] if counted else "UTC"


