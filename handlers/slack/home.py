"""App Home: one person's dashboard as a home-tab view (at most 100 blocks)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock, HeaderBlock, PlainTextObject
from slack_sdk.models.views import View

from bot import text as render
from bot import words as say
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

WELCOME = from_core(say.WELCOME_HOME)


def home_view(view: HomeView, notice: str = "") -> dict[str, Any]:
    """``notice``: the answer to something the person just did on the tab."""
    blocks: list[Block] = [note(from_core(notice))] if notice else []
    if view.team is None:
        blocks += sections(WELCOME)
        return View(type="home", blocks=fit(blocks, MAX_SURFACE_BLOCKS, "")).to_dict()
    header = say.YOUR_MOMENTS_HEADER.format(team=view.team)
    blocks.append(HeaderBlock(text=PlainTextObject(text=one_line(header, 150))))
    if view.my_moments:
        lines = [f"*{say.YOUR_RECENT_MOMENTS}*"]
        for m in view.my_moments:
            where = m.touchpoint.label if m.touchpoint else say.NOT_FILED
            lines.append(f"• #{m.id} {KIND_LABEL[m.kind]} {mrkdwn(where)}: {mrkdwn(one_line(m.text, 140))}")
        blocks += sections("\n".join(lines))
    else:
        blocks += sections(from_core(say.NO_MOMENT_LOGGED_YET))
    if view.thanked:
        lines = [f"*{say.COLLEAGUES_THANKED_YOU}* 🌟"]
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
    blocks.append(note(from_core(say.HELP_LISTS_EVERYTHING)))
    return View(type="home", blocks=fit(blocks, MAX_SURFACE_BLOCKS, from_core(say.DIGEST_SHOWS_THE_WEEK))
                ).to_dict()
