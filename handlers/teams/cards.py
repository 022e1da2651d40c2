"""Adaptive Cards 1.4 (plain JSON dicts) for the core's neutral replies.

Which buttons a card shows comes from ``Reply.choices`` (the core decides, e.g. Adopt only for
leads); each becomes an Action.Submit whose data names the core action (see ``ids``). TextBlocks
render a subset of markdown, so every text that people wrote goes through ``safe``: link syntax
is broken up, so nobody can dress a link up as something else in the team's channel.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from bot import markup
from bot import text as render
from bot import words as say
from bot.domain import MAX_MOMENT_CHARS, MAX_PROPOSAL_CHARS, Moment, StandardLevel, Touchpoint
from bot.views import (
    ADOPT,
    FILE_MOMENT,
    PROPOSE,
    VOTE,
    Action,
    Choice,
    DigestView,
    PromptView,
    Reply,
    StandardView,
)
from handlers.charts import compact_chart
from handlers.teams import ids

Card = dict[str, Any]
Element = dict[str, Any]
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.4"
MAX_PROPOSALS = 25  # proposals shown with their buttons; the rest are counted, with the commands
MAX_LIST = 10
# Teams refuses a message over about 28 KB; the activity around the card takes some of that. A
# card that would be larger is drawn again with shorter texts and fewer rows, never fewer buttons
# per row shown.
CARD_BUDGET = 26 * 1024
# (proposals shown, characters of each proposal's text): the first that fits the budget is used
PROMPT_LEVELS = ((MAX_PROPOSALS, 400), (MAX_PROPOSALS, 240), (MAX_PROPOSALS, 160), (18, 120), (12, 100),
                 (6, 80))
# (characters of each listed text, items a list shows, with the chart)
DIGEST_LEVELS = ((300, MAX_LIST, True), (160, MAX_LIST, True), (160, 5, True), (100, 5, True),
                 (300, MAX_LIST, False), (160, MAX_LIST, False), (100, 5, False), (60, 3, False))

_LINK = re.compile(r"\]\s*([(\[:])")  # [text](url), [text][ref], [ref]: url
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^>\s]*)>", re.IGNORECASE)
_LIST_STANDARDS = ": " + say.LISTS_THEM_ALL.format(command="`moments standards`")
_EMPHASIS = re.compile(r"\*|(?<!\w)_|_(?!\w)")  # what TextBlock markdown reads as bold or italic


def safe(text: str) -> str:
    """User text for a TextBlock: markdown link syntax neutralised, everything else kept."""
    text = _LINK.sub(lambda m: "] " + m.group(1), text)
    return _AUTOLINK.sub(lambda m: m.group(1), text)


def literal(text: str) -> str:
    """Text shown exactly as written: links broken up, ``*`` and ``_`` escaped, never emphasis."""
    return _EMPHASIS.sub(lambda m: "\\" + m.group(0), safe(text))


MARKDOWN = markup.Style(
    text=literal,
    bold=lambda s: f"**{s}**",
    italic=lambda s: f"_{s}_",
    code=lambda s: f"`{safe(s)}`",
    mention=lambda key: f"@{key}",  # shown as the person's name by replies.name_people
    link=lambda url, label: f"[{literal(label or url).replace(']', ')')}]({url.replace(')', '%29')})",
)


def markdown(text: str) -> str:
    """The core's markup (``bot/markup.py``) as TextBlock markdown, with user text made safe."""
    return markup.render(text, MARKDOWN)


def block(text: str, **style: Any) -> Element:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def lines(text: str, **style: Any) -> list[Element]:
    """One TextBlock a line: a TextBlock's markdown joins single line breaks."""
    out = [block(line, spacing="None", **style) for line in text.split("\n") if line.strip()]
    if out:
        out[0].pop("spacing")
    return out


def heading(text: str) -> Element:
    return block(text, weight="Bolder", size="Medium")


def card(body: Sequence[Element], actions: Sequence[Element] = ()) -> Card:
    out: Card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": list(body)}
    if actions:
        out["actions"] = list(actions)
    return out


def submit(title: str, action: Action, *, inputs: str = "none", **extra: object) -> Element:
    """An Action.Submit carrying a core action. ``inputs="none"``: the card's inputs are neither
    sent nor validated (a vote must not be blocked by an empty proposal box)."""
    data: dict[str, str] = {ids.ACTION: action.name, **dict(action.args)}
    data.update({k: str(v) for k, v in extra.items()})
    return {"type": "Action.Submit", "title": title[:80], "data": data, "associatedInputs": inputs}


def decode(data: dict[str, Any]) -> Action | None:
    """Submit data (activity.value) back into a core Action; None when it is not ours."""
    name = data.get(ids.ACTION)
    if not isinstance(name, str) or not name:
        return None
    args = tuple((str(k), str(v)) for k, v in data.items()
                 if k not in (ids.ACTION, "msteams") and isinstance(v, (str, int, float)))
    return Action(name, args)


# which card for which reply


def wants_card(reply: Reply) -> bool:
    return bool(reply.choices) or isinstance(reply.view, (PromptView, DigestView, StandardView, Moment))


def reply_card(reply: Reply, *, touchpoints: Sequence[Touchpoint] = ()) -> Card:
    view = reply.view
    if isinstance(view, PromptView) and not reply.error:
        return prompt_card(view, reply)
    if isinstance(view, DigestView) and not reply.error:
        return digest_card(view)
    if isinstance(view, StandardView) and not reply.error:
        return standard_card(view)
    if isinstance(view, Moment) and not reply.error:
        return moment_card(reply, view, touchpoints)
    return card(lines(markdown(reply.text), color="Attention" if reply.error else "Default"),
                [submit(c.label, c.action) for c in reply.choices])


def moment_card(reply: Reply, moment: Moment, touchpoints: Sequence[Touchpoint]) -> Card:
    """The confirmation: what was logged; "Which touchpoint?" buttons when the filer was unsure,
    else a "Change touchpoint" select."""
    body = lines(markdown(reply.text))
    actions = [submit(c.label, c.action) for c in reply.choices]
    active = [t for t in touchpoints if t.active]
    if not reply.choices and active:
        current = next((t.slug for t in active if t.id == moment.touchpoint_id), "")
        body.append(_touchpoint_select(ids.TOUCHPOINT, active, current, say.CHANGE_TOUCHPOINT))
        actions.append(submit(say.MOVE_IT, Action.of(FILE_MOMENT, moment=moment.id), inputs="auto"))
    return card(body, actions)


def prompt_card(view: PromptView, reply: Reply) -> Card:
    """Step 2 and 3: the focus touchpoints, each proposal with its votes, and a proposal form.
    Within Teams' card size: long proposals are cut (…), and past what fits the card counts the
    rest and names the commands for them; every proposal shown keeps its buttons."""
    out: Card = {}
    for shown, chars in PROMPT_LEVELS:
        out = _prompt_card(view, reply, shown=shown, chars=chars)
        if size(out) <= CARD_BUDGET:
            break
    return out


def _prompt_card(view: PromptView, reply: Reply, *, shown: int, chars: int) -> Card:
    votes = _by_proposal(reply.choices, VOTE)
    adopts = _by_proposal(reply.choices, ADOPT)
    lead = "1" if adopts else "0"
    body: list[Element] = [heading(say.PROMPT_TITLE.format(team=safe(view.team), week=view.week))]
    for f in view.focus:
        body.append(block(f"**{safe(f.touchpoint.label)}** — {safe(_short(f.reason, 300))}",
                          spacing="Medium"))
        body += [block(f"_“{safe(_short(e, 160))}”_", isSubtle=True, spacing="None")
                 for e in f.examples]
    state = say.VOTING_CLOSED_NOW if view.closed else \
        say.VOTING_CLOSES.format(when=render.local(view.closes_at, view.timezone))
    body.append(block(state, isSubtle=True))
    if view.proposals:
        body.append(heading(say.PROPOSALS_HEADING))
    ranked = sorted(view.proposals, key=lambda p: -p.votes) if view.closed else list(view.proposals)
    for p in ranked[:shown]:
        by = safe(p.author) if p.author else say.ANONYMOUS
        count = (say.VOTES if p.votes == 1 else say.VOTES_PLURAL).format(count=p.votes)
        done = say.ADOPTED_AFTER_DOT if p.adopted else ""
        items: list[Element] = [
            block(f"**[{p.id}] {safe(p.touchpoint.label)}**: {safe(_short(p.text, chars))}"),
            block(f"{by} · {count}{done}", isSubtle=True, spacing="None"),
        ]
        buttons = []
        if p.id in votes:
            buttons.append(submit(say.WOULD_DELIGHT_BUTTON.format(votes=p.votes), votes[p.id].action,
                                  prompt=view.id, lead_card=lead))
        if p.id in adopts:
            buttons.append(submit(say.ADOPT_AS_STANDARD, adopts[p.id].action,
                                  prompt=view.id, lead_card=lead))
        if buttons:
            items.append({"type": "ActionSet", "actions": buttons})
        body.append({"type": "Container", "separator": True, "items": items})
    hidden = ranked[shown:]
    if hidden:
        how = [say.LISTS_THEM_ALL.format(command="`moments results`")]
        if any(p.id in votes for p in hidden):
            how.append(say.VOTES_FOR_ONE.format(command="`moments vote ID`"))
        if any(p.id in adopts for p in hidden):
            how.append(say.ADOPTS_ONE.format(command="`moments adopt ID`"))
        body.append(block(say.MORE_WITH_HOW.format(count=len(hidden), how=', '.join(how)), isSubtle=True))
    actions: list[Element] = []
    propose = next((c for c in reply.choices if c.action.name == PROPOSE), None)
    if propose is not None:
        body += _proposal_form(view)
        actions.append(submit(say.PROPOSE_SHORT_BUTTON, propose.action, inputs="auto", lead_card=lead))
    return card(body, actions)


def _proposal_form(view: PromptView) -> list[Element]:
    form: list[Element] = [
        heading(say.YOUR_PROPOSAL),
        {"type": "Input.Text", "id": ids.PROPOSAL_TEXT, "isMultiline": True,
         "maxLength": MAX_PROPOSAL_CHARS, "placeholder": say.WHAT_NEXT_TIME,
         "isRequired": True, "errorMessage": say.TELL_US_WHAT_WE_COULD_DO},
    ]
    focus = [f.touchpoint for f in view.focus]
    if len(focus) > 1:
        form.append({"type": "Input.ChoiceSet", "id": ids.PROPOSAL_TOUCHPOINT, "style": "compact",
                     "placeholder": say.TOUCHPOINT_EMPTY_PICKS,
                     "choices": [{"title": t.label, "value": t.slug} for t in focus]})
    form.append({"type": "Input.Toggle", "id": ids.PROPOSAL_ANONYMOUS, "title": say.DONT_SHOW_MY_NAME,
                 "valueOn": "true", "valueOff": "false", "value": "false"})
    return form


def digest_card(view: DigestView) -> Card:
    """The week in one card, within Teams' size: long texts are cut (…), long lists say how many
    more there are, and the chart is left out before the table is."""
    out: Card = {}
    for chars, room, chart in DIGEST_LEVELS:
        out = _digest_card(view, chars=chars, room=room, chart=chart)
        if size(out) <= CARD_BUDGET:
            break
    return out


def _digest_card(view: DigestView, *, chars: int, room: int, chart: bool) -> Card:
    body: list[Element] = [
        heading(say.DIGEST_TITLE.format(team=safe(view.team), week=view.week)),
        block(say.DIGEST_COUNTS.format(wows=view.wows, ows=view.ows), spacing="None"),
    ]

    def listed(items: Sequence[Any], line: Any, rest: str) -> list[Element]:
        out = [block(line(item)) for item in items[:room]]
        if len(items) > room:
            out.append(block(say.MORE_ITEMS.format(count=len(items) - room, rest=rest), isSubtle=True,
                             spacing="None"))
        return out

    if view.new_standards:
        body.append(heading(say.NEW_STANDARDS))
        body += listed(view.new_standards, lambda s: "• " + say.NEW_STANDARD_LINE.format(
                       touchpoint=f"**{safe(s.touchpoint.label)}**", text=safe(_short(s.text, chars)),
                       adopted_by=safe(s.adopted_by)), _LIST_STANDARDS)
    active = [t for t in view.touchpoints if t.wows or t.ows or t.wows_last_week or t.ows_last_week]
    body.append(heading(say.BY_TOUCHPOINT_HINT.format(title=say.BY_TOUCHPOINT)))
    if active:
        body.append({"type": "FactSet", "facts": [
            {"title": safe(t.touchpoint.label),
             "value": say.TOUCHPOINT_WEEK_FACT.format(
                 wows=t.wows, wows_change=_delta(t.wows - t.wows_last_week),
                 ows=t.ows, ows_change=_delta(t.ows - t.ows_last_week))} for t in active]})
    else:
        body.append(block(say.NO_MOMENTS_TWO_WEEKS, isSubtle=True))
    png = compact_chart(view) if chart else None
    if png is not None:
        body.append({"type": "Image", "url": "data:image/png;base64," + base64.b64encode(png).decode(),
                     "altText": say.CHART_ALT.format(week=view.week), "size": "Stretch"})
    if view.unfiled:
        body.append(block(say.NOT_FILED_YET.format(count=view.unfiled), isSubtle=True))
    if view.shoutouts:
        body.append(heading(say.SHOUT_OUTS))

        def shoutout(m: Any) -> str:
            extra = say.ME_TOO_EXTRA.format(count=m.me_too) if m.me_too else ""
            who = safe(_short(", ".join(m.credited), 200))
            said = safe(_short(m.text, min(chars, 200)))
            return "• " + say.SHOUT_OUT_LINE.format(who=f"**{who}**", text=said,
                                                    reporter=safe(m.reporter), extra=extra)

        body += listed(view.shoutouts, shoutout, "")
    if view.impact:
        body.append(heading(say.STANDARDS_HELPED_SHORT_HINT.format(title=say.STANDARDS_HELPED)))
        body += listed(view.impact, lambda i: f"• {safe(i.standard.touchpoint.label)}: "
                       f"{safe(_short(i.standard.text, chars))} — "
                       f"{_share(i.ow_share_before, i.moments_before)} → "
                       f"{_share(i.ow_share_since, i.moments_since)}", _LIST_STANDARDS)
    if view.turned_basic:
        body.append(heading(say.NOW_BASIC))
        body += listed(view.turned_basic,
                       lambda s: f"• {safe(s.touchpoint.label)}: {safe(_short(s.text, chars))}",
                       _LIST_STANDARDS)
    return card(body)


def standard_card(view: StandardView) -> Card:
    level = say.LEVEL_DELIGHT if view.level is StandardLevel.DELIGHT else say.LEVEL_BASIC
    return card([
        heading(say.NEW_STANDARD_AT.format(touchpoint=safe(view.touchpoint.label))),
        block(f"**{safe(view.text)}**"),
        block(say.ADOPTED_BY_LEVEL.format(adopted_by=safe(view.adopted_by), level=level),
              isSubtle=True),
    ])


def log_card(text: str, *, ref: str, author: str, author_name: str,
             touchpoints: Sequence[Touchpoint] = (), note: str = "") -> Card:
    """The "Log as a moment" form, prefilled with the message's text (already shortened to a
    moment's length; ``note`` says so)."""
    whose = say.FROM_PERSONS_MESSAGE.format(name=safe(author_name)) if author_name else say.FROM_A_MESSAGE
    body: list[Element] = [
        block(whose + say.WOW_CREDITS_OW_BLAMELESS, isSubtle=True),
        *([block(safe(note), isSubtle=True)] if note else []),
        {"type": "Input.ChoiceSet", "id": ids.LOG_KIND, "style": "expanded", "value": "wow",
         "label": say.WHAT_WAS_IT, "choices": [
             {"title": say.WOW_OPTION, "value": "wow"},
             {"title": say.OW_OPTION, "value": "ow"}]},
        {"type": "Input.Text", "id": ids.LOG_TEXT, "label": say.WHAT_HAPPENED, "isMultiline": True,
         "value": text[:MAX_MOMENT_CHARS], "maxLength": MAX_MOMENT_CHARS, "isRequired": True,
         "errorMessage": say.TELL_US_WHAT_HAPPENED},
    ]
    active = [t for t in touchpoints if t.active]
    if active:
        body.append(_touchpoint_select(ids.TOUCHPOINT, active, "", say.TOUCHPOINT_EMPTY_FILES))
    data = {ids.LOG_REF: ref, ids.LOG_AUTHOR: author, ids.LOG_AUTHOR_NAME: author_name}
    return card(body, [{"type": "Action.Submit", "title": say.LOG_IT, "data": data}])


# small helpers


def size(out: Card) -> int:
    """Bytes of the card as it travels (compact JSON, UTF-8)."""
    return len(json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode())


def _touchpoint_select(input_id: str, touchpoints: Iterable[Touchpoint], value: str,
                       label: str) -> Element:
    return {"type": "Input.ChoiceSet", "id": input_id, "style": "compact", "label": label,
            "value": value, "choices": [{"title": f"{t.emoji} {t.name}".strip(), "value": t.slug}
                                        for t in touchpoints]}


def _by_proposal(choices: Iterable[Choice], name: str) -> dict[int, Choice]:
    out: dict[int, Choice] = {}
    for c in choices:
        if c.action.name == name:
            out[int(c.action.arg("proposal"))] = c
    return out


def _short(text: str, limit: int) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _delta(n: int) -> str:
    return f"+{n}" if n > 0 else ("±0" if n == 0 else str(n))


def _share(value: float | None, n: int) -> str:
    return say.NO_MOMENTS if value is None else say.SHARE_OF.format(share=value, count=n)
