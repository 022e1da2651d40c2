"""manifest.yml asks for what the code listens to, and no more."""

from __future__ import annotations

from pathlib import Path

import yaml

from handlers.slackapp.app import BOT_SCOPES
from handlers.slackapp.blocks import SHORTCUT

MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[2] / "manifest.yml").read_text())


def test_commands_shortcut_events_and_scopes_match_the_code() -> None:
    features = MANIFEST["features"]
    assert [c["command"] for c in features["slash_commands"]] == ["/wow", "/ow", "/moments"]
    assert features["shortcuts"][0]["callback_id"] == SHORTCUT
    assert features["app_home"]["home_tab_enabled"] is True
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    events = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert {"reaction_added", "reaction_removed", "message.channels", "message.im", "app_home_opened",
            "app_mention", "app_uninstalled", "tokens_revoked"} <= events
    assert MANIFEST["settings"]["socket_mode_enabled"] is True
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
