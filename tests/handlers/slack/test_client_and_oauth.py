"""The Web API client (429 and 5xx retried), the bot's own posts, and multi-workspace OAuth with
slack_sdk's SQLAlchemy installation and state stores."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy
import yaml
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.domain import MomentKind, Platform, Source
from bot.services import Actor, Services
from handlers.slack import ids
from handlers.slack.app import BOT_SCOPES, build_slack_door, make_client
from handlers.slack.blocks import fallback_text, reply_blocks
from handlers.slack.settings import SlackSettings
from tests.fakes import FakeFiler, FixedClock, InMemoryStore
from tests.handlers.slack.conftest import MONDAY, SECRET, Slack, command_body, wait_for
from tests.handlers.slack.fakes import InMemoryMessageCache, InMemoryRequestInbox
from tests.handlers.slack.stand_in import SlackApi
from tests.handlers.slack.test_http import request, serve


def test_429_with_retry_after_then_200_is_retried(slack: Slack) -> None:
    with slack.api.lock:
        slack.api.calls.clear()  # auth.test when the app was built
    slack.api.fail_next(429, {"Retry-After": "1"})
    slack.event({"type": "message", "channel": "C1", "user": "U1", "ts": "1700000000.000700",
                 "text": "OW: #baggage belt stopped", "channel_type": "channel"}, "EvR")
    started = time.monotonic()
    wait_for(lambda: slack.api.named("chat.postEphemeral"), timeout=10)
    first = slack.api.calls[0].method
    assert [c.method for c in slack.api.calls].count(first) == 2  # answered 429, asked again
    assert time.monotonic() - started >= 0.9  # after Retry-After
    assert len(slack.moments()) == 1


def test_the_weekly_digest_posts_as_block_kit_and_survives_a_server_error(api: SlackApi) -> None:
    store = InMemoryStore()
    services = Services(store=store, clock=FixedClock(MONDAY), make_filer=FakeFiler)
    ws = store.workspace(platform=Platform.SLACK, external_id="T1").id
    team = services.journey.setup_team(workspace_id=ws, actor=Actor("ULEAD"), channel="C1", name="Crew",
                                       template="airline")
    services.moments.report(workspace_id=ws, team_id=team.id, actor=Actor("U1"), kind=MomentKind.OW,
                            text="#baggage <!channel> belt stopped", source=Source.COMMAND)
    [post] = services.cycle.post_digest(workspace_id=ws, team_id=team.id)
    api.fail_next(500)
    client = make_client(SlackSettings(api_url=api.url), "xoxb-test")
    client.chat_postMessage(channel=post.channel, text=fallback_text(post.reply),
                            blocks=reply_blocks(post.reply))
    [failed, sent] = api.named("chat.postMessage")
    assert sent.args["channel"] == "C1" and sent.args["blocks"][0]["type"] == "header"
    assert sent.headers["Authorization"] == "Bearer xoxb-test"
    assert "<!channel>" not in api.recorded()


@pytest.fixture
def oauth(api: SlackApi, tmp_path: Path) -> Iterator[tuple[Slack, SQLAlchemyInstallationStore]]:
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'oauth.db'}")
    installations = SQLAlchemyInstallationStore(client_id="111.222", engine=engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    installations.create_tables()
    states.create_tables()  # type: ignore[no-untyped-call]
    installations.save(Installation(app_id="A1", team_id="T1", bot_token="xoxb-from-oauth", bot_id="B1",
                                    bot_user_id="UBOT", bot_scopes=list(BOT_SCOPES), user_id="UADMIN",
                                    installed_at=datetime.now(UTC).timestamp()))
    store = InMemoryStore()
    services = Services(store=store, clock=FixedClock(MONDAY), make_filer=FakeFiler)
    ws = store.workspace(platform=Platform.SLACK, external_id="T1").id
    team = services.journey.setup_team(workspace_id=ws, actor=Actor("ULEAD"), channel="C1", name="Crew",
                                       template="airline")
    settings = SlackSettings(signing_secret=SECRET, api_url=api.url, client_id="111.222",
                             client_secret="shh", history_interval_seconds=0.0)
    built = build_slack_door(settings, services, requests=InMemoryRequestInbox(),
                             messages=InMemoryMessageCache(),
                             installation_store=installations, state_store=states)
    yield Slack(built, api, services, store, FixedClock(MONDAY), ws, team.id), installations
    built.door.history.stop()


def test_oauth_mode_uses_each_workspaces_installed_token_and_forgets_it_on_uninstall(
    oauth: tuple[Slack, SQLAlchemyInstallationStore],
) -> None:
    slack, installations = oauth
    assert slack.api.named("auth.test") == []  # no startup check: tokens come per workspace
    slack.event({"type": "message", "channel": "C1", "user": "U1", "ts": "1700000000.000800",
                 "text": "WOW: <@U2> found a seat for the family #boarding"}, "EvO1")
    [told] = wait_for(lambda: slack.api.named("chat.postEphemeral"))
    assert told.headers["Authorization"] == "Bearer xoxb-from-oauth"
    slack.event({"type": "app_uninstalled"}, "EvO2")
    wait_for(lambda: installations.find_bot(enterprise_id=None, team_id="T1") is None)


def test_oauth_install_page_over_http(oauth: tuple[Slack, SQLAlchemyInstallationStore]) -> None:
    slack, _ = oauth
    for base in serve(slack.services, slack.app):
        status, page = request(f"{base}/slack/install")
        assert status == 200 and "https://slack.com/oauth/v2/authorize?state=" in page
        assert "client_id=111.222" in page and "scope=commands,chat:write" in page


def test_manifest_asks_for_what_the_code_uses() -> None:
    manifest = yaml.safe_load((Path(__file__).resolve().parents[3] / "manifest.yml").read_text())
    features, settings = manifest["features"], manifest["settings"]
    assert [c["command"] for c in features["slash_commands"]] == ["/wow", "/ow", "/moments"]
    assert all(ids.COMMANDS.match(c["command"]) for c in features["slash_commands"])
    assert features["shortcuts"] == [{"name": "Log as a moment", "type": "message",
                                      "callback_id": ids.LOG_SHORTCUT,
                                      "description": features["shortcuts"][0]["description"]}]
    assert features["app_home"]["home_tab_enabled"] and features["app_home"]["messages_tab_enabled"]
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "reaction_added", "reaction_removed", "message.channels", "message.groups", "message.im",
        "app_home_opened", "app_mention", "app_uninstalled", "tokens_revoked",
        "member_joined_channel"}
    assert settings["socket_mode_enabled"] is True and settings["interactivity"]["is_enabled"] is True
    assert json.dumps(manifest).count("/slack/events") == 5  # three commands, events, interactivity


def test_the_door_reads_its_own_settings_from_the_environment_as_serve_does() -> None:
    from bot.config import Settings
    from handlers.slack.settings import SlackSettings

    env = {"SLACK_LISTENER_THREADS": "9", "SLACK_ADMIN_CACHE_SECONDS": "30", "SLACK_BOT_TOKEN": "xoxb-t"}
    door = SlackSettings.of(Settings.from_env(env))  # moments serve passes only the Settings
    assert (door.listener_threads, door.admin_cache_seconds, door.bot_token) == (9, 30.0, "xoxb-t")
    assert SlackSettings.of(Settings.from_env({})).listener_threads == 2


def test_oauth_mode_reads_a_workspaces_installation_once_not_on_every_request(
    oauth: tuple[Slack, SQLAlchemyInstallationStore],
) -> None:
    """Every request is authorized before its ack: without a cache that is a database read of
    the installation and an auth.test call to Slack per request, in the 3 seconds Slack gives."""
    slack, installations = oauth
    reads: list[str] = []
    sqlalchemy.event.listen(installations.engine, "before_cursor_execute",
                            lambda *a: reads.append(a[2]))
    for i in range(3):  # one after the other (two at once could both look before either keeps it)
        slack.event({"type": "message", "channel": "C1", "user": "U1", "ts": f"170000000{i}.000900",
                     "text": f"WOW: <@U2> found seat {i} for the family #boarding"}, f"EvC{i}")
        wait_for(lambda: len(slack.api.named("chat.postEphemeral")) == i + 1)  # noqa: B023
    assert len(slack.api.named("auth.test")) == 1
    assert len([r for r in reads if r.lstrip().upper().startswith("SELECT")]) == 1
    # a reinstall (a new token) is used at once by the replica that saved it
    installations_store = slack.app.installation_store
    installations_store.save(Installation(app_id="A1", team_id="T1", bot_token="xoxb-reinstalled",
                                          bot_id="B1", bot_user_id="UBOT", bot_scopes=list(BOT_SCOPES),
                                          user_id="UADMIN", installed_at=datetime.now(UTC).timestamp()))
    slack.event({"type": "message", "channel": "C1", "user": "U1", "ts": "1700000009.000900",
                 "text": "WOW: <@U2> carried a bag upstairs #boarding"}, "EvC9")
    wait_for(lambda: len(slack.api.named("chat.postEphemeral")) == 4)
    assert slack.api.named("chat.postEphemeral")[-1].headers["Authorization"] == "Bearer xoxb-reinstalled"


def test_another_replicas_reinstall_is_seen_within_a_minute_and_a_new_install_at_once(
    tmp_path: Path,
) -> None:
    from handlers.slack.installs import CachedInstallationStore

    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'oauth.db'}")
    shared = SQLAlchemyInstallationStore(client_id="111.222", engine=engine)
    shared.create_tables()
    now = [0.0]
    mine = CachedInstallationStore(shared, ttl=60, clock=lambda: now[0])

    def install(token: str) -> None:  # as another replica would: straight into the database
        shared.save(Installation(app_id="A1", team_id="T1", bot_token=token, bot_id="B1", bot_user_id="UBOT",
                                 user_id="UADMIN", installed_at=datetime.now(UTC).timestamp() + now[0]))

    assert mine.find_bot(enterprise_id=None, team_id="T1") is None
    install("xoxb-first")
    assert mine.find_bot(enterprise_id=None, team_id="T1").bot_token == "xoxb-first"  # type: ignore[union-attr]
    install("xoxb-second")
    now[0] = 59
    assert mine.find_bot(enterprise_id=None, team_id="T1").bot_token == "xoxb-first"  # type: ignore[union-attr]
    now[0] = 61
    assert mine.find_bot(enterprise_id=None, team_id="T1").bot_token == "xoxb-second"  # type: ignore[union-attr]


def test_a_command_from_a_workspace_without_an_installation_is_told_to_reinstall(
    oauth: tuple[Slack, SQLAlchemyInstallationStore],
) -> None:
    """The command is answered (200) before Bolt authorizes it; Bolt, finding no installation,
    tells the person through the command's response_url, and nothing is stored or kept."""
    slack, _ = oauth
    body = command_body(slack.api, "/wow", "the gate agent found a seat").replace("team_id=T1", "team_id=T9")
    assert slack.post(body, "application/x-www-form-urlencoded").status == 200
    [told] = wait_for(slack.responses)
    assert "reinstall" in told["text"]
    slack.built.inbox.finisher.flush()
    assert slack.moments() == [] and slack.requests._kept == {}
