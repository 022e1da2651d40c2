"""The app package, and what the card renderer does with people's text."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest

from bot.config import Settings
from bot.markup import bold
from bot.views import VOTE, Action, Reply
from handlers.teams import cards, ids
from handlers.teams.package import write_teams_package
from handlers.teams.reading import parse_command

APP_ID = "11111111-2222-3333-4444-555555555555"


def test_the_package_has_a_manifest_with_the_bot_and_two_icons(tmp_path: Path) -> None:
    settings = Settings(microsoft_app_id=APP_ID, public_url="https://moments.example.com")
    path = write_teams_package(settings, tmp_path)
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(zf.read("manifest.json"))
        sizes = {name: struct.unpack(">II", zf.read(name)[16:24]) for name in ("color.png", "outline.png")}
    assert sizes == {"color.png": (192, 192), "outline.png": (32, 32)}
    [bot] = manifest["bots"]
    assert manifest["id"] == bot["botId"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    menus = {scope: [c["title"] for c in menu["commands"]] for menu in bot["commandLists"]
             for scope in menu["scopes"]}
    assert set(menus) == {"personal", "team", "groupChat"}
    for titles in menus.values():
        assert {"wow", "ow", "moments help", "moments stats", "moments standards"} <= set(titles)
        assert len(titles) <= 10
    assert "home" in menus["personal"] and "journey" not in menus["personal"]  # the home is personal
    assert "journey" in menus["team"] and "home" not in menus["team"]
    [command] = manifest["composeExtensions"][0]["commands"]
    assert (command["id"], command["type"], command["context"], command["fetchTask"]) == \
        (ids.LOG_COMMAND, "action", ["message"], True)
    assert manifest["validDomains"] == ["moments.example.com"]


def test_no_package_without_an_app_id(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="MICROSOFT_APP_ID"):
        write_teams_package(Settings(), tmp_path)


@pytest.mark.parametrize(("typed", "expected"), [
    ("wow the crew sang happy birthday", ("/wow", "the crew sang happy birthday")),
    ("WOW: a tidy cabin", ("/wow", "a tidy cabin")),
    ("ow lost bag", ("/ow", "lost bag")),
    ("/moments stats", ("/moments", "stats")),
    ("moments vote 3", ("/moments", "vote 3")),
    ("help", ("/moments", "help")),
    ("wowza", None),
    ("owner asked", None),
    ("hello there", None),
])
def test_what_people_type(typed: str, expected: tuple[str, str] | None) -> None:
    assert parse_command(typed) == expected


def test_user_text_cannot_dress_up_links() -> None:
    shown = cards.markdown(bold("WOW") + " logged: “[your bonus](https://evil.example) <https://x.example>”")
    assert "](" not in shown and "<https" not in shown
    assert shown.startswith("**WOW**")


def test_buttons_carry_the_core_action_and_come_back_as_it() -> None:
    choice = cards.Choice("Vote", Action.of(VOTE, proposal=3))
    [button] = cards.reply_card(Reply("Vote?", choices=(choice,)))["actions"]
    assert button["data"] == {ids.ACTION: VOTE, "proposal": "3"}
    assert cards.decode(dict(button["data"], msteams={"x": 1})) == choice.action
    assert cards.decode({"something": "else"}) is None
