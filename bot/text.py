"""Plain-text renderings of the neutral views, with numbered choices.

The console shows these as they are; Slack and Teams use them as notification fallback text and
render the ``view`` richly. Formatting is the core's own markup (``bot/markup.py``): ``bold``,
``italic``, ``code`` (command hints), ``mention``, ``link`` and ``item`` (list lines); each door
renders it, so the words here hold no platform syntax.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot import words
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

EXPORT_WRITTEN = "Written to "
EXPORT_DOWNLOAD = "Download the CSV"
EXPORT_NO_LINK = ("I can't offer the file here: this server has no public address for downloads "
                  "(MOMENTS_PUBLIC_URL). Ask whoever runs Moments to set it.")


def export_expires(minutes: int) -> str:
    return f"The link works for {minutes} minutes and is yours: don't pass it on."


EXPORT_PERSONAL_ONLY = ("The export is yours alone, so I send it in our personal chat only: "
                        f"ask me there with {code('/moments export')}.")


KIND_LABEL = {MomentKind.WOW: "🌟 WOW", MomentKind.OW: "🩹 OW"}


def proposal_received(proposal: Proposal) -> Reply:
    """The answer to a proposal sent from the weekly prompt's form."""
    how = " anonymously" if proposal.anonymous else ""
    return Reply(f"✍️ Thanks! Your proposal [{proposal.id}] is in{how}; the team can vote on it "
                 "until the vote closes.")


def me_too(moment: Moment) -> Reply:
    """The answer to a "me too" (a reaction) that counted."""
    return Reply(f"➕ Your “me too” is on moment #{moment.id}.")


def local(at: datetime, timezone: str) -> str:
    return at.astimezone(zone(timezone)).strftime("%a %d %b %H:%M")


def filed(result: Filed) -> Reply:
    m = result.moment
    if result.already:  # sent twice (a retry, a double click, a replay): still one moment
        lines = [f"{KIND_LABEL[m.kind]} #{m.id} is already logged: “{_short(m.text)}”"]
    else:
        lines = [f"{KIND_LABEL[m.kind]} #{m.id} logged: “{_short(m.text)}”"]
    if m.credited:
        lines.append("Credited: " + ", ".join(mention(c) for c in m.credited) + " — thank you!")
    lines += list(result.notes)
    choices: tuple[Choice, ...] = ()
    if result.touchpoint is not None:
        how = {"explicit": "you named it", "auto": f"{m.confidence:.0%} sure"}.get(
            m.filing.value, "as you chose"
        )
        lines.append(f"Filed under {_tp(result.touchpoint)} ({how}).")
        lines.append(f"Wrong place? {code(f'/moments file {m.id} <touchpoint>')} moves it.")
    elif result.choices:
        lines.append("Which touchpoint was it? Pick one:")
        choices = tuple(
            Choice(_tp(t), Action.of(FILE_MOMENT, moment=m.id, touchpoint=t.slug))
            for t in result.choices
        ) + (Choice("None of these", Action.of(FILE_MOMENT, moment=m.id, touchpoint="")),)
    else:
        lines.append(f"Left unfiled. {code('/moments file ID <touchpoint>')} files it later.")
    return Reply("\n".join(lines), choices, view=m, journey=result.journey)


def refiled(result: Filed) -> Reply:
    m = result.moment
    if result.touchpoint is None:
        return Reply(f"Moment #{m.id} stays unfiled. Thanks for saying so.")
    return Reply(f"Moment #{m.id} filed under {_tp(result.touchpoint)}. Thanks, I'll learn from it.")


def priorities(items: Sequence[Priority], team: str) -> Reply:
    hurting = [p for p in items if p.score > 0]
    if not hurting:
        return Reply(f"{bold(team)}: no OWs in the last four weeks. Keep the WOWs coming!")
    lines = [bold(f"{team}: where it hurts most now")]
    for n, p in enumerate(hurting[:8], start=1):
        lines.append(f"{n}. {p.touchpoint.emoji} {p.reason}")
    return Reply("\n".join(lines), view=tuple(items))


def prompt(view: PromptView, *, lead: bool) -> Reply:
    lines = [bold(f"{view.team}, week {view.week}: how could we turn these OWs into WOWs?")]
    for f in view.focus:
        lines.append(f"{f.touchpoint.label} — {f.reason}")
        lines += ["    " + italic(f"“{_short(e, 160)}”") for e in f.examples]
    state = "closed" if view.closed else f"closes {local(view.closes_at, view.timezone)}"
    lines.append(f"Propose a response with {code('/moments propose [#touchpoint] [anon] text')}. "
                 f"Voting {state}.")
    choices: list[Choice] = []
    if view.proposals:
        lines.append(f"{bold('Proposals')} (vote for each one that would delight a customer):")
    for p in view.proposals:
        by = p.author or "anonymous"
        adopted = " ✅ adopted" if p.adopted else ""
        lines.append(item(f"[{p.id}] {p.touchpoint.label}: {p.text} — {by}, "
                     f"{p.votes} vote{'' if p.votes == 1 else 's'}{adopted}"))
        if not view.closed:
            choices.append(Choice(f"Vote: {_short(p.text, 60)}", Action.of(VOTE, proposal=p.id)))
        if lead and not p.adopted:
            choices.append(Choice(f"Adopt: {_short(p.text, 60)}", Action.of(ADOPT, proposal=p.id)))
    if not view.closed:
        choices.append(Choice("💡 Propose a response", Action.of(PROPOSE, prompt=view.id)))
    return Reply("\n".join(lines), tuple(choices), view=view, public=True)


def results(view: PromptView, result: Result, *, lead: bool) -> Reply:
    lines = [bold(f"Voting closed for {view.week}.")]
    if not result.ranked:
        lines.append("No proposals this time. The same touchpoints stay in focus.")
    by_id = {p.id: p for p in view.proposals}
    choices = []
    for n, (proposal, votes) in enumerate(result.ranked, start=1):
        pv = by_id[proposal.id]
        lines.append(f"{n}. {pv.touchpoint.label}: {pv.text} — {votes} vote{'' if votes == 1 else 's'}")
        if lead and not pv.adopted:
            choices.append(Choice(f"Adopt: {_short(pv.text, 60)}",
                                  Action.of(ADOPT, proposal=proposal.id)))
    if choices:
        lines.append("A lead can adopt the winner as a service standard.")
    return Reply("\n".join(lines), tuple(choices), view=view, public=True)


def adopted(standard: StandardView) -> Reply:
    return Reply(
        f"📏 New service standard at {standard.touchpoint.label}: {bold(standard.text)} "
        f"(adopted by {standard.adopted_by}). Everyone follows it from today."
        + (words.FIRST_ADOPTED.format(team=standard.origin) if standard.origin else ""),
        view=standard,
        public=True,
    )


def standards(items: Sequence[StandardView], team: str) -> Reply:
    if not items:
        return Reply(f"{bold(team)} has no service standards yet. They come from the weekly vote.")
    lines = [bold(f"{team}: service standards")]
    for s in items:
        level = "delight" if s.level is StandardLevel.DELIGHT else "basic (customers expect it)"
        lines.append(item(f"{s.touchpoint.label}: {s.text} — {level}, since {s.adopted_at:%d %b %Y}"))
    return Reply("\n".join(lines), view=tuple(items))


def digest(view: DigestView) -> Reply:
    lines = [bold(f"{view.team}: weekly digest, {view.week}") + f"  🌟 {view.wows} WOW · 🩹 {view.ows} OW"]
    if view.new_standards:
        lines.append(bold("New service standards"))
        lines += [item(f"{s.touchpoint.label}: {s.text} (adopted by {s.adopted_by})")
                  for s in view.new_standards]
    active = [t for t in view.touchpoints if t.wows or t.ows or t.wows_last_week or t.ows_last_week]
    lines.append(f"{bold('WOW / OW by touchpoint')} (change from last week)")
    if not active:
        lines.append("No moments this week or last.")
    lines += [_row(t) for t in active]
    if view.unfiled:
        lines.append(f"❔ {view.unfiled} moment(s) not filed yet.")
    if view.shoutouts:
        lines.append(bold("Shout-outs"))
        for m in view.shoutouts:
            who = ", ".join(m.credited)
            extra = f" (+{m.me_too} me too)" if m.me_too else ""
            lines.append(item(f"{who}: “{_short(m.text, 200)}” — reported by {m.reporter}{extra}"))
    if view.impact:
        lines.append(f"{bold('Did our standards help?')} (share of OWs at the touchpoint, before → since)")
        for i in view.impact:
            lines.append(item(f"{i.standard.touchpoint.label}: {i.standard.text} — "
                         f"{_share(i.ow_share_before, i.moments_before)} → "
                         f"{_share(i.ow_share_since, i.moments_since)}"))
    if view.turned_basic:
        lines.append(bold("Now basic: customers expect these; fresh ideas wanted"))
        lines += [item(f"{s.touchpoint.label}: {s.text}") for s in view.turned_basic]
    return Reply("\n".join(lines), view=view, public=True)


def touchpoints(items: Sequence[Touchpoint], team: Team) -> Reply:
    lines = [bold(f"{team.name}: customer journey ({team.template})")]
    for n, t in enumerate([t for t in items if t.active], start=1):
        fresh = " — fresh ideas wanted" if t.fresh_ideas_since else ""
        lines.append(f"{n}. {t.emoji} {bold(t.name)} #{t.slug} — {t.description}{fresh}")
    retired = [t for t in items if not t.active]
    if retired:
        lines.append("Retired: " + ", ".join(f"{t.name} #{t.slug}" for t in retired))
    return Reply("\n".join(lines), view=tuple(items))


def mine(items: Sequence[tuple[Moment, Touchpoint | None]]) -> Reply:
    if not items:
        return Reply(f"You haven't logged any moments here yet. Try {code('/wow')} or {code('/ow')}.")
    lines = [bold("Your recent moments")]
    for m, tp in items:
        where = _tp(tp) if tp else "not filed"
        lines.append(item(f"#{m.id} {KIND_LABEL[m.kind]} {where}: {_short(m.text, 100)}"))
    lines.append(" · ".join(code(c) for c in ("/moments edit ID text", "/moments retract ID",
                                               "/moments file ID touchpoint")))
    return Reply("\n".join(lines))


def _row(t: TouchpointWeek) -> str:
    return item(f"{t.touchpoint.label}: {t.wows} WOW ({_delta(t.wows - t.wows_last_week)}), "
            f"{t.ows} OW ({_delta(t.ows - t.ows_last_week)})")


def _share(value: float | None, n: int) -> str:
    return "no moments" if value is None else f"{value:.0%} of {n}"


def _delta(n: int) -> str:
    return f"+{n}" if n > 0 else ("±0" if n == 0 else str(n))


def _tp(t: Touchpoint) -> str:
    return f"{t.emoji} {t.name}".strip()


def _short(text: str, limit: int = 120) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def touchpoint_added(tp: Touchpoint) -> str:
    return f"Added touchpoint {bold(tp.name)} #{tp.slug} at the end of the journey."


def touchpoint_renamed(tp: Touchpoint) -> str:
    return f"#{tp.slug} is now called {bold(tp.name)}. Its history stays."


def touchpoint_retired(tp: Touchpoint) -> str:
    return f"Retired {bold(tp.name)}. New moments won't be filed there; its history stays."


def setup_saved(team: Team, created: bool) -> str:
    """What `/moments setup` (the command or the Slack form) answers with."""
    head = "Team set up" if created else "Settings saved"
    return (
        f"{head}: {bold(team.name)} — {team.template} journey, timezone {team.timezone}, "
        f"standards turn basic after {team.basic_after_weeks} weeks, "
        f"{team.focus_count} focus touchpoint(s) a week; prompt {team.prompt_at}, votes close "
        f"{team.votes_close_at}, digest {team.digest_at}"
        f"{', quiet on ' + ' '.join(team.quiet_days) if team.quiet_days else ''}. "
        f"{code('/moments touchpoints')} shows the journey."
    )


def exported_moments(export: MomentsExport) -> Reply:
    """`/moments export`: the door sends the file; these words go with it."""
    count = len(export.rows)
    return Reply(f"📄 {bold(export.team)}: {count} moment{'' if count == 1 else 's'} as a CSV file "
                 f"({export.filename}). The text is as stored, already redacted; only WOWs name "
                 "the colleagues they credit.", view=export)
