"""App Home: one person's dashboard as sections of neutral text, rendered by blocks.home_view."""

from __future__ import annotations

from bot import text as render
from bot.text import KIND_LABEL
from bot.views import Choice, HomeView


def home_sections(view: HomeView) -> tuple[list[str], tuple[Choice, ...]]:
    if view.team is None:
        return ([
            "*Welcome to Moments* 👋\nLog what delights or lets down a customer with `/wow` and `/ow`. "
            "Once you log a moment in a team's channel, your team's week shows up here.",
        ], ())
    sections = [f"*{view.team}* — your Moments"]
    if view.my_moments:
        lines = ["*Your recent moments*"]
        for m in view.my_moments:
            where = m.touchpoint.label if m.touchpoint else "not filed"
            lines.append(f"• {KIND_LABEL[m.kind]} {where}: {m.text[:120]}")
        sections.append("\n".join(lines))
    else:
        sections.append("You haven't logged a moment yet. Try `/wow` or `/ow`.")
    choices: tuple[Choice, ...] = ()
    if view.week is not None:
        sections.append(render.digest(view.week).text)
    if view.open_prompt is not None and not view.open_prompt.closed:
        reply = render.prompt(view.open_prompt, lead=view.is_lead)
        sections.append(reply.text)
        choices = reply.choices
    if view.standards:
        sections.append(render.standards(list(view.standards), view.team).text)
    return sections, choices
