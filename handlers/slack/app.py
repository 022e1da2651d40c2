"""Building the Slack door: a Bolt App per Settings, no module-level app.

One workspace with SLACK_BOT_TOKEN, or many with SLACK_CLIENT_ID/SECRET and slack_sdk's SQLAlchemy
installation and state stores. The Web API client goes to SLACK_API_URL when set and retries on
429 (after Retry-After) and on 5xx. Bolt checks the bot token with auth.test when the app is
built (single workspace); that call goes to SLACK_API_URL too, so a stand-in answers it.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler

from bot.config import Settings
from bot.services import Services
from handlers.slack.door import FINISH_EVENT, SlackDoor
from handlers.slack.listeners import register_all
from handlers.slack.settings import SlackSettings

log = logging.getLogger(__name__)

# manifest.yml asks for exactly these (tests/slack/test_manifest.py keeps them in step)
BOT_SCOPES = (
    "commands",  # /wow, /ow, /moments and the message shortcut
    "chat:write",  # confirmations, the weekly prompt and digest
    "reactions:read",  # WOW and OW emoji
    "channels:history",  # WOW:/OW: messages and reacted messages' text, public channels
    "groups:history",  # the same in private channels the bot was invited to
    "im:history",  # WOW:/OW: messages sent to the bot
    "users:read",  # whether a person is a workspace admin or owner (leads)
    "app_mentions:read",  # "@moments stats"
    "files:write",  # the weekly digest's WOW/OW chart (handlers/notify.py)
)


def make_client(settings: Settings | SlackSettings, token: str | None = None) -> WebClient:
    url = settings.api_url if isinstance(settings, SlackSettings) else settings.slack_api_url
    client = WebClient(token=token or None, base_url=url or WebClient.BASE_URL, timeout=10)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=2))
    return client


def build_slack_app(settings: Settings | SlackSettings, services: Services, *,
                    installation_store: Any = None, state_store: Any = None) -> App:
    return build_slack_door(settings, services, installation_store=installation_store,
                            state_store=state_store).app


def build_slack_door(settings: Settings | SlackSettings, services: Services, *,
                     installation_store: Any = None, state_store: Any = None) -> SlackDoorApp:
    slack = settings if isinstance(settings, SlackSettings) else SlackSettings.of(settings)
    # process_before_response: the ack runs in the request's own thread and the HTTP answer
    # leaves when it returns; the lazy listeners run on this small pool either way, in HTTP and
    # in Socket Mode, so no work is lost after the response (we are not on FaaS).
    executor = ThreadPoolExecutor(max_workers=slack.listener_threads, thread_name_prefix="slack")
    common: dict[str, Any] = {"signing_secret": slack.signing_secret, "listener_executor": executor,
                              "process_before_response": True, "raise_error_for_unhandled_request": False}
    oauth = slack.oauth and installation_store is not None
    if oauth:
        app = App(**common, client=make_client(slack), installation_store=installation_store,
                  oauth_settings=OAuthSettings(
                      client_id=slack.client_id, client_secret=slack.client_secret, scopes=list(BOT_SCOPES),
                      installation_store=installation_store, state_store=state_store,
                      install_path="/slack/install", redirect_uri_path="/slack/oauth_redirect"))
    else:
        app = App(**common, client=make_client(slack, slack.bot_token))
    door = SlackDoor(slack, services, installation_store if oauth else None)
    app.middleware(dedupe(services))
    register_all(app, door)
    log.info("Slack door built (%s)", "OAuth, many workspaces" if oauth else "one workspace")
    return SlackDoorApp(app, door)


class SlackDoorApp:
    """The Bolt app and the door behind it (``fetch_text`` for the server's housekeeping)."""

    def __init__(self, app: App, door: SlackDoor) -> None:
        self.app = app
        self.door = door

    def fetch_text(self, client: Any, team_id: str, workspace_id: int, moment_id: int, channel: str,
                   ts: str) -> bool:
        return self.door.fetch_text(client, team_id, workspace_id, moment_id, channel, ts)


class EventFinisher:
    """Marks acknowledged events done in the background, a batch at a time, so that the ack
    path carries no extra database write. A mark not yet written (or lost with the process)
    costs nothing: Slack redelivers only what it saw unacknowledged, and a redelivery that finds
    the claim unfinished is told to try later, then finds it done or takes it over."""

    def __init__(self, services: Services, interval: float = 0.2, batch: int = 500) -> None:
        self._services = services
        self._interval = interval
        self._batch = batch
        self._pending: list[str] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, event_id: str) -> None:
        with self._cond:
            self._pending.append(event_id)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="slack-events-done", daemon=True)
                self._thread.start()
            self._cond.notify()

    def flush(self) -> None:
        with self._cond:
            ids, self._pending = self._pending[:self._batch], self._pending[self._batch:]
        if ids:
            try:
                self._services.store.finish_events(ids, self._services.clock.now())
            except Exception:  # the claims stay leases; redeliveries are still handled once
                log.warning("could not mark %d Slack events done", len(ids), exc_info=True)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending:
                    self._cond.wait()
            time.sleep(self._interval)  # let a batch gather
            self.flush()


def dedupe(services: Services, finisher: EventFinisher | None = None) -> Any:
    """Slack redelivers an event it thinks failed (X-Slack-Retry-Num); the envelope's event_id is
    claimed once in the database, before any work, so a retry never makes a second moment.

    The claim is marked done when the listener acknowledges the event. A process killed between
    claiming and acknowledging leaves an unfinished claim: a redelivery that finds one still
    fresh is answered 503 (Slack tries again later); one older than the lease takes it over."""
    done = finisher or EventFinisher(services)

    def claim(body: dict[str, Any], context: Any, next: Any) -> BoltResponse | None:  # noqa: A002
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if not event_id or body.get("type") != "event_callback":
            next()
            return None
        event_id = str(event_id)
        if not services.store.claim_event(event_id, services.clock.now()):
            if services.store.event_done(event_id):
                log.info("duplicate delivery of %s ignored", event_id)
                return BoltResponse(status=200, body="")
            log.info("%s is being handled elsewhere; Slack will deliver it again", event_id)
            return BoltResponse(status=503, body="")
        context[FINISH_EVENT] = lambda: done.add(event_id)
        next()
        return None

    return claim
