"""Block Kit for the core's neutral replies, built with slack_sdk.models (which checks Slack's
limits when a block is serialised) and laid out to stay within them: 50 blocks a message, 100 a
modal or the home tab, 3000 characters a section, 75 a button; long lists are cut with a pointer
to the command that shows the rest. Every user-written text goes through ``markup.mrkdwn``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    ImageBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from bot import text as render
from bot import words as say
from bot.domain import Moment, Touchpoint
from bot.views import ADOPT, FILE_MOMENT, VOTE, Action, Choice, DigestView, PromptView, ProposalView, Reply
from handlers.slack import ids
from handlers.slack.markup import clip, from_core, mrkdwn, one_line

MAX_MESSAGE_BLOCKS = 50
MAX_SURFACE_BLOCKS = 100  # a modal or the home tab
MAX_SECTION = 3000
MAX_BUTTON = 75
MAX_OPTION = 75
MAX_OPTIONS = 100
MAX_ACTIONS = 25
MAX_HEADER = 150


# ids on buttons and options: a core Action, plus the prompt a vote belongs to (for live counts)


def encode(action: Action, **extra: object) -> str:
    data: dict[str, Any] = {"n": action.name, "a": dict(action.args)}
    data.update({k: str(v) for k, v in extra.items()})
    return json.dumps(data, separators=(",", ":"))


def decode(value: str) -> tuple[Action, dict[str, str]]:
    data = json.loads(value)
    action = Action(str(data.pop("n")), tuple((str(k), str(v)) for k, v in dict(data.pop("a")).items()))
    return action, {str(k): str(v) for k, v in data.items()}


# small builders


def chunks(text: str, size: int = MAX_SECTION) -> list[str]:
    """Split at line breaks where possible so no section passes Slack's limit."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        if len(line) > size:
            line = clip(line, size)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > size:
            out.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        out.append(current)
    return out


def sections(text: str) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=part)) for part in chunks(text)]


def grouped(text: str) -> list[Block]:
    """Neutral text whose headings are *bold* lines: one run of sections per heading, dividers
    between, so a long digest breaks where a reader expects it to."""
    groups: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.startswith("*") and groups[-1]:
            groups.append([])
        groups[-1].append(line)
    out: list[Block] = []
    for group in groups:
        if out:
            out.append(DividerBlock())
        out += sections("\n".join(group))
    return out


def note(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text, MAX_SECTION))])


def button(label: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(text=PlainTextObject(text=clip(label, MAX_BUTTON) or "…", emoji=True),
                         action_id=action_id, value=value, style=style)


def actions(elements: Sequence[Any]) -> list[Block]:
    """Buttons in rows of at most 25 (an actions block's limit)."""
    return [ActionsBlock(elements=list(elements[i: i + MAX_ACTIONS]))
            for i in range(0, len(elements), MAX_ACTIONS)]


def act_buttons(choices: Iterable[Choice], start: int = 0, **extra: object) -> list[ButtonElement]:
    return [button(c.label, f"{ids.ACT_PREFIX}{start + n}", encode(c.action, **extra))
            for n, c in enumerate(choices)]


def fit(blocks: list[Block], limit: int, more: str) -> list[dict[str, Any]]:
    """At most ``limit`` blocks: when cut, the last says where the rest is. Serialising runs
    slack_sdk's validators (section text, button text, option counts)."""
    if len(blocks) > limit:
        hidden = len(blocks) - (limit - 1)
        blocks = blocks[: limit - 1] + [note(say.MORE_NOT_SHOWN.format(count=hidden, more=more))]
    return [b.to_dict() for b in blocks]


def chart_image(alt_text: str, title: str, *, file_id: str | None = None,
                url: str | None = None) -> dict[str, Any]:
    """An image block showing a chart: a file the bot uploaded (``file_id``; unshared is enough:
    the poster has access, and posting it shows it to the channel), or one Slack downloads from
    ``url`` (ours, ``handlers/slack/chart_links.py``: nothing in it to escape). Slack takes png,
    jpg, jpeg and gif."""
    image = {"image_url": url} if url is not None else {"slack_file": {"id": file_id}}
    return ImageBlock(**image, alt_text=clip(alt_text, 2000) or "chart",
                      title=PlainTextObject(text=clip(title, 2000) or "chart")).to_dict()


def fallback_text(reply: Reply) -> str:
    """Notification text (and what screen readers get): the first line, escaped."""
    return clip(from_core(reply.text.split("\n", 1)[0]), 300)


# replies


def reply_blocks(reply: Reply, *, touchpoints: Sequence[Touchpoint] = (),
                 limit: int = MAX_MESSAGE_BLOCKS) -> list[dict[str, Any]]:
    """Any Reply as blocks: a prompt and a digest get their own layout; a confirmation gets the
    touchpoint select; other choices become buttons."""
    if isinstance(reply.view, PromptView):
        return fit(prompt_blocks(reply.view, reply.choices), limit, from_core(say.PROMPT_SHOWS_IT_ALL))
    if isinstance(reply.view, DigestView):
        return fit(digest_blocks(reply.view), limit, from_core(say.DIGEST_SHOWS_IT_ALL))
    credited = reply.view.credited if isinstance(reply.view, Moment) else reply.notify
    blocks = grouped(from_core(reply.text, credited))
    filing = [c for c in reply.choices if c.action.name == FILE_MOMENT]
    others = [c for c in reply.choices if c.action.name != FILE_MOMENT]
    select = touchpoint_select(reply.view, filing, touchpoints)
    if select is not None:
        blocks.append(ActionsBlock(elements=[select]))
    elif filing:
        others = list(reply.choices)
    blocks += actions(act_buttons(others))
    return fit(blocks, limit, from_core(say.HELP_LISTS_COMMANDS))


def touchpoint_select(view: object, asked: Sequence[Choice],
                      touchpoints: Sequence[Touchpoint]) -> StaticSelectElement | None:
    """"Which touchpoint?" with the filer's best guesses first when it asked; otherwise
    "Change touchpoint" over the team's journey with the current one selected."""
    if not isinstance(view, Moment) or view.retracted or not (asked or touchpoints):
        return None

    def option(label: str, slug: str) -> Option:
        return Option(text=PlainTextObject(text=clip(label, MAX_OPTION) or slug, emoji=True),
                      value=encode(Action.of(FILE_MOMENT, moment=view.id, touchpoint=slug)))

    guessed = [c.action.arg("touchpoint") for c in asked]
    rest = [(t, option(f"{t.emoji} {t.name}".strip(), t.slug)) for t in touchpoints
            if t.active and t.slug not in guessed]
    if asked:
        groups = [OptionGroup(label=say.BEST_GUESSES, options=[option(c.label, c.action.arg("touchpoint"))
                                                             for c in asked])]
        if rest:
            groups.append(OptionGroup(label=say.OTHER_TOUCHPOINTS,
                                      options=[o for _, o in rest][: MAX_OPTIONS - len(asked)]))
        return StaticSelectElement(action_id=ids.FILE_SELECT, placeholder=say.WHICH_TOUCHPOINT_SHORT,
                                   option_groups=groups)
    current = next((o for t, o in rest[:MAX_OPTIONS] if t.id == view.touchpoint_id), None)
    return StaticSelectElement(action_id=ids.FILE_SELECT, placeholder=say.CHANGE_TOUCHPOINT,
                               options=[o for _, o in rest][:MAX_OPTIONS], initial_option=current)


def prompt_blocks(view: PromptView, choices: Sequence[Choice], room: int = MAX_MESSAGE_BLOCKS) -> list[Block]:
    """The weekly prompt: the touchpoints in focus with example OWs, "Propose a response",
    and each proposal with a vote button showing its live count (adopt buttons for leads).
    Within ``room`` blocks: the proposals that do not fit are counted, and a "Vote for…" and
    an "Adopt…" menu still reach every one of them."""
    closes = render.local(view.closes_at, view.timezone)
    state = say.VOTING_CLOSED_NOW if view.closed else say.VOTING_CLOSES.format(when=closes)
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=clip(say.PROMPT_HEADER.format(team=view.team, week=view.week),
                                                   MAX_HEADER))),
        SectionBlock(text=MarkdownTextObject(text=f"*{say.HOW_COULD_WE}* " + state)),
    ]
    for focus in view.focus:
        lines = [f"*{mrkdwn(focus.touchpoint.label)}* — {mrkdwn(one_line(focus.reason, 300))}"]
        lines += [f">_{mrkdwn(one_line(e, 200))}_" for e in focus.examples]
        blocks += sections("\n".join(lines))
    if not view.closed:
        blocks.append(ActionsBlock(elements=[button(say.WRITE_A_PROPOSAL_BUTTON, ids.OPEN_PROPOSE,
                                                    str(view.id), style="primary")]))
    votable = {c.action.arg("proposal"): c.action for c in choices if c.action.name == VOTE}
    adoptable = {c.action.arg("proposal"): c.action for c in choices if c.action.name == ADOPT}
    if view.proposals:
        blocks += [DividerBlock(), SectionBlock(text=MarkdownTextObject(
            text=f"*{say.PROPOSALS}* — {say.VOTE_FOR_EACH}"))]
    ranked = sorted(view.proposals, key=lambda p: -p.votes) if view.closed else list(view.proposals)
    shown = len(ranked)
    while shown and len(blocks) + shown + len(_prompt_tail(view, ranked, shown, votable, adoptable)) > room:
        shown -= 1
    for p in ranked[:shown]:
        by = mrkdwn(p.author) if p.author else say.ANONYMOUS
        adopted = say.ADOPTED_MARK if p.adopted else ""
        count = (say.VOTES if p.votes == 1 else say.VOTES_PLURAL).format(count=p.votes)
        text = clip(f"*[{p.id}] {mrkdwn(p.touchpoint.label)}*: {mrkdwn(p.text)}\n_{by} · {count}{adopted}_",
                    MAX_SECTION)
        vote = votable.get(str(p.id))
        accessory = button(say.WOULD_DELIGHT_BUTTON.format(votes=p.votes), f"{ids.ACT_PREFIX}v{p.id}",
                           encode(vote, prompt=view.id)) if vote else None
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text), accessory=accessory))
    return blocks + _prompt_tail(view, ranked, shown, votable, adoptable)


def _prompt_tail(view: PromptView, ranked: Sequence[ProposalView], shown: int,
                 votable: dict[str, Action], adoptable: dict[str, Action]) -> list[Block]:
    """Under the proposals shown: the leads' Adopt buttons for them, then, for those that did not
    fit, a count and menus to vote for and adopt any of them."""
    out: list[Block] = []
    adopt_shown = [(p, adoptable[str(p.id)]) for p in ranked[:shown] if str(p.id) in adoptable]
    out += actions([button(say.ADOPT_AS_STANDARD_BUTTON.format(proposal_id=p.id), f"{ids.ACT_PREFIX}a{p.id}",
                           encode(a, prompt=view.id)) for p, a in adopt_shown])
    hidden = ranked[shown:]
    if not hidden:
        return out
    out.append(note(from_core(say.MORE_PROPOSALS.format(count=len(hidden)))))
    menus = [menu for menu in (
        _proposal_menu("vote_more", say.VOTE_FOR_ANOTHER, view, hidden, votable),
        _proposal_menu("adopt_more", say.ADOPT_ANOTHER, view, hidden, adoptable),
    ) if menu is not None]
    if menus:
        out.append(ActionsBlock(elements=menus))
    return out


def _proposal_menu(name: str, placeholder: str, view: PromptView, proposals: Sequence[ProposalView],
                   by_id: dict[str, Action]) -> StaticSelectElement | None:
    """A menu of proposals whose options carry the core action, as a button would."""
    options = [Option(text=PlainTextObject(text=clip(f"[{p.id}] {one_line(p.text, MAX_OPTION)}", MAX_OPTION),
                                           emoji=True),
                      value=encode(by_id[str(p.id)], prompt=view.id))
               for p in proposals if str(p.id) in by_id][:MAX_OPTIONS]
    if not options:
        return None
    return StaticSelectElement(action_id=f"{ids.ACT_PREFIX}{name}", placeholder=placeholder, options=options)


def digest_blocks(view: DigestView) -> list[Block]:
    """The weekly digest: a header, then the neutral digest grouped under its headings."""
    body = render.digest(view).text.split("\n", 1)
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=clip(say.DIGEST_TITLE.format(team=view.team, week=view.week),
                                                   MAX_HEADER))),
        note(say.DIGEST_COUNTS.format(wows=view.wows, ows=view.ows)),
    ]
    if len(body) > 1:
        blocks += grouped(from_core(body[1]))  # shout-outs name people; they are not pinged
    return blocks
