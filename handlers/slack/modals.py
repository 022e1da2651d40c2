"""The modals: "Log as a moment" (message shortcut) and "Propose a response" (weekly prompt)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain import MAX_PROPOSAL_CHARS, MomentKind, Touchpoint
from bot.views import PromptView
from handlers.slack import ids
from handlers.slack.markup import clip, mrkdwn, one_line

MAX_INPUT = 3000
KIND_OPTIONS = {
    MomentKind.WOW: Option(value="wow", text=PlainTextObject(text="🌟 WOW: a customer was delighted")),
    MomentKind.OW: Option(value="ow", text=PlainTextObject(text="🩹 OW: a customer was let down")),
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
                                                  placeholder="Let Moments decide"))


def log_modal(text: str, kind: MomentKind, touchpoints: Sequence[Touchpoint],
              origin: Origin) -> dict[str, Any]:
    """The message shortcut's modal, prefilled with the message's text and the filer's guess."""
    blocks: list[Any] = [
        InputBlock(block_id=ids.KIND_INPUT, label="Kind",
                   element=RadioButtonsElement(action_id=ids.KIND_INPUT, options=list(KIND_OPTIONS.values()),
                                               initial_option=KIND_OPTIONS[kind])),
        InputBlock(block_id=ids.TEXT_INPUT, label="What happened",
                   element=PlainTextInputElement(action_id=ids.TEXT_INPUT, multiline=True,
                                                 max_length=MAX_INPUT, initial_value=clip(text, MAX_INPUT))),
    ]
    if touchpoints:
        blocks.append(_touchpoint_input([(f"{t.emoji} {t.name}".strip(), t.slug) for t in touchpoints
                                         if t.active], "Touchpoint",
                                        "Leave it empty and Moments files it (and asks when unsure)."))
    return View(type="modal", callback_id=ids.LOG_MODAL, private_metadata=origin.dump(),
                title="Log as a moment", submit="Log it", close="Cancel", blocks=blocks).to_dict()


def propose_modal(view: PromptView, origin: Origin) -> dict[str, Any]:
    """A staff member's alternative response at one of the prompt's touchpoints."""
    focus = [f.touchpoint for f in view.focus]
    context = "\n".join(f"*{mrkdwn(f.touchpoint.label)}* — {mrkdwn(one_line(f.reason, 300))}"
                        for f in view.focus) or "This week's touchpoints"
    blocks: list[Any] = [
        SectionBlock(text=MarkdownTextObject(text=clip(f"How could we turn these OWs into WOWs?\n{context}",
                                                       3000))),
        InputBlock(block_id=ids.TEXT_INPUT, label="Your proposal",
                   element=PlainTextInputElement(action_id=ids.TEXT_INPUT, multiline=True,
                                                 max_length=MAX_PROPOSAL_CHARS,
                                                 placeholder="What should we do next time?")),
    ]
    if len(focus) > 1:
        blocks.append(_touchpoint_input([(t.label, t.slug) for t in focus], "Touchpoint",
                                        "Leave it empty and Moments picks the closest."))
    blocks.append(InputBlock(
        block_id=ids.ANONYMOUS_INPUT, optional=True, label="Anonymous",
        element=CheckboxesElement(action_id=ids.ANONYMOUS_INPUT, options=[
            Option(value=ids.ANONYMOUS, text=PlainTextObject(text="Don't show my name"))])))
    return View(type="modal", callback_id=ids.PROPOSE_MODAL, private_metadata=origin.dump(),
                title="Propose a response", submit="Propose", close="Cancel", blocks=blocks).to_dict()


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
