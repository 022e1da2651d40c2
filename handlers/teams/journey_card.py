"""The journey editor as an Adaptive Card: a lead renames, retires, moves and adds touchpoints
(the Teams counterpart of Slack's touchpoints modal). The card only collects what the lead typed;
the changes are the journey service's own calls (``bot.journey_edits``), which also decide who
may make them.

Every row is a name input, a Retire toggle and ↑ / ↓; Save sends the names, the toggles and the
new touchpoint. A redrawn card keeps what the lead typed and did not save yet (``draft``: the
submitted inputs). A long journey is shown a page at a time, as many rows as fit Teams' card
size (at most ``PAGE``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot import words
from bot.domain import Team, Touchpoint
from bot.journey_edits import TouchpointEdits, default_name
from bot.markup import literal
from handlers.teams import ids
from handlers.teams.cards import CARD_BUDGET, Card, Element, block, card, heading, lines, markdown, size

PAGE = 12  # touchpoints a page shows at most
PAGE_LEVELS = (PAGE, 8, 5, 3, 1)  # the first that fits the budget is used


def journey_card(team: Team, touchpoints: Sequence[Touchpoint], *, start: int = 0,
                 draft: Mapping[str, Any] | None = None) -> Card:
    active = [t for t in touchpoints if t.active]
    start = max(0, min(start, max(len(active) - 1, 0)))
    out: Card = {}
    for page in PAGE_LEVELS:
        out = _journey_card(team, active, start=start, page=page, draft=draft or {})
        if size(out) <= CARD_BUDGET:
            break
    return out


def _journey_card(team: Team, active: Sequence[Touchpoint], *, start: int, page: int,
                  draft: Mapping[str, Any]) -> Card:
    shown = active[start:start + page]
    base = {ids.JOURNEY_TEAM: team.id, ids.JOURNEY_START: start}
    body: list[Element] = [
        heading(markdown(words.JOURNEY_TITLE.format(team=literal(team.name), template=team.template))),
        block(markdown(words.JOURNEY_INTRO), isSubtle=True),
    ]
    if len(shown) < len(active):
        body.append(block(markdown(words.JOURNEY_PAGE.format(first=start + 1, last=start + len(shown),
                                                             total=len(active))), isSubtle=True))
    for place, tp in enumerate(shown, start=start + 1):
        body.append(_row(tp, place, len(active), base, draft))
    slug = str(draft.get(ids.TP_ADD_SLUG) or "").strip()
    if any(t.slug == slug.lstrip("#").lower() for t in active):
        slug = ""  # added: the add fields start empty again
    body += [
        heading(markdown(words.JOURNEY_ADD)),
        {"type": "Input.Text", "id": ids.TP_ADD_SLUG, "label": words.JOURNEY_ADD_SLUG,
         "placeholder": words.JOURNEY_ADD_SLUG_EXAMPLE, "value": slug},
        {"type": "Input.Text", "id": ids.TP_ADD_NAME, "label": words.JOURNEY_ADD_NAME,
         "placeholder": words.JOURNEY_ADD_NAME_EXAMPLE,
         "value": str(draft.get(ids.TP_ADD_NAME) or "") if slug else ""},
    ]
    actions = [_submit(words.JOURNEY_SAVE, ids.JOURNEY_SAVE, base, inputs="auto")]
    if start > 0:
        actions.append(_submit(words.JOURNEY_PREVIOUS, ids.JOURNEY_PAGE,
                               {**base, ids.JOURNEY_START: max(0, start - page)}))
    if start + len(shown) < len(active):
        actions.append(_submit(words.JOURNEY_NEXT, ids.JOURNEY_PAGE,
                               {**base, ids.JOURNEY_START: start + len(shown)}))
    return card(body, actions)


def listed_card(team: Team, text: str) -> Card:
    """The journey as ``moments touchpoints`` lists it (``text``: the core's reply, in Teams'
    syntax), with the button that opens the editor: for a lead."""
    return card(lines(markdown(text)), [_submit(words.JOURNEY_EDIT, ids.JOURNEY_OPEN,
                                                {ids.JOURNEY_TEAM: team.id})])


def _row(tp: Touchpoint, place: int, total: int, base: Mapping[str, object],
         draft: Mapping[str, Any]) -> Element:
    name = str(draft.get(ids.TP_NAME + tp.slug) or tp.name)
    retire = "true" if str(draft.get(ids.TP_RETIRE + tp.slug)).lower() == "true" else "false"
    moves = [_submit(title, ids.JOURNEY_MOVE, {**base, ids.JOURNEY_SLUG: tp.slug, ids.JOURNEY_PLACE: to},
                     inputs="auto")
             for title, to in ((words.JOURNEY_UP, place - 1), (words.JOURNEY_DOWN, place + 1))
             if 1 <= to <= total]
    columns: list[Element] = [
        {"type": "Column", "width": "stretch", "items": [
            {"type": "Input.Text", "id": ids.TP_NAME + tp.slug, "value": name,
             "label": f"{place}. {tp.emoji} #{tp.slug}".replace("  ", " "), "isRequired": True,
             "errorMessage": words.JOURNEY_NAME_ERROR}]},
        {"type": "Column", "width": "auto", "verticalContentAlignment": "Bottom", "items": [
            {"type": "Input.Toggle", "id": ids.TP_RETIRE + tp.slug, "title": words.JOURNEY_RETIRE,
             "value": retire, "valueOn": "true", "valueOff": "false"}]},
    ]
    if moves:
        columns.append({"type": "Column", "width": "auto", "verticalContentAlignment": "Bottom",
                        "items": [{"type": "ActionSet", "actions": moves}]})
    return {"type": "ColumnSet", "separator": True, "columns": columns}


def _submit(title: str, action: str, data: Mapping[str, object], *, inputs: str = "none") -> Element:
    """``inputs="auto"``: the card's inputs travel with the button (Save; ↑ / ↓, so a redrawn
    card keeps what the lead typed); page turns send none."""
    return {"type": "Action.Submit", "title": title, "associatedInputs": inputs,
            "data": {ids.ACTION: action, **{k: str(v) for k, v in data.items()}}}


def read_edits(data: Mapping[str, Any], current: Sequence[Touchpoint]) -> tuple[TouchpointEdits, str]:
    """What the lead changed against the journey as it is now, and what they must fix first
    ("" when nothing). Whether the changes are allowed is the service's to say."""
    active = {t.slug: t for t in current if t.active}
    retire = tuple(key.removeprefix(ids.TP_RETIRE) for key, value in data.items()
                   if key.startswith(ids.TP_RETIRE) and str(value).lower() == "true"
                   and key.removeprefix(ids.TP_RETIRE) in active)
    renames: dict[str, str] = {}
    for key, value in data.items():
        slug = key.removeprefix(ids.TP_NAME)
        if not key.startswith(ids.TP_NAME) or slug not in active or slug in retire:
            continue
        name = " ".join(str(value or "").split())
        if name and name != active[slug].name:
            renames[slug] = name
    slug = str(data.get(ids.TP_ADD_SLUG) or "").strip()
    name = " ".join(str(data.get(ids.TP_ADD_NAME) or "").split())
    add = (slug, name or default_name(slug.lstrip("#").lower())) if slug else None
    problem = words.JOURNEY_ADD_NEEDS_SLUG if name and not slug else ""
    return TouchpointEdits(renames, retire, add), problem
