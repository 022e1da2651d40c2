"""The personal home as an Adaptive Card (``home`` in a personal chat): what Slack's App Home
shows, from the same core view (``reports.home``): my recent moments, the WOWs colleagues
thanked me with, this week's question, the team's week and the standards. Within Teams' card
size: long texts are cut (…) and long lists say how many more there are and which command
shows them; the prompt and the digest open as their own cards from buttons."""

from __future__ import annotations

from collections.abc import Sequence

from bot import text as render
from bot import words
from bot.markup import bold, code, item, literal
from bot.text import KIND_LABEL
from bot.views import DigestView, HomeView, MomentView, PromptView, StandardView
from handlers.teams import ids
from handlers.teams.cards import CARD_BUDGET, Card, Element, block, card, heading, lines, markdown, safe, size

# (characters of each listed text, rows a list shows): the first that fits the budget is used
HOME_LEVELS = ((200, 10), (140, 8), (100, 5), (60, 3), (40, 2))


def button(title: str, action: str, **data: object) -> Element:
    return {"type": "Action.Submit", "title": title, "associatedInputs": "none",
            "data": {ids.ACTION: action, **{k: str(v) for k, v in data.items()}}}


def home_card(view: HomeView) -> Card:
    out: Card = {}
    for chars, room in HOME_LEVELS:
        out = _home_card(view, chars=chars, room=room)
        if size(out) <= CARD_BUDGET:
            break
    return out


def _home_card(view: HomeView, *, chars: int, room: int) -> Card:
    refresh = [button(words.HOME_REFRESH, ids.HOME_REFRESH)]
    if view.team is None:
        welcome = [heading(markdown(words.HOME_WELCOME_TITLE)), *lines(markdown(words.HOME_WELCOME))]
        return card(welcome, refresh)
    body: list[Element] = [heading(markdown(words.HOME_TITLE.format(team=literal(view.team))))]
    body += _mine(view.my_moments, chars)
    if view.thanked:
        body.append(heading(markdown(words.HOME_THANKED)))
        body += lines(markdown("\n".join(item(f"“{literal(_short(m.text, chars))}” — {literal(m.reporter)}"
                                              + (f" ({literal(m.touchpoint.label)})" if m.touchpoint else ""))
                                         for m in view.thanked)))
    if view.open_prompt is not None and not view.open_prompt.closed:
        body += _prompt(view.open_prompt, chars)
    if view.week is not None:
        body += _week(view.week, chars, room)
    if view.standards:
        body += _standards(view.standards, chars, room)
    body.append(block(markdown(words.HOME_FOOTER), isSubtle=True, spacing="Medium"))
    return card(body, refresh)


def _mine(moments: Sequence[MomentView], chars: int) -> list[Element]:
    if not moments:
        return lines(markdown(words.HOME_NO_MOMENTS))
    rows = []
    for m in moments:
        where = m.touchpoint.label if m.touchpoint else words.HOME_NOT_FILED
        rows.append(item(f"#{m.id} {KIND_LABEL[m.kind]} {bold(where)}: {literal(_short(m.text, chars))}"))
    return [heading(markdown(words.HOME_MINE)), *lines(markdown("\n".join(rows)))]


def _prompt(prompt: PromptView, chars: int) -> list[Element]:
    count = len(prompt.proposals)
    state = words.HOME_PROMPT_STATE.format(
        proposals=words.HOME_PROPOSALS[min(count, 2)].format(count=count),
        closes=render.local(prompt.closes_at, prompt.timezone))
    out = [heading(markdown(words.HOME_PROMPT))]
    out += lines(markdown("\n".join(item(f"{bold(f.touchpoint.label)} — {literal(_short(f.reason, chars))}")
                                    for f in prompt.focus)))
    out.append(block(markdown(state), isSubtle=True))
    out.append({"type": "ActionSet", "actions": [button(words.HOME_OPEN_PROMPT, ids.HOME_PROMPT)]})
    return out


def _week(week: DigestView, chars: int, room: int) -> list[Element]:
    out = [heading(markdown(words.HOME_WEEK.format(week=week.week, wows=week.wows, ows=week.ows)))]
    active = [t for t in week.touchpoints if t.wows or t.ows or t.wows_last_week or t.ows_last_week]
    if active:
        out.append({"type": "FactSet", "facts": [
            {"title": safe(t.touchpoint.label), "value": words.HOME_WEEK_ROW.format(wows=t.wows, ows=t.ows)}
            for t in active[:room]]})
        out += _more(len(active) - room, "moments digest")
    elif not week.unfiled:
        out.append(block(markdown(words.HOME_WEEK_QUIET), isSubtle=True))
    if week.unfiled:
        out.append(block(markdown(words.HOME_UNFILED.format(count=week.unfiled)), isSubtle=True))
    shoutouts = [item(f"{bold(_short(', '.join(m.credited), 120))}: “{literal(_short(m.text, chars))}”")
                 for m in week.shoutouts[:room]]
    if shoutouts:
        out += lines(markdown("\n".join(shoutouts)))
    out.append({"type": "ActionSet", "actions": [button(words.HOME_OPEN_DIGEST, ids.HOME_DIGEST)]})
    return out


def _standards(standards: Sequence[StandardView], chars: int, room: int) -> list[Element]:
    rows = [item(f"{bold(s.touchpoint.label)}: {literal(_short(s.text, chars))}") for s in standards[:room]]
    return [heading(markdown(words.HOME_STANDARDS)), *lines(markdown("\n".join(rows))),
            *_more(len(standards) - room, "moments standards")]


def _more(hidden: int, command: str) -> list[Element]:
    if hidden <= 0:
        return []
    return [block(markdown(words.HOME_MORE.format(count=hidden, command=code(command))), isSubtle=True,
                  spacing="None")]


def _short(text: str, limit: int) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"
