"""What Slack and Microsoft publish, as checks: their JSON Schemas (read from the shared schema
folder next to the repository, never copied in) and Block Kit's documented limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

SCHEMAS = Path(__file__).resolve().parents[3].parent / "shared" / "schemas"
CARD_LIMIT = 28 * 1024  # Teams refuses a message whose card is larger than about 28 KB


@cache
def schema(name: str) -> dict[str, Any]:
    """A published schema by file name; the test skips, saying why, when the folder is absent."""
    path = SCHEMAS / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: the platforms' published schemas are not on this machine")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def schema_errors(document: Any, name: str) -> list[str]:
    """Every way ``document`` breaks the schema, as "path: message" lines (empty: valid)."""
    from jsonschema import validators

    published = schema(name)
    validator = validators.validator_for(published)(published)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {_message(e)}"
            for e in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path)))]


def _message(error: Any) -> str:
    """The deepest cause of an anyOf/oneOf failure is the one that names the wrong field."""
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return str(error.message)[:300]


def card_schema(card: dict[str, Any]) -> str:
    return f"adaptive-card.{card['version']}.schema.json"


def card_size(card: dict[str, Any]) -> int:
    """Bytes on the wire, as the connector sends the attachment."""
    return len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode())


def card_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Action.* in a card: its actions and those of each ActionSet, however deep."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Action."):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


# Block Kit: Slack publishes no schema, only limits (api.slack.com/reference/block-kit)

MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100  # a modal or the App Home tab
TEXT_LIMITS = {"section": 3000, "header": 150, "context": 3000}
FIELD_TEXT = 2000
BUTTON_TEXT = 75
ACTION_ID = 255
BLOCK_ID = 255
VALUE = 2000
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
SECTION_FIELDS = 10
OPTION_TEXT = 75
OPTION_VALUE = 150
SELECT_OPTIONS = 100
MODAL_TITLE = 24
MODAL_BUTTON = 24
PRIVATE_METADATA = 3000
CALLBACK_ID = 255
INPUT_LABEL = 2000
INPUT_HINT = 2000
PLACEHOLDER = 150
MESSAGE_TEXT = 40000
IMAGE_URL = 3000  # an image block's image_url; its alt_text and title 2000 each
IMAGE_TEXT = 2000


def block_kit_problems(payload: dict[str, Any] | list[dict[str, Any]]) -> list[str]:
    """Every documented Block Kit limit a message (``{"blocks": [...]}`` or the block list) or a
    view (``{"type": "modal"|"home", ...}``) breaks; empty when Slack would accept it."""
    blocks = payload if isinstance(payload, list) else payload.get("blocks", [])
    problems: list[str] = []

    def check(ok: bool, where: str, what: str) -> None:
        if not ok:
            problems.append(f"{where}: {what}")

    view = isinstance(payload, dict) and payload.get("type") in ("modal", "home")
    if view:
        assert isinstance(payload, dict)
        check(len(blocks) <= SURFACE_BLOCKS, "view", f"{len(blocks)} blocks > {SURFACE_BLOCKS}")
        for key in ("title", "submit", "close"):
            if key in payload:
                text = payload[key]["text"]
                check(len(text) <= (MODAL_TITLE if key == "title" else MODAL_BUTTON), f"view.{key}",
                      f"{len(text)} chars")
        check(len(payload.get("private_metadata", "")) <= PRIVATE_METADATA, "view.private_metadata",
              "too long")
        check(len(payload.get("callback_id", "")) <= CALLBACK_ID, "view.callback_id", "too long")
        if payload.get("type") == "modal":
            check("title" in payload, "view", "a modal needs a title")
    else:
        check(len(blocks) <= MESSAGE_BLOCKS, "message", f"{len(blocks)} blocks > {MESSAGE_BLOCKS}")
        if isinstance(payload, dict) and "text" in payload:
            check(len(payload["text"]) <= MESSAGE_TEXT, "message.text", "too long")
    block_ids: set[str] = set()
    for n, block in enumerate(blocks):
        where = f"blocks[{n}] ({block.get('type')})"
        if "block_id" in block:
            check(len(block["block_id"]) <= BLOCK_ID, where, "block_id too long")
            check(block["block_id"] not in block_ids, where, "block_id not unique")
            block_ids.add(block["block_id"])
        kind = block.get("type")
        if kind in TEXT_LIMITS and isinstance(block.get("text"), dict):
            check(0 < len(block["text"]["text"]) <= TEXT_LIMITS[kind], where,
                  f"text of {len(block['text']['text'])} chars")
        if kind == "section":
            fields = block.get("fields", [])
            check(len(fields) <= SECTION_FIELDS, where, "too many fields")
            check(all(len(f["text"]) <= FIELD_TEXT for f in fields), where, "field text too long")
            check("text" in block or fields, where, "a section needs text or fields")
            if "accessory" in block:
                problems += _element(block["accessory"], f"{where}.accessory")
        elif kind == "context":
            elements = block.get("elements", [])
            check(0 < len(elements) <= CONTEXT_ELEMENTS, where, f"{len(elements)} elements")
            for e in elements:
                if "text" in e:
                    check(len(e["text"]) <= TEXT_LIMITS["context"], where, "context text too long")
        elif kind == "actions":
            elements = block.get("elements", [])
            check(0 < len(elements) <= ACTIONS_ELEMENTS, where, f"{len(elements)} elements")
            ids = [e.get("action_id") for e in elements if e.get("action_id")]
            check(len(ids) == len(set(ids)), where, "action_ids not unique in the block")
            for k, e in enumerate(elements):
                problems += _element(e, f"{where}.elements[{k}]")
        elif kind == "input":
            check(len(block["label"]["text"]) <= INPUT_LABEL, where, "label too long")
            if "hint" in block:
                check(len(block["hint"]["text"]) <= INPUT_HINT, where, "hint too long")
            problems += _element(block["element"], f"{where}.element")
        elif kind == "image":
            file = block.get("slack_file")
            check(("image_url" in block) != (file is not None), where, "image_url or slack_file, one of them")
            check(len(block.get("image_url", "")) <= IMAGE_URL, where, "image_url too long")
            if "image_url" in block:
                check(str(block["image_url"]).startswith(("https://", "http://")), where,
                      "image_url is not a web address")
            if file is not None:
                check(isinstance(file, dict) and ("id" in file) != ("url" in file), where,
                      "slack_file needs an id or a url")
            check(0 < len(block.get("alt_text", "")) <= IMAGE_TEXT, where, "alt_text missing or too long")
            if "title" in block:
                check(block["title"].get("type") == "plain_text"
                      and 0 < len(block["title"]["text"]) <= IMAGE_TEXT, where,
                      "title not plain_text within 2000")
    return problems


def _element(e: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []

    def check(ok: bool, what: str) -> None:
        if not ok:
            problems.append(f"{where} ({e.get('type')}): {what}")

    if "action_id" in e:
        check(len(e["action_id"]) <= ACTION_ID, f"action_id of {len(e['action_id'])} chars")
    if "placeholder" in e:
        check(len(e["placeholder"]["text"]) <= PLACEHOLDER, "placeholder too long")
    if e.get("type") == "button":
        check(0 < len(e["text"]["text"]) <= BUTTON_TEXT, f"button text of {len(e['text']['text'])} chars")
        check(len(e.get("value", "")) <= VALUE, f"value of {len(e.get('value', ''))} chars")
    options = list(_options(e))
    if e.get("type") in ("static_select", "multi_static_select"):
        check(0 < len(options) <= SELECT_OPTIONS, f"{len(options)} options")
        check(("options" in e) != ("option_groups" in e), "options or option_groups, not both")
    for o in options:
        check(len(o["text"]["text"]) <= OPTION_TEXT, f"option text of {len(o['text']['text'])} chars")
        check(len(o["value"]) <= OPTION_VALUE, f"option value of {len(o['value'])} chars")
    return problems


def _options(e: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from e.get("options", [])
    for group in e.get("option_groups", []):
        yield from group["options"]
