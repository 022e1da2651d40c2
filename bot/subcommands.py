"""`/moments <sub> ...`: each subcommand parses its words, calls one service and renders."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot import text as render
from bot.errors import UserError
from bot.journeys import template_names
from bot.views import FORGET_ME, Action, Choice, Reply
from bot.weeks import parse_week

if TYPE_CHECKING:
    from bot.commands import ChatContext, CommandRouter

Handler = Callable[["CommandRouter", "ChatContext", str], Reply]


SMALL_NUMBER = re.compile(r"^[0-9]{1,9}$")  # ASCII digits only, and within a database integer


def parse_id(raw: str, what: str, example: str) -> int:
    raw = raw.strip().lstrip("#[").rstrip("]")
    if not SMALL_NUMBER.match(raw):
        raise UserError(f"Which {what}? Give its number, e.g. `{example}`.")
    return int(raw)


def _words(rest: str) -> list[str]:
    try:
        return shlex.split(rest)
    except ValueError:
        return rest.split()


def setup(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    options: dict[str, str] = {}
    for word in _words(rest):
        key, sep, value = word.partition("=")
        if not sep or not value:
            raise UserError(f"I read setup options as key=value; “{word}” isn't one. "
                            "Example: `/moments setup name=\"Gate crew\" template=airline`.")
        options[key.lower().replace("_", "-")] = value
    known = {"name", "template", "tz", "timezone", "basic-after", "focus", "prompt", "close",
             "digest", "quiet"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise UserError(f"Unknown setup option {unknown[0]}. Options: name, template, tz, "
                        "basic-after, focus, prompt, close, digest, quiet.")
    tz = options.get("tz") or options.get("timezone")
    journey = r.services.journey
    existing = journey.team_for_channel(workspace_id=ctx.workspace_id, channel=ctx.channel)
    if existing is None:
        template = options.get("template", "airline")
        if template not in template_names():
            raise UserError(f"There is no “{template}” journey. Templates: "
                            f"{', '.join(template_names())}.")
        team = journey.setup_team(workspace_id=ctx.workspace_id, actor=ctx.actor,
                                  channel=ctx.channel, name=options.get("name", ctx.channel),
                                  template=template, timezone=tz or "UTC")
        created = True
    else:
        if "template" in options and options["template"] != existing.template:
            raise UserError(f"This channel's team already follows the {existing.template} journey, "
                            "and a team keeps its journey: edit it with `/moments touchpoints`, or "
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
    return Reply(render.setup_saved(team, created))


def _int(raw: str | None, name: str) -> int | None:
    if raw is None:
        return None
    if not SMALL_NUMBER.match(raw):
        raise UserError(f"{name} must be a whole number.")
    return int(raw)


def touchpoints(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    team = r.team(ctx)
    j, ws = r.services.journey, ctx.workspace_id
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
        return Reply(f"Added touchpoint *{tp.name}* #{tp.slug} at the end of the journey.")
    if verb == "rename" and len(args) >= 2:
        tp = j.rename_touchpoint(workspace_id=ws, team_id=team.id, actor=ctx.actor,
                                 slug=args[0], name=" ".join(args[1:]))
        return Reply(f"#{tp.slug} is now called *{tp.name}*. Its history stays.")
    if verb == "retire" and len(args) == 1:
        tp = j.retire_touchpoint(workspace_id=ws, team_id=team.id, actor=ctx.actor, slug=args[0])
        return Reply(f"Retired *{tp.name}*. New moments won't be filed there; its history stays.")
    if verb == "move" and len(args) == 2 and SMALL_NUMBER.match(args[1]):
        j.move_touchpoint(workspace_id=ws, team_id=team.id, actor=ctx.actor, slug=args[0],
                          position=int(args[1]))
        return render.touchpoints(j.touchpoints(workspace_id=ws, team_id=team.id), team)
    raise UserError("Usage: `/moments touchpoints [add SLUG Name | rename SLUG New name | "
                    "retire SLUG | move SLUG PLACE]`.")


def leads(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    team = r.team(ctx)
    words = _words(rest)
    if not words:
        names = ", ".join(f"@{u}" for u in team.leads) or "nobody yet (admins can act)"
        return Reply(f"Leads of *{team.name}*: {names}.")
    verb, people = words[0].lower(), tuple(w.lstrip("@") for w in words[1:] if w.strip("@"))
    if verb not in ("add", "remove") or not people:
        raise UserError("Usage: `/moments leads add @name` or `/moments leads remove @name`.")
    team = r.services.journey.set_leads(
        workspace_id=ctx.workspace_id, team_id=team.id, actor=ctx.actor,
        add=people if verb == "add" else (), remove=people if verb == "remove" else (),
    )
    return Reply(f"Leads of *{team.name}*: {', '.join('@' + u for u in team.leads) or 'none'}.")


def mine(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    team = r.team(ctx)
    return render.mine(r.services.moments.recent(workspace_id=ctx.workspace_id, team_id=team.id,
                                                 actor=ctx.actor))


def edit(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    raw, _, new_text = rest.partition(" ")
    moment_id = parse_id(raw, "moment", "/moments edit 12 the new text")
    result = r.services.moments.edit(workspace_id=ctx.workspace_id, moment_id=moment_id,
                                     actor=ctx.actor, text=new_text)
    return render.filed(result)


def file(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    words = rest.split()
    if len(words) != 2:
        raise UserError("Usage: `/moments file ID touchpoint` (or `none`).")
    moment_id = parse_id(words[0], "moment", "/moments file 12 check-in")
    target = "" if words[1].lower() in ("none", "-") else words[1]
    result = r.services.moments.refile(workspace_id=ctx.workspace_id, moment_id=moment_id,
                                       actor=ctx.actor, touchpoint=target)
    return render.refiled(result)


def priorities(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    team = r.team(ctx)
    items = r.services.weekly.prioritise(workspace_id=ctx.workspace_id, team_id=team.id)
    return render.priorities(items, team.name)


def prompt(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    from bot.services.base import is_lead_of

    team = r.team(ctx)
    s, ws = r.services, ctx.workspace_id
    lead = is_lead_of(s.deps, ws, team, ctx.actor)
    week = s.reports.week_of(workspace_id=ws, team_id=team.id)
    current = s.weekly.current_prompt(workspace_id=ws, team_id=team.id)
    if current is None or current.week != week:
        if not lead:
            raise UserError("There is no prompt open this week yet; it opens on schedule. "
                            "A lead can open it now with `/moments prompt`.")
        current, _ = s.weekly.open_prompt(workspace_id=ws, team_id=team.id)
    return render.prompt(s.reports.prompt(workspace_id=ws, prompt_id=current.id), lead=lead)


def propose(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    from bot import parsing

    team = r.team(ctx)
    s, ws = r.services, ctx.workspace_id
    current = s.weekly.current_prompt(workspace_id=ws, team_id=team.id)
    if current is None or current.is_closed:
        raise UserError("There is no open prompt to answer. `/moments prompt` shows this week's.")
    words = rest.split(" ")
    anonymous = bool(words) and words[0].lower() in ("anon", "anonymous")
    body = " ".join(words[1:]) if anonymous else rest
    parsed = parsing.parse(body)
    proposal = s.weekly.propose(workspace_id=ws, prompt_id=current.id, actor=ctx.actor,
                                text=parsed.text, touchpoint=parsed.tags[0] if parsed.tags else None,
                                anonymous=anonymous)
    who = "anonymously" if anonymous else f"by {ctx.actor.name}"
    return Reply(f"💡 Proposal {proposal.id} added {who}. Colleagues can vote with "
                 f"`/moments vote {proposal.id}`.")


def vote(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    return r.vote(ctx, rest)


def adopt(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    return r.adopt(ctx, rest)


def retract(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    return r.retract(ctx, rest)


def results(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    from bot.services.base import is_lead_of

    team = r.team(ctx)
    s, ws = r.services, ctx.workspace_id
    current = s.weekly.current_prompt(workspace_id=ws, team_id=team.id)
    if current is None:
        raise UserError("There hasn't been a prompt yet. `/moments prompt` opens one.")
    result = s.weekly.results(workspace_id=ws, prompt_id=current.id)
    view = s.reports.prompt(workspace_id=ws, prompt_id=current.id)
    lead = is_lead_of(s.deps, ws, team, ctx.actor)
    if not current.is_closed:
        return render.prompt(view, lead=lead)
    return render.results(view, result, lead=lead)


def close(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    team = r.team(ctx)
    s, ws = r.services, ctx.workspace_id
    current = s.weekly.current_prompt(workspace_id=ws, team_id=team.id)
    if current is None or current.is_closed:
        raise UserError("There is no open vote to close.")
    result = s.weekly.close_votes(workspace_id=ws, prompt_id=current.id, actor=ctx.actor)
    view = s.reports.prompt(workspace_id=ws, prompt_id=current.id)
    return render.results(view, result, lead=True)


def standards(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    team = r.team(ctx)
    return render.standards(r.services.reports.standards(workspace_id=ctx.workspace_id,
                                                         team_id=team.id), team.name)


def digest(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    team = r.team(ctx)
    week = rest.strip().upper() or None
    if week:
        parse_week(week)
    view = r.services.reports.digest(workspace_id=ctx.workspace_id, team_id=team.id, week=week)
    return render.digest(view)


def stats(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    reply = digest(r, ctx, rest)
    return Reply(reply.text, view=reply.view)  # only for the asker


def week(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    from bot.services.base import is_lead_of

    team = r.team(ctx)
    s, ws = r.services, ctx.workspace_id
    if not is_lead_of(s.deps, ws, team, ctx.actor):
        raise UserError("Only leads and admins can run the weekly cycle by hand.")
    posts = s.cycle.run_week(workspace_id=ws, team_id=team.id)
    if not posts:
        return Reply("Nothing to post this week.")
    text = "\n\n".join(p.reply.text for p in posts)
    choices = tuple(c for p in posts for c in p.reply.choices)
    return Reply(text, choices, view=posts, public=True)


def forgotten(counts: dict[str, int], head: str) -> Reply:
    parts = [f"{n} {kind}" for kind, n in counts.items() if n]
    detail = ", ".join(parts) if parts else "nothing was stored about you"
    return Reply(f"{head} Removed or anonymised: {detail}. Standards your team adopted stay, "
                 "without your name.")


def forget_me(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    if rest.strip().lower() in ("confirm", "yes"):
        counts = r.services.privacy.forget_me(workspace_id=ctx.workspace_id, actor=ctx.actor)
        return forgotten(counts, "Done: I have forgotten you.")
    return Reply(
        "This deletes every moment you reported and your votes, and takes your name off credits, "
        "proposals and standards in this workspace. It cannot be undone. "
        "Confirm with `/moments forget-me confirm` or the button.",
        (Choice("Yes, forget me", Action.of(FORGET_ME)),),
    )


def exported(data: dict[str, Any]) -> Reply:
    return Reply("Everything Moments stores about " + data["user_id"] + ":\n"
                 + json.dumps(data, indent=2, ensure_ascii=False))


def privacy(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    words = rest.split()
    if len(words) != 2 or words[0].lower() not in ("export", "delete"):
        raise UserError("Usage: `/moments privacy export @name` or `/moments privacy delete @name`.")
    p, ws = r.services.privacy, ctx.workspace_id
    person = ctx.person(words[1])
    if words[0].lower() == "export":
        return exported(p.export_person(workspace_id=ws, actor=ctx.actor, person=person))
    counts = p.delete_person(workspace_id=ws, actor=ctx.actor, person=person)
    return forgotten(counts, f"Done: {words[1].lstrip('@')}'s data is erased.")


def redaction(r: CommandRouter, ctx: ChatContext, rest: str) -> Reply:
    """`redact add PATTERN` · `redact list` · `redact remove PATTERN-or-NUMBER`."""
    # Not shlex: a pattern's backslashes and quotes are meant literally.
    verb, _, arg = rest.strip().partition(" ")
    verb, arg = verb.lower() or "list", arg.strip()
    p, ws = r.services.privacy, ctx.workspace_id
    if verb == "list" and not arg:
        patterns = p.redaction_patterns(workspace_id=ws)
        if not patterns:
            return Reply("This workspace has no redaction patterns of its own yet; emails, phone "
                         "numbers, card numbers and booking references are always redacted. "
                         "Admins add one with `/moments redact add EMP-\\d{5}`.")
        lines = "\n".join(f"{n}. `{pattern.pattern}`" for n, pattern in enumerate(patterns, 1))
        return Reply("Redacted from new moments and proposals as well as emails, phones, cards "
                     f"and booking references:\n{lines}\nAdmins: `/moments redact remove NUMBER`.")
    if verb == "add" and arg:
        result = p.add_redaction_pattern(workspace_id=ws, actor=ctx.actor, pattern=arg)
        if not result.added:
            return Reply(f"`{result.pattern.pattern}` is already one of this workspace's "
                         "patterns; nothing changed.")
        return Reply(f"🔒 Added `{result.pattern.pattern}`: from now on it is replaced with "
                     "[redacted] in new and edited moments and proposals. Moments already "
                     "stored stay as they are.")
    if verb == "remove" and arg:
        removed = p.remove_redaction_pattern(workspace_id=ws, actor=ctx.actor, which=arg)
        return Reply(f"Removed `{removed.pattern}`; new moments are no longer redacted with it.")
    raise UserError("Usage: `/moments redact list`, admins: `/moments redact add PATTERN` or "
                    "`/moments redact remove PATTERN-or-NUMBER`.")


SUBCOMMANDS: dict[str, Handler] = {
    "setup": setup,
    "touchpoints": touchpoints,
    "leads": leads,
    "mine": mine,
    "edit": edit,
    "file": file,
    "retract": retract,
    "undo": retract,
    "priorities": priorities,
    "prompt": prompt,
    "propose": propose,
    "vote": vote,
    "results": results,
    "close": close,
    "adopt": adopt,
    "standards": standards,
    "digest": digest,
    "stats": stats,
    "week": week,
    "forget-me": forget_me,
    "privacy": privacy,
    "redact": redaction,
}
