"""The organisation's replies in the core's markup: the organisation digest and its channel.
(Words in ``bot/words.py``, under "Organisation".)"""

from __future__ import annotations

from bot import words
from bot.markup import bold, code, item
from bot.org_views import Adoption, JourneyGroup, OrgChannelView, OrgDigestView
from bot.views import Reply
from bot.weeks import zone

SIDE_BY_SIDE_TEAMS = 8  # teams named in a line of the text; the chart and cards show as many


def channel_set(view: OrgChannelView) -> Reply:
    text = words.ORG_SET.format(channel=view.label, slot=view.digest_at,
                                timezone=view.timezone)
    return Reply(f"{text} {words.ORG_INVITE}", view=view)


def channel_shown(view: OrgChannelView | None) -> Reply:
    if view is None:
        return Reply(words.ORG_NONE.format(command=code("/moments org setup #channel")))
    if view.next_at is None:
        upcoming = words.ORG_PAUSED_NOTE
    else:
        upcoming = view.next_at.astimezone(zone(view.timezone)).strftime("%a %d %b %H:%M")
    return Reply(words.ORG_SHOWN.format(channel=view.label, slot=view.digest_at,
                                        timezone=view.timezone, teams=view.teams, next=upcoming),
                 view=view)


def usage() -> str:
    return words.ORG_USAGE.format(setup=code("/moments org setup #channel"),
                                  status=code("/moments org"), digest=code("/moments org digest"),
                                  off=code("/moments org off"))


def digest(view: OrgDigestView) -> Reply:
    lines = [bold(words.ORG_DIGEST_TITLE.format(organisation=view.organisation, week=view.week))]
    if not view.groups:
        lines.append(words.ORG_NO_TEAMS)
    for group in view.groups:
        lines += _group(group)
    return Reply("\n".join(lines), view=view, public=True)


def _group(group: JourneyGroup) -> list[str]:
    lines = [bold(words.ORG_JOURNEY_TITLE.format(title=group.template.title(),
                                                 teams=len(group.teams), wows=group.wows,
                                                 ows=group.ows))]
    lines.append(bold(words.ORG_HURTS_TITLE))
    if not group.hotspots:
        lines.append(words.ORG_HURTS_NONE)
    for n, h in enumerate(group.hotspots, start=1):
        lines.append(f"{n}. " + words.ORG_HURTS_LINE.format(
            touchpoint=h.touchpoint.label, ows=h.ows, delta=_delta(h.ows - h.ows_last_week),
            hurting=h.teams_hurting, teams=h.teams))
    lines.append(bold(words.ORG_SIDE_TITLE))
    if not group.rows:
        lines.append(words.ORG_SIDE_NONE)
    for row in group.rows:
        cells = " · ".join(words.ORG_SIDE_CELL.format(team=c.team, wows=c.wows, ows=c.ows)
                           for c in row.teams[:SIDE_BY_SIDE_TEAMS])
        lines.append(item(f"{row.touchpoint.label}: {cells}"))
    if group.rows and len(group.teams) > SIDE_BY_SIDE_TEAMS:
        lines.append(words.ORG_MORE_TEAMS.format(count=len(group.teams) - SIDE_BY_SIDE_TEAMS))
    lines.append(bold(words.ORG_SPREAD_TITLE))
    if not group.spread:
        lines.append(words.ORG_SPREAD_NONE)
    for s in group.spread:
        new = words.ORG_SPREAD_NEW.format(teams=", ".join(s.new_this_week)) if s.new_this_week else ""
        lines.append(item(words.ORG_SPREAD_LINE.format(
            touchpoint=s.touchpoint.label, text=s.text, origin=s.origin_team,
            count=len(s.adoptions), siblings=s.siblings, new=new)))
        lines += ["    " + _adoption(a) for a in s.adoptions]
    return lines


def _adoption(a: Adoption) -> str:
    return words.ORG_SPREAD_TEAM.format(team=a.team, first=words.ORG_SPREAD_FIRST if a.first else "",
                                        before=_share(a.share_before, a.moments_before),
                                        since=_share(a.share_since, a.moments_since))


def _share(value: float | None, n: int) -> str:
    return words.ORG_NO_MOMENTS if value is None else words.ORG_SHARE.format(share=value, n=n)


def _delta(n: int) -> str:
    return f"+{n}" if n > 0 else ("±0" if n == 0 else str(n))
