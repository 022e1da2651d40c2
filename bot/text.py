"""Plain-text renderings of the neutral views, with numbered choices.

The console shows these as they are; Slack and Teams use them as notification fallback text and
render the ``view`` richly. Formatting is the core's own markup (``bot/markup.py``): ``bold``,
``italic``, ``code`` (command hints), ``mention``, ``link`` and ``item`` (list lines); each door
renders it, so the words here hold no platform syntax.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot import words as say
from bot.domain import Moment, MomentKind, Proposal, StandardLevel, Team, Touchpoint
from bot.markup import bold, code, italic, item, mention
from bot.services.moments import Filed
from bot.services.weekly import Result
from bot.views import (
    ADOPT,
    FILE_MOMENT,
    PROPOSE,
    VOTE,
    Action,
    Choice,
    DigestView,
    MomentsExport,
    Priority,
    PromptView,
    Reply,
    StandardView,
    TouchpointWeek,
)
from bot.weeks import zone

EXPORT_WRITTEN = say.EXPORT_WRITTEN
EXPORT_DOWNLOAD = say.EXPORT_DOWNLOAD
EXPORT_NO_LINK = say.EXPORT_NO_LINK


def export_expires(minutes: int) -> str:
    return say.EXPORT_EXPIRES.format(minutes=minutes)


EXPORT_PERSONAL_ONLY = say.EXPORT_PERSONAL_ONLY


KIND_LABEL = {MomentKind.WOW: say.WOW_LABEL, MomentKind.OW: say.OW_LABEL}


def proposal_received(proposal: Proposal) -> Reply:
    """The answer to a proposal sent from the weekly prompt's form."""
    how = say.PROPOSAL_RECEIVED_ANONYMOUSLY if proposal.anonymous else ""
    return Reply(say.PROPOSAL_RECEIVED.format(proposal_id=proposal.id, how=how))


def me_too(moment: Moment) -> Reply:
    """The answer to a "me too" (a reaction) that counted."""
    return Reply(say.ME_TOO_COUNTED.format(moment_id=moment.id))


def local(at: datetime, timezone: str) -> str:
    return at.astimezone(zone(timezone)).strftime("%a %d %b %H:%M")


def filed(result: Filed) -> Reply:
    m = result.moment
    if result.already:  # sent twice (a retry, a double click, a replay): still one moment
        lines = [say.ALREADY_LOGGED.format(kind=KIND_LABEL[m.kind], moment_id=m.id, text=_short(m.text))]
    else:
        lines = [say.LOGGED.format(kind=KIND_LABEL[m.kind], moment_id=m.id, text=_short(m.text))]
    if m.credited:
        lines.append(say.CREDITED.format(names=", ".join(mention(c) for c in m.credited)))
    lines += list(result.notes)
    choices: tuple[Choice, ...] = ()
    if result.touchpoint is not None:
        how = {"explicit": say.FILED_HOW_NAMED,
               "auto": say.FILED_HOW_SURE.format(confidence=m.confidence)}.get(
            m.filing.value, say.FILED_HOW_CHOSEN
        )
        lines.append(say.FILED_UNDER.format(touchpoint=_tp(result.touchpoint), how=how))
        lines.append(say.WRONG_PLACE.format(command=code(f'/moments file {m.id} <touchpoint>')))
    elif result.choices:
        lines.append(say.WHICH_TOUCHPOINT)
        choices = tuple(
            Choice(_tp(t), Action.of(FILE_MOMENT, moment=m.id, touchpoint=t.slug))
            for t in result.choices
        ) + (Choice(say.NONE_OF_THESE, Action.of(FILE_MOMENT, moment=m.id, touchpoint="")),)
    else:
        lines.append(say.LEFT_UNFILED)
    return Reply("\n".join(lines), choices, view=m, journey=result.journey)


def refiled(result: Filed) -> Reply:
    m = result.moment
    if result.touchpoint is None:
        return Reply(say.STAYS_UNFILED.format(moment_id=m.id))
    return Reply(say.REFILED.format(moment_id=m.id, touchpoint=_tp(result.touchpoint)))


def priorities(items: Sequence[Priority], team: str) -> Reply:
    hurting = [p for p in items if p.score > 0]
    if not hurting:
        return Reply(say.NO_OWS_KEEP_GOING.format(team=bold(team)))
    lines = [bold(say.WHERE_IT_HURTS.format(team=team))]
    for n, p in enumerate(hurting[:8], start=1):
        lines.append(f"{n}. {p.touchpoint.emoji} {p.reason}")
    return Reply("\n".join(lines), view=tuple(items))


def prompt(view: PromptView, *, lead: bool) -> Reply:
    lines = [bold(say.PROMPT_TITLE.format(team=view.team, week=view.week))]
    for f in view.focus:
        lines.append(f"{f.touchpoint.label} — {f.reason}")
        lines += ["    " + italic(f"“{_short(e, 160)}”") for e in f.examples]
    state = (say.VOTING_STATE_CLOSED if view.closed
             else say.VOTING_STATE_CLOSES.format(when=local(view.closes_at, view.timezone)))
    lines.append(say.PROPOSE_HINT.format(state=state))
    choices: list[Choice] = []
    if view.proposals:
        lines.append(say.PROPOSALS_HINT.format(proposals=bold(say.PROPOSALS)))
    for p in view.proposals:
        by = p.author or say.ANONYMOUS
        adopted = say.ADOPTED_MARK if p.adopted else ""
        lines.append(item(f"[{p.id}] {p.touchpoint.label}: {p.text} — {by}, "
                     f"{_votes(p.votes)}{adopted}"))
        if not view.closed:
            choices.append(Choice(say.VOTE_BUTTON.format(text=_short(p.text, 60)),
                                  Action.of(VOTE, proposal=p.id)))
        if lead and not p.adopted:
            choices.append(Choice(say.ADOPT_BUTTON.format(text=_short(p.text, 60)),
                                  Action.of(ADOPT, proposal=p.id)))
    if not view.closed:
        choices.append(Choice(say.PROPOSE_BUTTON, Action.of(PROPOSE, prompt=view.id)))
    return Reply("\n".join(lines), tuple(choices), view=view, public=True)


def results(view: PromptView, result: Result, *, lead: bool) -> Reply:
    lines = [bold(say.VOTING_CLOSED_FOR.format(week=view.week))]
    if not result.ranked:
        lines.append(say.NO_PROPOSALS)
    by_id = {p.id: p for p in view.proposals}
    choices = []
    for n, (proposal, votes) in enumerate(result.ranked, start=1):
        pv = by_id[proposal.id]
        lines.append(f"{n}. {pv.touchpoint.label}: {pv.text} — {_votes(votes)}")
        if lead and not pv.adopted:
            choices.append(Choice(say.ADOPT_BUTTON.format(text=_short(pv.text, 60)),
                                  Action.of(ADOPT, proposal=proposal.id)))
    if choices:
        lines.append(say.LEAD_CAN_ADOPT)
    return Reply("\n".join(lines), tuple(choices), view=view, public=True)


def adopted(standard: StandardView) -> Reply:
    return Reply(
        say.NEW_STANDARD.format(touchpoint=standard.touchpoint.label, text=bold(standard.text),
                                adopted_by=standard.adopted_by)
        + (say.FIRST_ADOPTED.format(team=standard.origin) if standard.origin else ""),
        view=standard,
        public=True,
    )


def standards(items: Sequence[StandardView], team: str) -> Reply:
    if not items:
        return Reply(say.NO_STANDARDS.format(team=bold(team)))
    lines = [bold(say.STANDARDS_TITLE.format(team=team))]
    for s in items:
        level = say.LEVEL_DELIGHT if s.level is StandardLevel.DELIGHT else say.LEVEL_BASIC
        lines.append(item(say.STANDARD_LINE.format(touchpoint=s.touchpoint.label, text=s.text,
                                                   level=level, since=s.adopted_at)))
    return Reply("\n".join(lines), view=tuple(items))


def digest(view: DigestView) -> Reply:
    lines = [bold(say.DIGEST_TITLE.format(team=view.team, week=view.week))
             + "  " + say.DIGEST_COUNTS.format(wows=view.wows, ows=view.ows)]
    if view.new_standards:
        lines.append(bold(say.NEW_STANDARDS))
        lines += [item(say.NEW_STANDARD_LINE.format(touchpoint=s.touchpoint.label, text=s.text,
                                                    adopted_by=s.adopted_by))
                  for s in view.new_standards]
    active = [t for t in view.touchpoints if t.wows or t.ows or t.wows_last_week or t.ows_last_week]
    lines.append(say.BY_TOUCHPOINT_HINT.format(title=bold(say.BY_TOUCHPOINT)))
    if not active:
        lines.append(say.NO_MOMENTS_TWO_WEEKS)
    lines += [_row(t) for t in active]
    if view.unfiled:
        lines.append(say.NOT_FILED_YET.format(count=view.unfiled))
    if view.shoutouts:
        lines.append(bold(say.SHOUT_OUTS))
        for m in view.shoutouts:
            who = ", ".join(m.credited)
            extra = say.ME_TOO_EXTRA.format(count=m.me_too) if m.me_too else ""
            lines.append(item(say.SHOUT_OUT_LINE.format(who=who, text=_short(m.text, 200),
                                                        reporter=m.reporter, extra=extra)))
    if view.impact:
        lines.append(say.STANDARDS_HELPED_HINT.format(title=bold(say.STANDARDS_HELPED)))
        for i in view.impact:
            lines.append(item(f"{i.standard.touchpoint.label}: {i.standard.text} — "
                         f"{_share(i.ow_share_before, i.moments_before)} → "
                         f"{_share(i.ow_share_since, i.moments_since)}"))
    if view.turned_basic:
        lines.append(bold(say.NOW_BASIC))
        lines += [item(f"{s.touchpoint.label}: {s.text}") for s in view.turned_basic]
    return Reply("\n".join(lines), view=view, public=True)


def touchpoints(items: Sequence[Touchpoint], team: Team) -> Reply:
    lines = [bold(say.JOURNEY_TITLE.format(team=team.name, template=team.template))]
    for n, t in enumerate([t for t in items if t.active], start=1):
        fresh = say.FRESH_IDEAS_WANTED if t.fresh_ideas_since else ""
        lines.append(f"{n}. {t.emoji} {bold(t.name)} #{t.slug} — {t.description}{fresh}")
    retired = [t for t in items if not t.active]
    if retired:
        lines.append(say.RETIRED_LIST.format(touchpoints=", ".join(f"{t.name} #{t.slug}" for t in retired)))
    return Reply("\n".join(lines), view=tuple(items))


def mine(items: Sequence[tuple[Moment, Touchpoint | None]]) -> Reply:
    if not items:
        return Reply(say.NO_MOMENTS_YET)
    lines = [bold(say.YOUR_RECENT_MOMENTS)]
    for m, tp in items:
        where = _tp(tp) if tp else say.NOT_FILED
        lines.append(item(say.MINE_LINE.format(moment_id=m.id, kind=KIND_LABEL[m.kind], where=where,
                                               text=_short(m.text, 100))))
    lines.append(" · ".join(code(c) for c in ("/moments edit ID text", "/moments retract ID",
                                               "/moments file ID touchpoint")))
    return Reply("\n".join(lines))


def _row(t: TouchpointWeek) -> str:
    return item(say.TOUCHPOINT_WEEK.format(touchpoint=t.touchpoint.label, wows=t.wows,
                                           wows_change=_delta(t.wows - t.wows_last_week), ows=t.ows,
                                           ows_change=_delta(t.ows - t.ows_last_week)))


def _share(value: float | None, n: int) -> str:
    return say.NO_MOMENTS if value is None else say.SHARE_OF.format(share=value, count=n)


def _votes(n: int) -> str:
    return (say.VOTES if n == 1 else say.VOTES_PLURAL).format(count=n)


def _delta(n: int) -> str:
    return f"+{n}" if n > 0 else ("±0" if n == 0 else str(n))


def _tp(t: Touchpoint) -> str:
    return f"{t.emoji} {t.name}".strip()


def _short(text: str, limit: int = 120) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def touchpoint_added(tp: Touchpoint) -> str:
    return say.TOUCHPOINT_ADDED.format(name=bold(tp.name), slug=tp.slug)


def touchpoint_renamed(tp: Touchpoint) -> str:
    return say.TOUCHPOINT_RENAMED.format(slug=tp.slug, name=bold(tp.name))


def touchpoint_retired(tp: Touchpoint) -> str:
    return say.TOUCHPOINT_RETIRED.format(name=bold(tp.name))


def setup_saved(team: Team, created: bool) -> str:
    """What `/moments setup` (the command or the Slack form) answers with."""
    head = say.TEAM_SET_UP if created else say.SETTINGS_SAVED
    return say.SETTINGS.format(
        head=head, team=bold(team.name), template=team.template, timezone=team.timezone,
        basic_after=team.basic_after_weeks, focus=team.focus_count, prompt_at=team.prompt_at,
        votes_close_at=team.votes_close_at, digest_at=team.digest_at,
        quiet=say.QUIET_ON.format(days=' '.join(team.quiet_days)) if team.quiet_days else '',
    )


def exported_moments(export: MomentsExport) -> Reply:
    """`/moments export`: the door sends the file; these words go with it."""
    count = len(export.rows)
    return Reply((say.EXPORTED if count == 1 else say.EXPORTED_PLURAL).format(
        team=bold(export.team), count=count, filename=export.filename), view=export)
