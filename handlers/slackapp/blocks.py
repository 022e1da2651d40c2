"""Block Kit rendering of the core's neutral replies, within Slack's limits, with user text escaped.

Slack's own limits are not checked for raw dicts, so they are enforced here: at most 50 blocks a
message (100 in a modal or the home tab), 3000 characters a section, 75 characters a button text,
25 elements an actions block, 2000 characters a button value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from bot.views import Action, Choice, Reply

MAX_MESSAGE_BLOCKS = 50
MAX_SURFACE_BLOCKS = 100
MAX_SECTION = 3000
MAX_BUTTON = 75
MAX_ACTIONS = 25

ACTION_PREFIX = "moments:"  # every button the bot draws has action_id "moments:<n>"
SHORTCUT = "log_moment"  # message shortcut callback id (manifest.yml)
LOG_MODAL = "log_moment_modal"  # view callback id
PROPOSE_MODAL = "propose_modal"
ANON_INPUT, TOUCHPOINT_INPUT = "anonymous", "touchpoint"
KIND_INPUT, TEXT_INPUT = "kind", "text"


def escape(text: str) -> str:
    """Slack's three control characters; afterwards nobody can write <!channel> or <@U1>."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mentions_in(text: str) -> str:
    """Core ``@U123`` mentions become Slack mentions again, after escaping the rest."""
    import re

    return re.sub(r"(?<![\w.])@(U[A-Z0-9]{6,12})\b", r"<@\1>", text)


def mrkdwn(text: str) -> str:
    """The core's neutral text, safe for Slack: escaped, mentions of Slack user ids restored."""
    return mentions_in(escape(text))


def chunks(text: str, size: int = MAX_SECTION) -> list[str]:
    """Split at line breaks where possible so no section exceeds Slack's limit."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > size:
            if current:
                out.append(current)
                current = ""
            out.append(line[: size - 1] + "…")
            line = ""
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > size:
            out.append(current)
            current = line
        else:
            current = candidate
    if current:
        out.append(current)
    return out or [" "]


def encode(action: Action) -> str:
    return json.dumps({"n": action.name, "a": dict(action.args)}, separators=(",", ":"))


def decode(value: str) -> Action:
    data = json.loads(value)
    return Action(str(data["n"]), tuple((str(k), str(v)) for k, v in dict(data["a"]).items()))


def button(choice: Choice, index: int) -> dict[str, Any]:
    label = choice.label if len(choice.label) <= MAX_BUTTON else choice.label[: MAX_BUTTON - 1] + "…"
    return {
        "type": "button",
        "action_id": f"{ACTION_PREFIX}{index}",
        "text": {"type": "plain_text", "text": label or "…", "emoji": True},
        "value": encode(choice.action),
    }


def reply_blocks(reply: Reply, *, limit: int = MAX_MESSAGE_BLOCKS) -> list[dict[str, Any]]:
    """Sections for the text, then buttons for the choices, never more than ``limit`` blocks."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": part}} for part in chunks(mrkdwn(reply.text))
    ]
    rows = [reply.choices[i: i + MAX_ACTIONS] for i in range(0, len(reply.choices), MAX_ACTIONS)]
    button_blocks = [
        {"type": "actions", "elements": [button(c, start * MAX_ACTIONS + i) for i, c in enumerate(row)]}
        for start, row in enumerate(rows)
    ]
    room = limit - len(button_blocks)
    if len(blocks) > room:
        blocks = blocks[: max(room - 1, 1)] + [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "… more in `/moments digest`."}]}
        ]
    return (blocks + button_blocks)[:limit]


def fallback_text(reply: Reply) -> str:
    """Notification text: the first line, escaped."""
    first = reply.text.split("\n", 1)[0]
    return escape(first)[:300]


def log_modal(text: str, kinds_first: str, private_metadata: str) -> dict[str, Any]:
    """The message shortcut's modal, prefilled with the message text."""
    options = [
        {"text": {"type": "plain_text", "text": "🌟 WOW: a customer was delighted"}, "value": "wow"},
        {"text": {"type": "plain_text", "text": "🩹 OW: a customer was let down"}, "value": "ow"},
    ]
    initial = options[0] if kinds_first == "wow" else options[1]
    return {
        "type": "modal",
        "callback_id": LOG_MODAL,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": "Log as a moment"},
        "submit": {"type": "plain_text", "text": "Log it"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "input", "block_id": KIND_INPUT, "label": {"type": "plain_text", "text": "Kind"},
             "element": {"type": "radio_buttons", "action_id": KIND_INPUT, "options": options,
                         "initial_option": initial}},
            {"type": "input", "block_id": TEXT_INPUT,
             "label": {"type": "plain_text", "text": "What happened"},
             "element": {"type": "plain_text_input", "action_id": TEXT_INPUT, "multiline": True,
                         "max_length": 3000, "initial_value": text[:3000]}},
        ],
    }


def home_view(sections: Iterable[str], choices: tuple[Choice, ...]) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    for text in sections:
        blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": p}} for p in chunks(mrkdwn(text))]
        blocks.append({"type": "divider"})
    rows = [choices[i: i + MAX_ACTIONS] for i in range(0, len(choices), MAX_ACTIONS)]
    actions = [{"type": "actions", "elements": [button(c, s * MAX_ACTIONS + i) for i, c in enumerate(r)]}
               for s, r in enumerate(rows)]
    blocks = blocks[: MAX_SURFACE_BLOCKS - len(actions)] + actions
    return {"type": "home", "blocks": blocks[:MAX_SURFACE_BLOCKS]}


def change_touchpoint(moment_id: int, options: list[tuple[str, str]], index: int = 99) -> dict[str, Any]:
    """A "Change touchpoint" select under a filed moment: (label, slug) options, at most 100."""
    from bot.views import FILE_MOMENT

    return {
        "type": "actions",
        "elements": [{
            "type": "static_select",
            "action_id": f"{ACTION_PREFIX}{index}",
            "placeholder": {"type": "plain_text", "text": "Change touchpoint", "emoji": True},
            "options": [
                {"text": {"type": "plain_text", "text": label[:MAX_BUTTON], "emoji": True},
                 "value": encode(Action.of(FILE_MOMENT, moment=moment_id, touchpoint=slug))}
                for label, slug in options[:100]
            ],
        }],
    }


def propose_modal(prompt_id: int, focus: list[tuple[str, str]]) -> dict[str, Any]:
    """Step 2 in a form: the idea, which focus touchpoint it answers, and whether to sign it."""
    options = [{"text": {"type": "plain_text", "text": label[:MAX_BUTTON], "emoji": True}, "value": slug}
               for label, slug in focus]
    return {
        "type": "modal",
        "callback_id": PROPOSE_MODAL,
        "private_metadata": str(prompt_id),
        "title": {"type": "plain_text", "text": "Propose a response"},
        "submit": {"type": "plain_text", "text": "Propose"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "input", "block_id": TEXT_INPUT,
             "label": {"type": "plain_text", "text": "What could we do that would delight the customer?"},
             "element": {"type": "plain_text_input", "action_id": TEXT_INPUT, "multiline": True,
                         "max_length": 1000}},
            {"type": "input", "block_id": TOUCHPOINT_INPUT,
             "label": {"type": "plain_text", "text": "Touchpoint"},
             "element": {"type": "static_select", "action_id": TOUCHPOINT_INPUT, "options": options,
                         "initial_option": options[0]}},
            {"type": "input", "block_id": ANON_INPUT, "optional": True,
             "label": {"type": "plain_text", "text": "Name"},
             "element": {"type": "checkboxes", "action_id": ANON_INPUT, "options": [
                 {"text": {"type": "plain_text", "text": "Propose anonymously"}, "value": "anon"}]}},
        ],
    }
