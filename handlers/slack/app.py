"""Building the Slack door: a Bolt App per Settings, no module-level app.

One workspace with SLACK_BOT_TOKEN, or many with SLACK_CLIENT_ID/SECRET and slack_sdk's SQLAlchemy
installation and state stores. The Web API client goes to SLACK_API_URL when set and retries on
429 (after Retry-After) and on 5xx. Bolt checks the bot token with auth.test when the app is
built (single workspace); that call goes to SLACK_API_URL too, so a stand-in answers it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler

from bot.config import Settings
from bot.services import Services
from handlers.observability import METRICS
from handlers.slack.door import SlackDoor
from handlers.slack.inbox import Inbox, Sealer
from handlers.slack.installs import CachedInstallationStore, caching_authorize
from handlers.slack.listeners import register_all
from handlers.slack.settings import SlackSettings

log = logging.getLogger(__name__)
T = TypeVar("T")

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
    executor = CountingExecutor(max_workers=slack.listener_threads, thread_name_prefix="slack")
    common: dict[str, Any] = {"signing_secret": slack.signing_secret, "listener_executor": executor,
                              "process_before_response": True, "raise_error_for_unhandled_request": False}
    oauth = slack.oauth and installation_store is not None
    if oauth:
        installation_store = CachedInstallationStore(installation_store)
        oauth_settings = OAuthSettings(
            client_id=slack.client_id, client_secret=slack.client_secret, scopes=list(BOT_SCOPES),
            installation_store=installation_store, state_store=state_store,
            install_path="/slack/install", redirect_uri_path="/slack/oauth_redirect")
        client = make_client(slack)
        authorize = caching_authorize(installation_store, slack.client_id, slack.client_secret, client)
        app = App(**common, client=client, installation_store=installation_store,
                  oauth_settings=oauth_settings, authorize=authorize)
    else:
        app = App(**common, client=make_client(slack, slack.bot_token))
    door = SlackDoor(slack, services, installation_store if oauth else None)
    inbox = Inbox(services, Sealer(slack.encryption_key))
    app.middleware(inbox.middleware())
    register_all(app, door)
    log.info("Slack door built (%s)", "OAuth, many workspaces" if oauth else "one workspace")
    return SlackDoorApp(app, door, inbox, executor, slack.max_backlog)


class CountingExecutor(ThreadPoolExecutor):
    """The lazy listeners' pool, knowing how many work items wait for a thread."""

    def __init__(self, max_workers: int, thread_name_prefix: str = "") -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self._waiting = 0
        self._count = threading.Lock()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        def started(*a: Any, **kw: Any) -> T:
            with self._count:
                self._waiting -= 1
            return fn(*a, **kw)

        with self._count:
            self._waiting += 1
        try:
            return super().submit(started, *args, **kwargs)
        except BaseException:  # shut down: nothing was queued
            with self._count:
                self._waiting -= 1
            raise


class SlackDoorApp:
    """The Bolt app, the door behind it (``fetch_text`` for the server's housekeeping), the
    inbox that replays what a stopped replica acknowledged, and the lazy listeners' pool."""

    def __init__(self, app: App, door: SlackDoor, inbox: Inbox, executor: CountingExecutor,
                 max_backlog: int = 2000) -> None:
        self.app = app
        self.door = door
        self.inbox = inbox
        self.executor = executor
        self.max_backlog = max_backlog

    def dispatch(self, request: BoltRequest) -> BoltResponse:
        """For the HTTP server: a request of a shape Bolt cannot handle is answered 400; a
        claimed request whose work never started gives its claim back. While more work waits
        for the listener threads than ``max_backlog`` (a flood of events), a new event is
        answered 503 before it is claimed: Slack delivers it again later, and the backlog, kept
        in memory, stays bounded. Commands and clicks are still taken: a person is waiting."""
        if not well_formed(request.body):
            return BoltResponse(status=400, body="malformed request")
        if request.body.get("type") == "event_callback" and self.executor.waiting >= self.max_backlog:
            METRICS.inc("slack_events_deferred_total")
            log.warning("%d Slack requests wait for a listener thread: event %s deferred (503)",
                        self.executor.waiting, request.body.get("event_id"))
            return BoltResponse(status=503, body="")
        return self.inbox.dispatch(self.app, request)

    @property
    def oauth_flow(self) -> Any:
        return self.app.oauth_flow

    def run_inbox(self, stop: threading.Event, every: float = 5.0) -> None:
        self.inbox.run(self.app, stop, every)

    def drain(self) -> None:
        """A graceful stop, once no new request can arrive: no more replays, the work
        acknowledged so far finishes, and is marked done."""
        self.inbox.replaying = False
        self.executor.shutdown(wait=True)
        self.inbox.finisher.flush()

    def fetch_text(self, client: Any, team_id: str, workspace_id: int, moment_id: int, channel: str,
                   ts: str) -> bool:
        return self.door.fetch_text(client, team_id, workspace_id, moment_id, channel, ts)


def parse_request(body: str, query: str, headers: Mapping[str, str]) -> BoltRequest | None:
    """A BoltRequest from an HTTP request, or None if its body cannot be read (broken JSON, an
    interactive ``payload`` that is not an object): Bolt would raise, and the answer be a 500."""
    try:
        return BoltRequest(body=body, query=query, headers=dict[str, str | Sequence[str]](headers))
    except (ValueError, AttributeError, TypeError):  # json.JSONDecodeError is a ValueError
        return None


def well_formed(body: Any) -> bool:
    """The shapes Bolt's own middleware relies on before any listener could refuse them."""
    if not isinstance(body, dict):
        return False
    if body.get("type") == "event_callback":
        event = body.get("event")
        return isinstance(event, dict) and isinstance(event.get("type"), str) \
            and bool(body.get("event_id"))  # Slack's retries are recognised by it
    if "command" in body:  # Slack gives every command a trigger id: its claim is keyed on it
        return bool(body.get("trigger_id"))
    return True
