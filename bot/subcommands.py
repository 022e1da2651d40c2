"""`/moments <sub> ...`: each subcommand parses its words, calls one service and renders."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot import parsing, welcome
from bot import text as render
from bot import words as say
from bot.chat import ChatContext, team_of
from bot.domain import MomentKind
from bot.errors import UserError
from bot.journeys import template_names
from bot.markup import bold, code, mention
from bot.redact import EXAMPLE_PATTERN
from bot.services import Services
from bot.services.base import NoTeam
from bot.services.journey import check_settings
from bot.services.onboarding import SetUp
from bot.views import FORGET_ME, Action, Choice, Reply
from bot.weeks import parse_week

Handler = Callable[[Services, ChatContext, str], Reply]


SMALL_NUMBER = re.compile(r"^[0-9]{1,9}$")  # ASCII digits only, and within a database integer


def parse_id(raw: str, what: str, example: str) -> int:
    raw = raw.strip().lstrip("#[").rstrip("]")
    if not SMALL_NUMBER.match(raw):
        raise UserError(say.WHICH_NUMBER.format(what=what, example=code(example)))
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
            raise UserError(say.SETUP_NOT_KEY_VALUE.format(word=word))
        options[key.lower().replace("_", "-")] = value
    known = {"name", "template", "tz", "timezone", "basic-after", "focus", "prompt", "close",
             "digest", "quiet"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise UserError(say.UNKNOWN_SETUP_OPTION.format(option=unknown[0]))
    tz = options.get("tz") or options.get("timezone")
    settings: dict[str, Any] = {
        "timezone": tz, "basic_after_weeks": _int(options.get("basic-after"), "basic-after"),
        "focus_count": _int(options.get("focus"), "focus"), "prompt_at": options.get("prompt"),
        "votes_close_at": options.get("close"), "digest_at": options.get("digest"),
        "quiet_days": tuple(options["quiet"].replace(",", " ").split()) if "quiet" in options else None,
    }
    check_settings(**settings)  # a bad option refuses before a new team is made
    journey = s.journey
    existing = journey.team_for_channel(workspace_id=ctx.workspace_id, channel=ctx.channel)
    made: SetUp | None = None
    if existing is None:
        if ctx.private:
            raise UserError(say.FIRST_SETUP_IN_CHANNEL.format(setup=code("/moments setup")))
        template = options.get("template", "")
        if template and template not in template_names():
            raise UserError(say.NO_SUCH_JOURNEY.format(template=template,
                                                   templates=', '.join(template_names())))
        made = s.onboarding.set_up(workspace_id=ctx.workspace_id, actor=ctx.actor,
                                   channel=ctx.channel, name=options.get("name", ""),
                                   template=template, timezone=tz or "",
                                   channel_name=ctx.channel_name, timezone_hint=ctx.timezone)
        team = made.team
        created = True
    else:
        if "template" in options and options["template"] != existing.template:
            raise UserError(say.TEAM_KEEPS_JOURNEY.format(template=existing.template))
        created = False
    team = journey.configure(
        workspace_id=ctx.workspace_id,
        team_id=existing.id if existing else team.id,
        actor=ctx.actor,
        name=options.get("name"),
        **settings,
    )
    if made is not None:  # said in the channel: the team exists, and what was waiting is in it
        return welcome.set_up(replace(made, team=team), ctx.actor.user_id)
    return Reply(render.setup_saved(team, created))


def _int(raw: str | None, name: str) -> int | None:
    if raw is None:
        return None
    if not SMALL_NUMBER.match(raw):
        raise UserError(say.NOT_A_WHOLE_NUMBER.format(name=name))
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
    raise UserError(say.USAGE_TOUCHPOINTS)


def leads(s: Services, ctx: ChatContext, rest: str) -> Reply:
    team = team_of(s, ctx)
    words = _words(rest)
    if not words:
        names = ", ".join(mention(u) for u in team.leads) or say.NO_LEADS_YET
        return Reply(say.LEADS_OF.format(team=bold(team.name), names=names))
    verb, people = words[0].lower(), tuple(w.lstrip("@") for w in words[1:] if w.strip("@"))
    if verb not in ("add", "remove") or not people:
        raise UserError(say.USAGE_LEADS)
    team = s.journey.set_leads(
        workspace_id=ctx.workspace_id, team_id=team.id, actor=ctx.actor,
        add=people if verb == "add" else (), remove=people if verb == "remove" else (),
    )
    return Reply(say.LEADS_OF.format(team=bold(team.name),
                                      names=', '.join(mention(u) for u in team.leads) or say.NO_LEADS))


def mine(s: Services, ctx: ChatContext, rest: str) -> Reply:
    team = team_of(s, ctx)
    return render.mine(s.moments.recent(workspace_id=ctx.workspace_id, team_id=team.id,
                                                 actor=ctx.actor))


def edit(s: Services, ctx: ChatContext, rest: str) -> Reply:
    raw, _, new_text = rest.partition(" ")
    moment_id = parse_id(raw, say.MOMENT, say.EXAMPLE_EDIT_ID)
    result = s.moments.edit(workspace_id=ctx.workspace_id, moment_id=moment_id,
                                     actor=ctx.actor, text=new_text)
    return render.filed(result)


def file(s: Services, ctx: ChatContext, rest: str) -> Reply:
    words = rest.split()
    if len(words) != 2:
        raise UserError(say.USAGE_FILE)
    moment_id = parse_id(words[0], say.MOMENT, say.EXAMPLE_FILE_ID)
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
        return Reply(say.TYPE_YOUR_IDEA)
    team = team_of(s, ctx)
    ws = ctx.workspace_id
    current = s.weekly.current_prompt(workspace_id=ws, team_id=team.id)
    if current is None or current.is_closed:
        raise UserError(say.NO_OPEN_PROMPT)
    words = rest.split(" ")
    anonymous = bool(words) and words[0].lower() in ("anon", "anonymous")
    body = " ".join(words[1:]) if anonymous else rest
    parsed = parsing.parse(body)
    proposal = s.weekly.propose(workspace_id=ws, prompt_id=current.id, actor=ctx.actor,
                                text=parsed.text, touchpoint=parsed.tags[0] if parsed.tags else None,
                                anonymous=anonymous)
    who = say.ANONYMOUSLY if anonymous else say.BY_PERSON.format(name=ctx.actor.name)
    return Reply(say.PROPOSAL_ADDED.format(proposal_id=proposal.id, who=who,
                                           vote=code(f'/moments vote {proposal.id}')))


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
        raise UserError(say.FIRST_TEAM_UNKNOWN.format(name=wanted, command=code("/moments team")))
    return welcome.chosen(o.choose_team(workspace_id=ws, actor=ctx.actor, team_id=found.id))


def retract(s: Services, ctx: ChatContext, rest: str) -> Reply:
    moment_id = parse_id(rest, say.MOMENT, say.EXAMPLE_RETRACT_ID) if rest else None
    m = s.moments.retract(workspace_id=ctx.workspace_id, moment_id=moment_id, actor=ctx.actor)
    return Reply(say.MOMENT_RETRACTED.format(moment_id=m.id))


def vote(s: Services, ctx: ChatContext, rest: str) -> Reply:
    proposal_id = parse_id(rest, say.PROPOSAL, say.EXAMPLE_VOTE_ID)
    counted, total = s.weekly.vote(workspace_id=ctx.workspace_id, proposal_id=proposal_id,
                                   actor=ctx.actor)
    votes = (say.VOTES_NOW if total == 1 else say.VOTES_NOW_PLURAL).format(count=total)
    if not counted:
        return Reply(say.ALREADY_VOTED.format(proposal_id=proposal_id, votes=votes))
    return Reply(say.VOTE_COUNTS.format(proposal_id=proposal_id, votes=votes))


def adopt(s: Services, ctx: ChatContext, rest: str) -> Reply:
    raw, _, wording = rest.partition(" ")
    proposal_id = parse_id(raw, say.PROPOSAL, say.EXAMPLE_ADOPT_ID)
    standard = s.weekly.adopt(workspace_id=ctx.workspace_id, proposal_id=proposal_id,
                              actor=ctx.actor, text=wording.strip() or None)
    views = s.reports.standards(workspace_id=ctx.workspace_id, team_id=standard.team_id)
    return render.adopted(next(v for v in views if v.id == standard.id))


def results(s: Services, ctx: ChatContext, rest: str) -> Reply:
    team = team_of(s, ctx)
    ws = ctx.workspace_id
    current = s.weekly.current_prompt(workspace_id=ws, team_id=team.id)
    if current is None:
        raise UserError(say.NO_PROMPT_YET)
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
        raise UserError(say.NO_OPEN_VOTE)
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
        return Reply(say.NOTHING_TO_POST)
    text = "\n\n".join(p.reply.text for p in posts)
    choices = tuple(c for p in posts for c in p.reply.choices)
    return Reply(text, choices, view=tuple(posts), public=True)


def export(s: Services, ctx: ChatContext, rest: str) -> Reply:
    team = team_of(s, ctx)
    return render.exported_moments(s.reports.export_moments(
        workspace_id=ctx.workspace_id, team_id=team.id, actor=ctx.actor))


def forgotten(counts: dict[str, int], head: str) -> Reply:
    parts = [say.ERASED_COUNT.format(count=n, kind=say.ERASED_KINDS.get(kind, kind))
             for kind, n in counts.items() if n]
    detail = ", ".join(parts) if parts else say.NOTHING_STORED
    return Reply(say.ERASED.format(head=head, detail=detail))


def forget_me(s: Services, ctx: ChatContext, rest: str) -> Reply:
    if rest.strip().lower() in ("confirm", "yes"):
        counts = s.privacy.forget_me(workspace_id=ctx.workspace_id, actor=ctx.actor)
        return forgotten(counts, say.FORGOTTEN)
    return Reply(
        say.FORGET_ME_WARNING,
        (Choice(say.FORGET_ME_BUTTON, Action.of(FORGET_ME)),),
    )


def exported(data: dict[str, Any]) -> Reply:
    return Reply(say.STORED_ABOUT.format(user_id=data["user_id"])
                 + json.dumps(data, indent=2, ensure_ascii=False))


def privacy(s: Services, ctx: ChatContext, rest: str) -> Reply:
    words = rest.split()
    if len(words) != 2 or words[0].lower() not in ("export", "delete"):
        raise UserError(say.USAGE_PRIVACY)
    p, ws = s.privacy, ctx.workspace_id
    person = ctx.person(words[1])
    if words[0].lower() == "export":
        return exported(p.export_person(workspace_id=ws, actor=ctx.actor, person=person))
    counts = p.delete_person(workspace_id=ws, actor=ctx.actor, person=person)
    return forgotten(counts, say.PERSON_ERASED.format(person=words[1].lstrip('@')))


def redaction(s: Services, ctx: ChatContext, rest: str) -> Reply:
    """`redact add PATTERN` · `redact list` · `redact remove PATTERN-or-NUMBER`."""
    # Not shlex: a pattern's backslashes and quotes are meant literally.
    verb, _, arg = rest.strip().partition(" ")
    verb, arg = verb.lower() or "list", arg.strip()
    p, ws = s.privacy, ctx.workspace_id
    if verb == "list" and not arg:
        patterns = p.redaction_patterns(workspace_id=ws)
        if not patterns:
            return Reply(say.NO_PATTERNS.format(example=code('/moments redact add ' + EXAMPLE_PATTERN)))
        lines = "\n".join(say.PATTERN_LINE.format(number=n, pattern=code(pattern.pattern))
                          for n, pattern in enumerate(patterns, 1))
        return Reply(say.PATTERNS.format(lines=lines))
    if verb == "add" and arg:
        result = p.add_redaction_pattern(workspace_id=ws, actor=ctx.actor, pattern=arg)
        if not result.added:
            return Reply(say.PATTERN_KNOWN.format(pattern=code(result.pattern.pattern)))
        return Reply(say.PATTERN_ADDED.format(pattern=code(result.pattern.pattern)))
    if verb == "remove" and arg:
        removed = p.remove_redaction_pattern(workspace_id=ws, actor=ctx.actor, which=arg)
        return Reply(say.PATTERN_REMOVED.format(pattern=code(removed.pattern)))
    raise UserError(say.USAGE_REDACT)
