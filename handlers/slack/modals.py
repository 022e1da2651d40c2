"""The modals: "Log as a moment" (message shortcut), "Propose a response" (weekly prompt), and
the leads' tools: the team's settings (/moments setup) and its touchpoints."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot import words as say
from bot.domain import MAX_PROPOSAL_CHARS, MomentKind, Team, Touchpoint
from bot.errors import UserError
from bot.journey_edits import TouchpointEdits, default_name
from bot.journeys import template_names
from bot.markup import plain
from bot.schedule import DAYS, parse_slot
from bot.services.journey import SLUG
from bot.views import PromptView
from bot.weeks import zone
from handlers.slack import ids
from handlers.slack.markup import clip, mrkdwn, one_line

MAX_INPUT = 3000
KIND_OPTIONS = {
    MomentKind.WOW: Option(value="wow", text=PlainTextObject(text=say.WOW_OPTION)),
    MomentKind.OW: Option(value="ow", text=PlainTextObject(text=say.OW_OPTION)),
}
LET_MOMENTS_DECIDE = ""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a modal came from, carried in private_metadata: the channel to answer in and the
    message it is about."""

    channel: str = ""
    ts: str = ""
    author: str = ""
    prompt: int = 0
    url: str = ""  # the prompt message's response_url: redrawn with the new proposal

    def dump(self) -> str:
        return json.dumps({k: v for k, v in (("c", self.channel), ("ts", self.ts), ("a", self.author),
                                             ("p", self.prompt), ("u", self.url)) if v},
                          separators=(",", ":"))

    @staticmethod
    def load(raw: str | None) -> Origin:
        data = json.loads(raw or "{}")
        return Origin(str(data.get("c", "")), str(data.get("ts", "")), str(data.get("a", "")),
                      int(data.get("p", 0)), str(data.get("u", "")))


def _touchpoint_option(label: str, slug: str) -> Option:
    return Option(value=slug or "-", text=PlainTextObject(text=clip(label, 75) or slug, emoji=True))


def _touchpoint_input(choices: Sequence[tuple[str, str]], label: str, hint: str) -> InputBlock:
    options = [_touchpoint_option(name, slug) for name, slug in choices][:100]
    return InputBlock(block_id=ids.TOUCHPOINT_INPUT, optional=True, label=label, hint=hint,
                      element=StaticSelectElement(action_id=ids.TOUCHPOINT_INPUT, options=options,
                                                  placeholder=say.LET_MOMENTS_DECIDE))


def log_modal(text: str, kind: MomentKind, touchpoints: Sequence[Touchpoint],
              origin: Origin) -> dict[str, Any]:
    """The message shortcut's modal, prefilled with the message's text and the filer's guess."""
    blocks: list[Any] = [
        InputBlock(block_id=ids.KIND_INPUT, label=say.KIND,
                   element=RadioButtonsElement(action_id=ids.KIND_INPUT, options=list(KIND_OPTIONS.values()),
                                               initial_option=KIND_OPTIONS[kind])),
        InputBlock(block_id=ids.TEXT_INPUT, label=say.WHAT_HAPPENED,
                   element=PlainTextInputElement(action_id=ids.TEXT_INPUT, multiline=True,
                                                 max_length=MAX_INPUT, initial_value=clip(text, MAX_INPUT))),
    ]
    if touchpoints:
        blocks.append(_touchpoint_input([(f"{t.emoji} {t.name}".strip(), t.slug) for t in touchpoints
                                         if t.active], say.TOUCHPOINT,
                                        say.LEAVE_EMPTY_TO_FILE))
    return View(type="modal", callback_id=ids.LOG_MODAL, private_metadata=origin.dump(),
                title=say.LOG_AS_A_MOMENT, submit=say.LOG_IT, close=say.CANCEL, blocks=blocks).to_dict()


def propose_modal(view: PromptView, origin: Origin) -> dict[str, Any]:
    """A staff member's alternative response at one of the prompt's touchpoints."""
    focus = [f.touchpoint for f in view.focus]
    context = "\n".join(f"*{mrkdwn(f.touchpoint.label)}* — {mrkdwn(one_line(f.reason, 300))}"
                        for f in view.focus) or say.THIS_WEEKS_TOUCHPOINTS
    blocks: list[Any] = [
        SectionBlock(text=MarkdownTextObject(text=clip(f"{say.HOW_COULD_WE}\n{context}",
                                                       3000))),
        InputBlock(block_id=ids.TEXT_INPUT, label=say.YOUR_PROPOSAL,
                   element=PlainTextInputElement(action_id=ids.TEXT_INPUT, multiline=True,
                                                 max_length=MAX_PROPOSAL_CHARS,
                                                 placeholder=say.WHAT_NEXT_TIME)),
    ]
    if len(focus) > 1:
        blocks.append(_touchpoint_input([(t.label, t.slug) for t in focus], say.TOUCHPOINT,
                                        say.LEAVE_EMPTY_TO_PICK))
    blocks.append(InputBlock(
        block_id=ids.ANONYMOUS_INPUT, optional=True, label=say.ANONYMOUS_LABEL,
        element=CheckboxesElement(action_id=ids.ANONYMOUS_INPUT, options=[
            Option(value=ids.ANONYMOUS, text=PlainTextObject(text=say.DONT_SHOW_MY_NAME))])))
    return View(type="modal", callback_id=ids.PROPOSE_MODAL, private_metadata=origin.dump(),
                title=say.PROPOSE_A_RESPONSE, submit=say.PROPOSE, close=say.CANCEL, blocks=blocks).to_dict()


# the leads' tools

DAY_NAMES = dict(zip(DAYS, say.DAY_NAMES, strict=True))
SLOT_HINT = say.SLOT_HINT


def _text_input(block_id: str, label: str, initial: str = "", hint: str | None = None,
                placeholder: str | None = None, optional: bool = False) -> InputBlock:
    return InputBlock(block_id=block_id, label=label, hint=hint, optional=optional,
                      element=PlainTextInputElement(action_id=block_id, initial_value=initial or None,
                                                    placeholder=placeholder))


def _number_input(block_id: str, label: str, initial: int, low: int, high: int, hint: str) -> InputBlock:
    return InputBlock(block_id=block_id, label=label, hint=hint,
                      element=NumberInputElement(action_id=block_id, is_decimal_allowed=False,
                                                 initial_value=initial, min_value=low, max_value=high))


def setup_modal(team: Team | None, channel: str, origin: Origin, suggested_name: str = "",
                guess: Team | None = None) -> dict[str, Any]:
    """The team's settings, prefilled; a new team also picks its journey (a team keeps it).
    ``guess``: a new team's settings as the core guessed them, so that no typing is needed."""
    now = team or guess or Team(0, suggested_name, channel)
    days = [Option(value=d, text=PlainTextObject(text=DAY_NAMES[d])) for d in DAYS]
    quiet = [o for o in days if o.value in {d.lower()[:3] for d in now.quiet_days}]
    blocks: list[Block] = [
        _text_input(ids.SETUP_NAME, say.TEAM_NAME, now.name, placeholder=say.TEAM_NAME_EXAMPLE),
    ]
    if team is None:
        templates = [Option(value=n, text=PlainTextObject(text=n.title())) for n in template_names()]
        blocks.append(InputBlock(
            block_id=ids.SETUP_TEMPLATE, label=say.CUSTOMER_JOURNEY,
            hint=say.CUSTOMER_JOURNEY_HINT,
            element=StaticSelectElement(action_id=ids.SETUP_TEMPLATE, options=templates,
                                        initial_option=next((o for o in templates
                                                             if o.value == now.template), None))))
    blocks += [
        _text_input(ids.SETUP_TZ, say.TIMEZONE, now.timezone,
                    hint=say.TIMEZONE_HINT),
        _text_input(ids.SETUP_PROMPT, say.PROMPT_OPENS, now.prompt_at, hint=SLOT_HINT),
        _text_input(ids.SETUP_CLOSE, say.VOTES_CLOSE, now.votes_close_at, hint=SLOT_HINT),
        _text_input(ids.SETUP_DIGEST, say.WEEKLY_DIGEST, now.digest_at, hint=SLOT_HINT),
        InputBlock(block_id=ids.SETUP_QUIET, label=say.QUIET_DAYS, optional=True,
                   hint=say.QUIET_DAYS_HINT,
                   element=CheckboxesElement(action_id=ids.SETUP_QUIET, options=days,
                                             initial_options=quiet or None)),
        _number_input(ids.SETUP_BASIC_AFTER, say.BASIC_AFTER, now.basic_after_weeks,
                      1, 520, say.BASIC_AFTER_HINT),
        _number_input(ids.SETUP_FOCUS, say.FOCUS_COUNT, now.focus_count, 1, 5,
                      say.FOCUS_COUNT_HINT),
    ]
    return View(type="modal", callback_id=ids.SETUP_MODAL, private_metadata=origin.dump(),
                title=say.SET_UP_MOMENTS if team is None else say.TEAM_SETTINGS,
                submit=say.SET_UP if team is None else say.SAVE, close=say.CANCEL, blocks=blocks).to_dict()


@dataclass(frozen=True, slots=True)
class SetupForm:
    name: str
    template: str | None  # only asked when the team is new
    timezone: str
    prompt_at: str
    votes_close_at: str
    digest_at: str
    quiet_days: tuple[str, ...]
    basic_after_weeks: int | None
    focus_count: int | None


def _whole(raw: object, low: int, high: int, block_id: str, errors: dict[str, str]) -> int | None:
    text = str(raw or "").strip()
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        errors[block_id] = say.WHOLE_NUMBER_FROM.format(low=low, high=high)
        return None
    return int(text)


def read_setup(values: dict[str, Any]) -> tuple[SetupForm, dict[str, str]]:
    """The submitted settings and, by block, what the person has to fix (checked with the same
    functions the core uses, so a field error names the problem before anything is saved)."""
    errors: dict[str, str] = {}

    def text(block_id: str) -> str:
        return " ".join(str(values.get(block_id) or "").split())

    name, tz = text(ids.SETUP_NAME), text(ids.SETUP_TZ)
    if not name:
        errors[ids.SETUP_NAME] = say.GIVE_TEAM_A_NAME
    template = values.get(ids.SETUP_TEMPLATE) if ids.SETUP_TEMPLATE in values else None
    if ids.SETUP_TEMPLATE in values and template not in template_names():
        errors[ids.SETUP_TEMPLATE] = say.PICK_ONE_OF.format(choices=', '.join(template_names()))
    try:
        zone(tz)
    except UserError as err:
        errors[ids.SETUP_TZ] = plain(err.message)
    slots = {}
    for block_id in (ids.SETUP_PROMPT, ids.SETUP_CLOSE, ids.SETUP_DIGEST):
        slots[block_id] = text(block_id)
        try:
            parse_slot(slots[block_id])
        except UserError as err:
            errors[block_id] = plain(err.message)
    quiet = tuple(str(d) for d in values.get(ids.SETUP_QUIET) or () if str(d) in DAYS)
    form = SetupForm(name=name, template=str(template) if template else None, timezone=tz,
                     prompt_at=slots[ids.SETUP_PROMPT], votes_close_at=slots[ids.SETUP_CLOSE],
                     digest_at=slots[ids.SETUP_DIGEST], quiet_days=quiet,
                     basic_after_weeks=_whole(values.get(ids.SETUP_BASIC_AFTER), 1, 520,
                                              ids.SETUP_BASIC_AFTER, errors),
                     focus_count=_whole(values.get(ids.SETUP_FOCUS), 1, 5, ids.SETUP_FOCUS, errors))
    return form, errors


MAX_MODAL_BLOCKS = 100
# each touchpoint takes two blocks (name, retire); the intro, a divider and the add pair take four
TOUCHPOINT_ROOM = (MAX_MODAL_BLOCKS - 4) // 2


def touchpoints_modal(team: Team, touchpoints: Sequence[Touchpoint], origin: Origin) -> dict[str, Any]:
    """Rename or retire each active touchpoint, and add one; within Slack's 100 blocks a modal."""
    active = [t for t in touchpoints if t.active]
    shown = active[:TOUCHPOINT_ROOM]
    intro = (f"*{mrkdwn(say.JOURNEY_TITLE.format(team=team.name, template=team.template))}*\n"
             + say.EDIT_TOUCHPOINTS_INTRO)
    if len(active) > len(shown):
        intro += "\n_" + say.SHOWING_FIRST.format(shown=len(shown), total=len(active),
                                                  command="`/moments touchpoints rename|retire`") + "_"
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=clip(intro, 3000)))]
    for t in shown:
        blocks += [
            InputBlock(block_id=f"{ids.TP_NAME}{t.slug}", label=clip(f"{t.emoji} #{t.slug}".strip(), 2000),
                       element=PlainTextInputElement(action_id=ids.TP_NAME.rstrip(":"),
                                                     initial_value=t.name)),
            InputBlock(block_id=f"{ids.TP_RETIRE}{t.slug}", label=say.RETIRE, optional=True,
                       element=CheckboxesElement(action_id=ids.TP_RETIRE.rstrip(":"), options=[
                           Option(value=ids.RETIRE,
                                  text=PlainTextObject(text=say.STOP_FILING_AT.format(slug=t.slug)))])),
        ]
    blocks += [
        DividerBlock(),
        _text_input(ids.TP_ADD_SLUG, say.ADD_TOUCHPOINT_ID, optional=True, placeholder="bag-drop",
                    hint=say.ADD_TOUCHPOINT_ID_HINT),
        _text_input(ids.TP_ADD_NAME, say.ADD_TOUCHPOINT_NAME, optional=True,
                    placeholder=say.ADD_TOUCHPOINT_NAME_EXAMPLE),
    ]
    return View(type="modal", callback_id=ids.TOUCHPOINTS_MODAL, private_metadata=origin.dump(),
                title=say.EDIT_TOUCHPOINTS, submit=say.SAVE, close=say.CANCEL, blocks=blocks).to_dict()


def read_touchpoints(values: dict[str, Any], current: Sequence[Touchpoint]) -> tuple[TouchpointEdits,
                                                                                      dict[str, str]]:
    """What the lead changed against the journey as it is now, and by block what to fix."""
    errors: dict[str, str] = {}
    by_slug = {t.slug: t for t in current}
    active = [t.slug for t in current if t.active]
    renames: dict[str, str] = {}
    retire: list[str] = []
    for block_id, value in values.items():
        if block_id.startswith(ids.TP_RETIRE) and ids.RETIRE in (value or []):
            retire.append(block_id.removeprefix(ids.TP_RETIRE))
    for block_id, value in values.items():
        slug = block_id.removeprefix(ids.TP_NAME)
        if not block_id.startswith(ids.TP_NAME) or slug not in by_slug or slug in retire:
            continue
        name = " ".join(str(value or "").split())
        if not name:
            errors[block_id] = say.NAME_OR_RETIRE
        elif name != by_slug[slug].name:
            renames[slug] = name
    raw_slug = str(values.get(ids.TP_ADD_SLUG) or "").strip().lstrip("#").lower()
    new_name = " ".join(str(values.get(ids.TP_ADD_NAME) or "").split())
    add = None
    if raw_slug:
        if not SLUG.match(raw_slug):
            errors[ids.TP_ADD_SLUG] = plain(say.BAD_TOUCHPOINT_ID.format(slug=raw_slug))
        elif raw_slug in by_slug:
            errors[ids.TP_ADD_SLUG] = (say.TOUCHPOINT_EXISTS_RETIRED if not by_slug[raw_slug].active
                                       else say.TOUCHPOINT_EXISTS).format(slug=raw_slug)
        else:
            add = (raw_slug, new_name or default_name(raw_slug))
    elif new_name:
        errors[ids.TP_ADD_SLUG] = say.NEW_TOUCHPOINT_NEEDS_ID
    if active and set(active) <= set(retire) and add is None and not errors:
        errors[f"{ids.TP_RETIRE}{retire[0]}"] = say.LAST_TOUCHPOINT
    return TouchpointEdits(renames, tuple(s for s in retire if s in by_slug), add), errors


# reading a submission


def submitted(view: dict[str, Any]) -> dict[str, Any]:
    """The values of a view_submission, by input block: text, the selected option's value, or
    the list of checked values."""
    out: dict[str, Any] = {}
    for block_id, inputs in (view.get("state") or {}).get("values", {}).items():
        for state in inputs.values():
            if "selected_options" in state:
                out[block_id] = [o.get("value") for o in state.get("selected_options") or []]
            elif "selected_option" in state:
                option = state.get("selected_option") or {}
                out[block_id] = option.get("value")
            else:
                out[block_id] = state.get("value")
    return out
