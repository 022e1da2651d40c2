"""App Home: one person's dashboard as a home-tab view (at most 100 blocks)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock, HeaderBlock, PlainTextObject
from slack_sdk.models.views import View

from bot import text as render
from bot.text import KIND_LABEL
from bot.views import HomeView
from handlers.slack.blocks import (
    MAX_MESSAGE_BLOCKS,
    MAX_SURFACE_BLOCKS,
    fit,
    grouped,
    note,
    prompt_blocks,
    sections,
)
from handlers.slack.markup import from_core, mrkdwn, one_line

WELCOME = ("*Welcome to Moments* 👋\nLog what delights a customer with `/wow` (credit a colleague "
           "with @name) and what lets one down with `/ow` (blameless). React to any message with "
           ":wow: or :ow:, or use the message shortcut *Log as a moment*. Once you log a moment in "
           "a team's channel, your team's week shows up here.")


def home_view(view: HomeView, notice: str = "") -> dict[str, Any]:
    """``notice``: the answer to something the person just did on the tab."""
    blocks: list[Block] = [note(from_core(notice))] if notice else []
    if view.team is None:
        blocks += sections(WELCOME)
        return View(type="home", blocks=fit(blocks, MAX_SURFACE_BLOCKS, "")).to_dict()
    blocks.append(HeaderBlock(text=PlainTextObject(text=one_line(f"{view.team}: your Moments", 150))))
    if view.my_moments:
        lines = ["*Your recent moments*"]
        for m in view.my_moments:
            where = m.touchpoint.label if m.touchpoint else "not filed"
            lines.append(f"• #{m.id} {KIND_LABEL[m.kind]} {mrkdwn(where)}: {mrkdwn(one_line(m.text, 140))}")
        blocks += sections("\n".join(lines))
    else:
        blocks += sections("You haven't logged a moment yet. Try `/wow` or `/ow`.")
    if view.thanked:
        lines = ["*Colleagues thanked you* 🌟"]
        for m in view.thanked:
            where = f" ({mrkdwn(m.touchpoint.label)})" if m.touchpoint else ""
            lines.append(f"• “{mrkdwn(one_line(m.text, 140))}” — {mrkdwn(m.reporter)}{where}")
        blocks += sections("\n".join(lines))
    if view.open_prompt is not None and not view.open_prompt.closed:
        blocks += [DividerBlock(), *prompt_blocks(view.open_prompt,
                                                  render.prompt(view.open_prompt, lead=view.is_lead).choices,
                                                  room=MAX_MESSAGE_BLOCKS)]
    if view.week is not None:
        blocks += [DividerBlock(), *grouped(from_core(render.digest(view.week).text))]
    if view.standards:
        standards = render.standards(list(view.standards), view.team).text
        blocks += [DividerBlock(), *grouped(from_core(standards))]
    blocks.append(note("`/moments help` lists everything Moments can do."))
    return View(type="home", blocks=fit(blocks, MAX_SURFACE_BLOCKS, "`/moments digest` shows the week.")
                ).to_dict()
