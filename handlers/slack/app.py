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
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.lazy_listener import ThreadLazyListenerRunner
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request.internals import parse_body
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.config import Settings
from bot.services import Services
from handlers.observability import METRICS
from handlers.slack.door import KNOWING_WHO, SlackDoor
from handlers.slack.inbox import Inbox, Sealer, request_key
from handlers.slack.installs import CachedInstallationStore, caching_authorize
from handlers.slack.listeners import register_all
from handlers.slack.people import installing_team
from handlers.slack.ports import MessageCache, RequestInbox
from handlers.slack.sender import TRIGGER_PATIENCE  # (what Bolt's own calls wait for a 429, at most)
from handlers.slack.settings import SlackSettings
from handlers.slack.signing import RequestVerification, refusal, refused, verifier_for

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
    "files:write",  # the weekly digest's WOW/OW chart (handlers/notify.py), /moments export
    "im:write",  # /moments export: the CSV goes to the asker's DM (handlers/slack/export.py)
    "channels:read",  # member_joined_channel: the welcome (listeners/first.py); a channel's name
    "groups:read",  # the same in private channels
)


class PatientUpTo(RateLimitErrorRetryHandler):
    """A 429 waited out and asked again only when Slack's Retry-After is at most ``seconds``.
    For calls made while a person waits on a trigger_id that lasts 3 seconds (views.open): a
    longer wait would only let it expire, so the call fails at once and the person is told to
    try again, and the listener thread is not held."""

    def __init__(self, seconds: float, max_retry_count: int = 3) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.seconds = seconds

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        if response is None or response.status_code != 429:
            return False
        for key, value in response.headers.items():
            if key.lower() == "retry-after":
                try:
                    return float(value[0] if isinstance(value, list) else value) <= self.seconds
                except (TypeError, ValueError):
                    return False
        return self.seconds >= 1.0  # (no Retry-After: the handler's own one-second wait)


def make_client(settings: Settings | SlackSettings, token: str | None = None, *,
                patience: float | None = None) -> WebClient:
    """A synchronous Web API client: 429s waited out (Retry-After, 3 times), 5xx retried.
    ``patience``: the longest Retry-After worth waiting (None: any)."""
    url = settings.api_url if isinstance(settings, SlackSettings) else settings.slack_api_url
    client = WebClient(token=token or None, base_url=url or WebClient.BASE_URL, timeout=10)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3) if patience is None
                                 else PatientUpTo(patience))
    client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=2))
    return client


def build_slack_app(settings: Settings | SlackSettings, services: Services, *, requests: RequestInbox,
                    messages: MessageCache, installation_store: Any = None,
                    state_store: Any = None) -> App:
    return build_slack_door(settings, services, requests=requests, messages=messages,
                            installation_store=installation_store, state_store=state_store).app


def build_slack_door(settings: Settings | SlackSettings, services: Services, *, requests: RequestInbox,
                     messages: MessageCache, installation_store: Any = None,
                     state_store: Any = None) -> SlackDoorApp:
    """The Bolt app and its door; ``requests`` is the door's request inbox (claims, replays),
    ``messages`` its cache of recent channel messages."""
    slack = settings if isinstance(settings, SlackSettings) else SlackSettings.of(settings)
    # process_before_response: the ack runs in the request's own thread and the HTTP answer
    # leaves when it returns; the work after it (after_ack, and Bolt's lazy listeners for clicks
    # and forms) runs on this small pool, in HTTP and in Socket Mode (we are not on FaaS).
    executor = CountingExecutor(max_workers=slack.listener_threads, thread_name_prefix="slack",
                                yield_below=slack.max_backlog)
    # Bolt's own signature check logs a refused request's whole body: ours says only why
    common: dict[str, Any] = {"signing_secret": slack.signing_secret, "listener_executor": executor,
                              "process_before_response": True, "raise_error_for_unhandled_request": False,
                              "request_verification_enabled": False,
                              "before_authorize": RequestVerification(slack.signing_secret)}
    oauth = slack.oauth and installation_store is not None
    if oauth:
        installation_store = CachedInstallationStore(installation_store)
        oauth_settings = OAuthSettings(
            client_id=slack.client_id, client_secret=slack.client_secret, scopes=list(BOT_SCOPES),
            installation_store=installation_store, state_store=state_store,
            install_path="/slack/install", redirect_uri_path="/slack/oauth_redirect")
        client = make_client(slack, patience=TRIGGER_PATIENCE)
        authorize = caching_authorize(installation_store, slack.client_id, slack.client_secret, client)
        app = App(**common, client=client, installation_store=installation_store,  # (Bolt takes an
                  oauth_settings=oauth_settings, authorize=authorize)  # type: ignore[arg-type]  # Authorize)
    else:
        app = App(**common, client=make_client(slack, slack.bot_token, patience=TRIGGER_PATIENCE))
    door = SlackDoor(slack, services, installation_store if oauth else None, messages=messages)
    inbox = Inbox(services, Sealer(slack.encryption_key), requests=requests)
    app.middleware(inbox.middleware())
    base_url = str(app.client.base_url)
    if oauth:  # the token Bolt would find, if it is at hand (else the work asks users.info itself)
        installs = installation_store

        def token_of(body: dict[str, Any]) -> str:
            return str(installs.kept_bot_token(installing_team(body)))
    else:
        def token_of(body: dict[str, Any]) -> str:
            return slack.bot_token
    inbox.prefetch = lambda body, then: door.prefetch(body, token_of(body), base_url, then)
    inbox.replicas_alive = door.sender.tiers.share  # the replicas share each workspace's tiers
    app.listener_runner.lazy_listener_runner = WhoFirst(
        app.listener_runner.lazy_listener_runner.logger, executor,
        lambda body, then: door.prefetch_clicker(body, token_of(body), base_url, then))
    register_all(app, door)
    log.info("Slack door built (%s)", "OAuth, many workspaces" if oauth else "one workspace")
    return SlackDoorApp(app, door, inbox, executor, slack.max_backlog, slack.signing_secret)


class WhoFirst(ThreadLazyListenerRunner):
    """Bolt's runner of lazy listeners (the work after a click, a form or a shortcut), except
    that work marked ``door.knowing_who`` from a person not known yet is queued only once
    users.info answered (or failed: the work then goes on as if its own call had failed),
    asked on the sender's loop right after the ack. So a listener thread is not held waiting on Slack for who
    is acting, as ``Inbox.take`` does for commands and messages. Interactive payloads have no
    claim (``sealing.request_key``), so nothing else changes."""

    def __init__(self, logger: logging.Logger, executor: ThreadPoolExecutor,
                 prefetch: Callable[[dict[str, Any], Callable[[], None]], bool]) -> None:
        super().__init__(logger, executor)
        self.prefetch = prefetch

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        queue = super().start
        if getattr(function, KNOWING_WHO, False) and self.prefetch(
                request.body, lambda: queue(function=function, request=request)):
            return
        queue(function=function, request=request)


class CountingExecutor(ThreadPoolExecutor):
    """The listeners' pool for the work after the ack, knowing how many work items wait for a
    thread, and letting acknowledgements go first: a work item starts once no request has been
    acknowledged for ``grace`` seconds (the gaps inside a burst are shorter; between a team's
    requests, longer), or once it is ``yield_for`` seconds old (since its request was
    answered), whichever comes first. The acks and the work share one interpreter lock, and a
    busy work thread makes every step of an ack wait its turn; Slack gives an ack 3 seconds, and
    the work can run a little behind, but no further: in a long flood the oldest work no longer
    waits, so it is never starved. Past ``yield_below`` items waiting it does not wait either
    (events are answered 503 from ``max_backlog`` on). (The work threads once also ran at a lower
    OS priority; with this wait, that only cost throughput, probably because a descheduled work
    thread can hold the interpreter lock the event loop waits for. And the work once stopped
    waiting past half the backlog: in a burst of 1,500 requests the last third of the acks then
    came at half the rate, docs/benchmarks.md.)"""

    def __init__(self, max_workers: int, thread_name_prefix: str = "", yield_below: int = 2000,
                 yield_for: float = 1.0, grace: float = 0.005) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self._waiting = 0
        self._count = threading.Lock()
        self._acks = 0
        self._acks_lock = threading.Lock()
        self.yield_below = yield_below
        self.yield_for = yield_for
        self.grace = grace
        self._last_ack = 0.0

    def acknowledging(self) -> _Acking:
        """Around an acknowledgement: the work waits while one is in flight (see ``_quiet``)."""
        return _Acking(self)

    def _quiet(self, deadline: float) -> None:
        """Wait (until ``deadline``) until no ack has been in flight for ``grace`` seconds. It
        looks again rather than being woken, so an ack costs the event loop no notification:
        after the rest of the grace when none is in flight, else after ``5 * grace`` (every
        wake-up of a work thread takes the interpreter lock from the acks for a moment)."""
        while True:
            now = time.monotonic()
            calm = now - self._last_ack
            if now >= deadline or (not self._acks and calm >= self.grace):
                return
            time.sleep(min(deadline - now, self.grace - calm if not self._acks else 5 * self.grace))

    @property
    def waiting(self) -> int:
        return self._waiting

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        due = time.monotonic() + self.yield_for  # (the ack has been sent, or is being sent)

        def started(*a: Any, **kw: Any) -> T:
            with self._count:
                self._waiting -= 1
            if self._waiting < self.yield_below:
                self._quiet(due)
            return fn(*a, **kw)

        with self._count:
            self._waiting += 1
        try:
            return super().submit(started, *args, **kwargs)
        except BaseException:  # shut down: nothing was queued
            with self._count:
                self._waiting -= 1
            raise


class _Acking:
    """``CountingExecutor.acknowledging``: a class, not a generator, on the ack path."""

    __slots__ = ("_pool",)

    def __init__(self, pool: CountingExecutor) -> None:
        self._pool = pool

    def __enter__(self) -> None:
        pool = self._pool
        with pool._acks_lock:
            pool._acks += 1

    def __exit__(self, *_: object) -> None:
        pool = self._pool
        with pool._acks_lock:
            pool._acks -= 1
            pool._last_ack = time.monotonic()


class SlackDoorApp:
    """The Bolt app, the door behind it (``fetch_text`` for the server's housekeeping), the
    inbox that replays what a stopped replica acknowledged, and the listener pool."""

    def __init__(self, app: App, door: SlackDoor, inbox: Inbox, executor: CountingExecutor,
                 max_backlog: int = 2000, signing_secret: str = "") -> None:
        self.app = app
        self.door = door
        self.inbox = inbox
        self.executor = executor
        self.max_backlog = max_backlog
        self._verifier = verifier_for(signing_secret)
        self._deferrals, self._deferrals_told = 0, -10.0

    def dispatch(self, request: BoltRequest) -> BoltResponse:
        """For the HTTP server: a request of a shape Bolt cannot handle is answered 400; a
        claimed request whose work never started gives its claim back. While more work waits
        for the listener threads than ``max_backlog`` (a flood of events), a new event is
        answered 503 before it is claimed: Slack delivers it again later, and the backlog, kept
        in memory, stays bounded. Commands and clicks are still taken: a person is waiting."""
        if not well_formed(request.body):
            return BoltResponse(status=400, body="malformed request")
        deferred = self._deferred(request.body)
        if deferred is not None:
            return deferred
        with self.executor.acknowledging():
            return self.inbox.dispatch(self.app, request)

    def _deferred(self, body: dict[str, Any]) -> BoltResponse | None:
        if body.get("type") == "event_callback" and self.executor.waiting >= self.max_backlog:
            METRICS.inc("slack_events_deferred_total")
            self._deferrals += 1
            now = time.monotonic()
            if now - self._deferrals_told >= 10:  # a flood would otherwise log a line per event
                log.warning("%d Slack requests wait for a listener thread: %d events deferred (503) "
                            "since the last such line, event %s the latest", self.executor.waiting,
                            self._deferrals, body.get("event_id"))
                self._deferrals, self._deferrals_told = 0, now
            return BoltResponse(status=503, body="")
        return None

    async def acknowledge(self, raw: str, headers: Mapping[str, str]) -> BoltResponse | None:
        """The short way in for what Slack sends most, an event or a slash command: its
        signature checked as Bolt would, then claimed and answered here, on the server's event
        loop; Bolt's middleware and the listener run after the answer, on the listener pool,
        like all work after an ack. Bolt's dispatch cost about half the CPU of an answer, and
        none of it decides the answer to a request with a key (an empty 200). A bad signature is
        answered 401 here, before its body is read. None for anything else, which Bolt answers:
        clicks and forms, url_verification, a body that cannot be read (400)."""
        if self._verifier is None:
            return None
        why = refusal(self._verifier, raw, headers.get("X-Slack-Request-Timestamp"),
                      headers.get("X-Slack-Signature"))
        if why is not None:
            return refused(why)
        try:
            body = parse_body(raw, (headers.get("Content-Type") or "").split(";")[0].strip().lower())
        except (ValueError, TypeError, AttributeError, RecursionError):  # broken or too deep JSON
            return None
        key = request_key(body)
        if key is None or not well_formed(body) or from_a_bot(body):
            return None
        deferred = self._deferred(body)
        if deferred is not None:
            return deferred
        with self.executor.acknowledging():
            return await self.inbox.take(self.app, self.executor, body, key)

    @property
    def oauth_flow(self) -> Any:
        return self.app.oauth_flow

    def run_inbox(self, stop: threading.Event, every: float = 5.0) -> None:
        self.inbox.run(self.app, stop, every)

    def drain(self) -> None:
        """A graceful stop, once no new request can arrive: no more replays, the work
        acknowledged so far finishes, and is marked done."""
        self.inbox.replaying = False
        self.door.sender.drain()  # users.info asked ahead of work not yet queued
        self.executor.shutdown(wait=True)
        if not self.door.sender.drain():
            log.warning("some Slack replies were still unanswered when the process stopped; their "
                        "requests will be replayed")
        self.door.sender.close()
        self.inbox.finisher.flush()

    def fetch_text(self, client: Any, team_id: str, workspace_id: int, moment_id: int, channel: str,
                   ts: str) -> bool:
        return self.door.fetch_text(client, team_id, workspace_id, moment_id, channel, ts)


def parse_request(body: str, query: str, headers: Mapping[str, str]) -> BoltRequest | None:
    """A BoltRequest from an HTTP request, or None if its body cannot be read (broken JSON, an
    interactive ``payload`` that is not an object): Bolt would raise, and the answer be a 500."""
    try:
        return BoltRequest(body=body, query=query, headers=dict[str, str | Sequence[str]](headers))
    except (ValueError, AttributeError, TypeError, RecursionError):  # (JSONDecodeError is a ValueError;
        return None  # RecursionError: JSON nested too deep for the parser)


def from_a_bot(body: dict[str, Any]) -> bool:
    """An event a bot caused (the weekly prompt this bot posted, say): Bolt drops this bot's own
    before any claim is written, so it goes Bolt's way."""
    event = body.get("event")
    return isinstance(event, dict) and bool(event.get("bot_id") or event.get("subtype") == "bot_message")


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
