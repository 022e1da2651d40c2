"""`/moments <sub> ...`: each subcommand parses its words, calls one service and renders."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot import parsing, welcome, words
from bot import text as render
from bot.chat import ChatContext, team_of
from bot.domain import MomentKind
from bot.errors import UserError
from bot.journeys import template_names
from bot.markup import bold, code, mention
from bot.redact import EXAMPLE_PATTERN
from bot.services import Services
from bot.services.base import NoTeam
from bot.services.onboarding import SetUp
from bot.views import FORGET_ME, Action, Choice, Reply
from bot.weeks import parse_week

Handler = Callable[[Services, ChatContext, str], Reply]


SMALL_NUMBER = re.compile(r"^[0-9]{1,9}$")  # ASCII digits only, and within a database integer


def parse_id(raw: str, what: str, example: str) -> int:
    raw = raw.strip().lstrip("#[").rstrip("]")
    if not SMALL_NUMBER.match(raw):
        raise UserError(f"Which {what}? Give its number, e.g. {code(example)}.")
    return int(raw)


def _words(rest: str) -> list[str]:
    try:
        return shlex.split(rest)
    except ValueError:
        return rest.split()


def setup(s: Services, ctx: ChatContext, rest: str) -> Reply:
    options: dict[str, str] = {}
    for word in _words(rest):
        key, sep, value = word.partition("=")
        if not sep or not value:
            raise UserError(f"I read setup options as key=value; “{word}” isn't one. "
                            "Example: " + code('/moments setup name="Gate crew" template=airline') + ".")
        options[key.lower().replace("_", "-")] = value
    known = {"name", "template", "tz", "timezone", "basic-after", "focus", "prompt", "close",
             "digest", "quiet"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise UserError(f"Unknown setup option {unknown[0]}. Options: name, template, tz, "
                        "basic-after, focus, prompt, close, digest, quiet.")
    tz = options.get("tz") or options.get("timezone")
    journey = s.journey
    existing = journey.team_for_channel(workspace_id=ctx.workspace_id, channel=ctx.channel)
    made: SetUp | None = None
    if existing is None:
        if ctx.private:
            raise UserError(words.FIRST_SETUP_IN_CHANNEL.format(setup=code("/moments setup")))
        template = options.get("template", "")
        if template and template not in template_names():
            raise UserError(f"There is no “{template}” journey. Templates: "
                            f"{', '.join(template_names())}.")
        made = s.onboarding.set_up(workspace_id=ctx.workspace_id, actor=ctx.actor,
                                   channel=ctx.channel, name=options.get("name", ""),
                                   template=template, timezone=tz or "",
                                   channel_name=ctx.channel_name, timezone_hint=ctx.timezone)
        team = made.team
        created = True
    else:
        if "template" in options and options["template"] != existing.template:
            raise UserError(f"This channel's team already follows the {existing.template} journey, "
                            f"and a team keeps its journey: edit it with {code('/moments touchpoints')}, or "
                            "set up a new team in another channel.")
        created = False
    team = journey.configure(
        workspace_id=ctx.workspace_id,
        team_id=existing.id if existing else team.id,
        actor=ctx.actor,
        name=options.get("name"),
        timezone=tz,
        basic_after_weeks=_int(options.get("basic-after"), "basic-after"),
        focus_count=_int(options.get("focus"), "focus"),
        prompt_at=options.get("prompt"),
        votes_close_at=options.get("close"),
        digest_at=options.get("digest"),
        quiet_days=tuple(d for d in options["quiet"].replace(",", " ").split()) if "quiet" in options
        else None,
    )
    if made is not None:  # said in the channel: the team exists, and what was waiting is in it
        return welcome.set_up(replace(made, team=team), ctx.actor.user_id)
    return Reply(render.setup_saved(team, created))


def _int(raw: str | None, name: str) -> int | None:
    if raw is None:
        return None
    if not SMALL_NUMBER.match(raw):
        raise UserError(f"{name} must be a whole number.")
    return int(raw)


def touchpoints(s: Services, ctx: ChatContext, rest: str) -> Reply:
    team = team_of(s, ctx)
    j, ws = s.journey, ctx.workspace_id
    words = _words(rest)
    verb = words[0].lower() if words else "list"
    args = words[1:]
    if verb == "list":
        return render.touchpoints(j.touchpoints(workspace_id=ws, team_id=team.id,
                                                include_retired=True), team)
    if verb == "add" and args:
        name = " ".join(args[1:]) or args[0].replace("-", " ").title()
        tp = j.add_touchpoint(workspace_id=ws, team_id=team.id, actor=ctx.actor,
                              slug=args[0], name=name)
        return Reply(render.touchpoint_added(tp))
    if verb == "rename" and len(args) >= 2:
        tp = j.rename_touchpoint(workspace_id=ws, team_id=team.id, actor=ctx.actor,
                                 slug=args[0], name=" ".join(args[1:]))
        return Reply(render.touchpoint_renamed(tp))
    if verb == "retire" and len(args) == 1:
        tp = j.retire_touchpoint(workspace_id=ws, team_id=team.id, actor=ctx.actor, slug=args[0])
        return Reply(render.touchpoint_retired(tp))
    if verb == "move" and len(args) == 2 and SMALL_NUMBER.match(args[1]):
        j.move_touchpoint(workspace_id=ws, team_id=team.id, actor=ctx.actor, slug=args[0],
                          position=int(args[1]))
        return render.touchpoints(j.touchpoints(workspace_id=ws, team_id=team.id), team)
    raise UserError("Usage: " + code("/moments touchpoints [add SLUG Name | rename SLUG New name | "
                                     "retire SLUG | move SLUG PLACE]") + ".")


def leads(s: Services, ctx: ChatContext, rest: str) -> Reply:
    team = team_of(s, ctx)
    words = _words(rest)
    if not words:
        names = ", ".join(mention(u) for u in team.leads) or "nobody yet (admins can act)"
        return Reply(f"Leads of {bold(team.name)}: {names}.")
    verb, people = words[0].lower(), tuple(w.lstrip("@") for w in words[1:] if w.strip("@"))
    if verb not in ("add", "remove") or not people:
        raise UserError(f"Usage: {code('/moments leads add @name')} or "
                        f"{code('/moments leads remove @name')}.")
    team = s.journey.set_leads(
        workspace_id=ctx.workspace_id, team_id=team.id, actor=ctx.actor,
        add=people if verb == "add" else (), remove=people if verb == "remove" else (),
    )
    return Reply(f"Leads of {bold(team.name)}: {', '.join(mention(u) for u in team.leads) or 'none'}.")


def mine(s: Services, ctx: ChatContext, rest: str) -> Reply:
    team = team_of(s, ctx)
    return render.mine(s.moments.recent(workspace_id=ctx.workspace_id, team_id=team.id,
                                                 actor=ctx.actor))


def edit(s: Services, ctx: ChatContext, rest: str) -> Reply:
    raw, _, new_text = rest.partition(" ")
    moment_id = parse_id(raw, "moment", "/moments edit 12 the new text")
    result = s.moments.edit(workspace_id=ctx.workspace_id, moment_id=moment_id,
                                     actor=ctx.actor, text=new_text)
    return render.filed(result)


def file(s: Services, ctx: ChatContext, rest: str) -> Reply:
    words = rest.split()
    if len(words) != 2:
        raise UserError(f"Usage: {code('/moments file ID touchpoint')} (or {code('none')}).")
    moment_id = parse_id(words[0], "moment", "/moments file 12 check-in")
    target = "" if words[1].lower() in ("none", "-") else words[1]
    result = s.moments.refile(workspace_id=ctx.workspace_id, moment_id=moment_id,
                                       actor=ctx.actor, touchpoint=target)
    return render.refiled(result)


def priorities(s: Services, ctx: ChatContext, rest: str) -> Reply:
    team = team_of(s, ctx)
    items = s.weekly.prioritise(workspace_id=ctx.workspace_id, team_id=team.id)
    return render.priorities(items, team.name)


def prompt(s: Services, ctx: ChatContext, rest: str) -> Reply:
    team = team_of(s, ctx)
    current, lead = s.weekly.this_weeks_prompt(workspace_id=ctx.workspace_id, team_id=team.id,
                                               actor=ctx.actor)
    return render.prompt(s.reports.prompt(workspace_id=ctx.workspace_id, prompt_id=current.id),
                         lead=lead)


def propose(s: Services, ctx: ChatContext, rest: str) -> Reply:
    if not rest.strip():  # the card's "Propose a response" button, or the bare command
        return Reply(f"Type your idea: {code('/moments propose [#touchpoint] [anon] what we could do')}.")
    team = team_of(s, ctx)
    ws = ctx.workspace_id
    current = s.weekly.current_prompt(workspace_id=ws, team_id=team.id)
    if current is None or current.is_closed:
        raise UserError(f"There is no open prompt to answer. {code('/moments prompt')} shows this week's.")
    words = rest.split(" ")
    anonymous = bool(words) and words[0].lower() in ("anon", "anonymous")
    body = " ".join(words[1:]) if anonymous else rest
    parsed = parsing.parse(body)
    proposal = s.weekly.propose(workspace_id=ws, prompt_id=current.id, actor=ctx.actor,
                                text=parsed.text, touchpoint=parsed.tags[0] if parsed.tags else None,
                                anonymous=anonymous)
    who = "anonymously" if anonymous else f"by {ctx.actor.name}"
    return Reply(f"💡 Proposal {proposal.id} added {who}. Colleagues can vote with "
                 f"{code(f'/moments vote {proposal.id}')}.")


def report(kind: MomentKind) -> Handler:
    def run(s: Services, ctx: ChatContext, rest: str) -> Reply:
        # the team is found by its channel inside the report's own transaction: one round of
        # reads for the commonest request instead of two
        try:
            result = s.moments.report(
                workspace_id=ctx.workspace_id, channel=ctx.channel, actor=ctx.actor, kind=kind,
                text=rest, source=ctx.source, message_ref=ctx.message_ref,
                request_key=ctx.request_key,
            )
        except NoTeam:  # no team here yet: the moment is kept for the team to come
            if not parsing.tidy(rest):
                raise  # nothing to keep: that there is no team is the news
            return keep(s, ctx, kind, rest)
        return render.filed(result)
    return run


def keep(s: Services, ctx: ChatContext, kind: MomentKind, text: str | None, *,
         author_id: str = "") -> Reply:
    """A moment reported where there is no team: kept waiting, and the way to a team offered."""
    return welcome.kept(s.onboarding.keep(
        workspace_id=ctx.workspace_id, channel=ctx.channel, actor=ctx.actor, kind=kind, text=text,
        source=ctx.source, private=ctx.private, message_ref=ctx.message_ref,
        request_key=ctx.request_key, author_id=author_id, channel_name=ctx.channel_name,
        timezone=ctx.timezone))


def team(s: Services, ctx: ChatContext, rest: str) -> Reply:
    """`/moments team [NAME or ID]`: the team what the person reports in private goes to."""
    o, ws = s.onboarding, ctx.workspace_id
    offered, mine, current = o.teams_for(workspace_id=ws, user_id=ctx.actor.user_id)
    wanted = rest.strip()
    if not wanted:
        return welcome.teams(offered, mine, current)
    every = s.journey.teams(workspace_id=ws)
    found = next((t for t in every if (SMALL_NUMBER.match(wanted) and t.id == int(wanted))
                  or t.name.lower() == wanted.lower()), None)
    if found is None:
        raise UserError(words.FIRST_TEAM_UNKNOWN.format(name=wanted, command=code("/moments team")))
    return welcome.chosen(o.choose_team(workspace_id=ws, actor=ctx.actor, team_id=found.id))


def retract(s: Services, ctx: ChatContext, rest: str) -> Reply:
    moment_id = parse_id(rest, "moment", "/moments retract 12") if rest else None
    m = s.moments.retract(workspace_id=ctx.workspace_id, moment_id=moment_id, actor=ctx.actor)
    return Reply(f"Moment #{m.id} retracted. It no longer counts anywhere.")


def vote(s: Services, ctx: ChatContext, rest: str) -> Reply:
    proposal_id = parse_id(rest, "proposal", "/moments vote 3")
    counted, total = s.weekly.vote(workspace_id=ctx.workspace_id, proposal_id=proposal_id,
                                   actor=ctx.actor)
    votes = f"{total} vote{'' if total == 1 else 's'} now"
    if not counted:
        return Reply(f"You already voted for proposal {proposal_id} ({votes}). One vote each.")
    return Reply(f"👍 Your “would delight” vote for proposal {proposal_id} counts ({votes}).")


def adopt(s: Services, ctx: ChatContext, rest: str) -> Reply:
    raw, _, wording = rest.partition(" ")
    proposal_id = parse_id(raw, "proposal", "/moments adopt 3")
    standard = s.weekly.adopt(workspace_id=ctx.workspace_id, proposal_id=proposal_id,
                              actor=ctx.actor, text=wording.strip() or None)
    views = s.reports.standards(workspace_id=ctx.workspace_id, team_id=standard.team_id)
    return render.adopted(next(v for v in views if v.id == standard.id))


def results(s: Services, ctx: ChatContext, rest: str) -> Reply:
    team = team_of(s, ctx)
    ws = ctx.workspace_id
    current = s.weekly.current_prompt(workspace_id=ws, team_id=team.id)
    if current is None:
        raise UserError(f"There hasn't been a prompt yet. {code('/moments prompt')} opens one.")
    result = s.weekly.results(workspace_id=ws, prompt_id=current.id)
    view = s.reports.prompt(workspace_id=ws, prompt_id=current.id)
    lead = s.weekly.is_lead(workspace_id=ws, team_id=team.id, actor=ctx.actor)
    if not current.is_closed:
        return render.prompt(view, lead=lead)
    return render.results(view, result, lead=lead)


def close(s: Services, ctx: ChatContext, rest: str) -> Reply:
    team = team_of(s, ctx)
    ws = ctx.workspace_id
    current = s.weekly.current_prompt(workspace_id=ws, team_id=team.id)
    if current is None or current.is_closed:
        raise UserError("There is no open vote to close.")
    result = s.weekly.close_votes(workspace_id=ws, prompt_id=current.id, actor=ctx.actor)
    view = s.reports.prompt(workspace_id=ws, prompt_id=current.id)
    return render.results(view, result, lead=True)


def standards(s: Services, ctx: ChatContext, rest: str) -> Reply:
    team = team_of(s, ctx)
    return render.standards(s.reports.standards(workspace_id=ctx.workspace_id,
                                                         team_id=team.id), team.name)


def digest(s: Services, ctx: ChatContext, rest: str) -> Reply:
    team = team_of(s, ctx)
    week = rest.strip().upper() or None
    if week:
        parse_week(week)
    view = s.reports.digest(workspace_id=ctx.workspace_id, team_id=team.id, week=week)
    return render.digest(view)


def stats(s: Services, ctx: ChatContext, rest: str) -> Reply:
    reply = digest(s, ctx, rest)
    return Reply(reply.text, view=reply.view)  # only for the asker


def week(s: Services, ctx: ChatContext, rest: str) -> Reply:
    team = team_of(s, ctx)
    posts = s.cycle.run_week(workspace_id=ctx.workspace_id, team_id=team.id, actor=ctx.actor)
    if not posts:
        return Reply("Nothing to post this week.")
    text = "\n\n".join(p.reply.text for p in posts)
    choices = tuple(c for p in posts for c in p.reply.choices)
    return Reply(text, choices, view=tuple(posts), public=True)


def export(s: Services, ctx: ChatContext, rest: str) -> Reply:
    team = team_of(s, ctx)
    return render.exported_moments(s.reports.export_moments(
        workspace_id=ctx.workspace_id, team_id=team.id, actor=ctx.actor))


def forgotten(counts: dict[str, int], head: str) -> Reply:
    parts = [f"{n} {kind}" for kind, n in counts.items() if n]
    detail = ", ".join(parts) if parts else "nothing was stored about you"
    return Reply(f"{head} Removed or anonymised: {detail}. Standards your team adopted stay, "
                 "without your name.")


def forget_me(s: Services, ctx: ChatContext, rest: str) -> Reply:
    if rest.strip().lower() in ("confirm", "yes"):
        counts = s.privacy.forget_me(workspace_id=ctx.workspace_id, actor=ctx.actor)
        return forgotten(counts, "Done: I have forgotten you.")
    return Reply(
        "This deletes every moment you reported and your votes, and takes your name off credits, "
        "proposals and standards in this workspace. It cannot be undone. "
        f"Confirm with {code('/moments forget-me confirm')} or the button.",
        (Choice("Yes, forget me", Action.of(FORGET_ME)),),
    )


def exported(data: dict[str, Any]) -> Reply:
    return Reply("Everything Moments stores about " + data["user_id"] + ":\n"
                 + json.dumps(data, indent=2, ensure_ascii=False))


def privacy(s: Services, ctx: ChatContext, rest: str) -> Reply:
    words = rest.split()
    if len(words) != 2 or words[0].lower() not in ("export", "delete"):
        raise UserError(f"Usage: {code('/moments privacy export @name')} or "
                        f"{code('/moments privacy delete @name')}.")
    p, ws = s.privacy, ctx.workspace_id
    person = ctx.person(words[1])
    if words[0].lower() == "export":
        return exported(p.export_person(workspace_id=ws, actor=ctx.actor, person=person))
    counts = p.delete_person(workspace_id=ws, actor=ctx.actor, person=person)
    return forgotten(counts, f"Done: {words[1].lstrip('@')}'s data is erased.")


def redaction(s: Services, ctx: ChatContext, rest: str) -> Reply:
    """`redact add PATTERN` · `redact list` · `redact remove PATTERN-or-NUMBER`."""
    # Not shlex: a pattern's backslashes and quotes are meant literally.
    verb, _, arg = rest.strip().partition(" ")
    verb, arg = verb.lower() or "list", arg.strip()
    p, ws = s.privacy, ctx.workspace_id
    if verb == "list" and not arg:
        patterns = p.redaction_patterns(workspace_id=ws)
        if not patterns:
            return Reply("This workspace has no redaction patterns of its own yet; emails, phone "
                         "numbers, card numbers and booking references are always redacted. "
                         f"Admins add one with {code('/moments redact add ' + EXAMPLE_PATTERN)}.")
        lines = "\n".join(f"{n}. {code(pattern.pattern)}" for n, pattern in enumerate(patterns, 1))
        return Reply("Redacted from new moments and proposals as well as emails, phones, cards "
                     f"and booking references:\n{lines}\nAdmins: {code('/moments redact remove NUMBER')}.")
    if verb == "add" and arg:
        result = p.add_redaction_pattern(workspace_id=ws, actor=ctx.actor, pattern=arg)
        if not result.added:
            return Reply(f"{code(result.pattern.pattern)} is already one of this workspace's "
                         "patterns; nothing changed.")
        return Reply(f"🔒 Added {code(result.pattern.pattern)}: from now on it is replaced with "
                     "[redacted] in new and edited moments and proposals. Moments already "
                     "stored stay as they are.")
    if verb == "remove" and arg:
        removed = p.remove_redaction_pattern(workspace_id=ws, actor=ctx.actor, which=arg)
        return Reply(f"Removed {code(removed.pattern)}; new moments are no longer redacted with it.")
    raise UserError(f"Usage: {code('/moments redact list')}, "
                    f"admins: {code('/moments redact add PATTERN')} or "
                    f"{code('/moments redact remove PATTERN-or-NUMBER')}.")
