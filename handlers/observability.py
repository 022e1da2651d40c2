"""Logs with request ids and no secrets, and Prometheus metrics, for the doors and the scheduler.

Kept out of the core: doors count what they did (a moment logged, a filing asked, a post sent)
and the web server exposes ``/metrics``. No dependency: the text format is simple.
"""

from __future__ import annotations

import contextvars
import itertools
import json
import logging
import re
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# A request's id when none came with it: this process's random prefix and a count. (uuid4 per
# request asked the kernel for randomness on the event loop, and every such call let a busy
# work thread take the interpreter lock from the acks.)
_PREFIX = uuid.uuid4().hex[:6]
_NEXT = itertools.count(1)

# Slack tokens (bot, user, app, config, refresh), bearer headers, and secrets in URLs.
SECRET = re.compile(
    r"(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|xoxe(?:\.xox[bp])?-[A-Za-z0-9-]+"
    r"|(?i:bearer)\s+[A-Za-z0-9._~+/=-]+|(?<=://)[^/\s:@]+:[^/\s@]+(?=@))"
)


def scrub(text: str) -> str:
    return SECRET.sub("[secret]", text)


@contextmanager
def request_scope(request_id: str | None = None) -> Iterator[str]:
    """Everything logged inside carries this request id."""
    token = REQUEST_ID.set(request_id or f"{_PREFIX}{next(_NEXT):06x}")
    try:
        yield REQUEST_ID.get()
    finally:
        REQUEST_ID.reset(token)


class _Context(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line, secrets scrubbed from the message and the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": scrub(record.getMessage()),
        }
        if record.exc_info:
            entry["error"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def configure_logging(level: str = "INFO", *, json_lines: bool = False) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(_Context())
    handler.setFormatter(JsonFormatter() if json_lines else PlainFormatter(
        "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("alembic", "apscheduler"):  # a line a minute from the scheduler tells nothing
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


class Metrics:
    """Counters and gauges with labels, rendered in the Prometheus text format."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
        self._help: dict[str, tuple[str, str]] = {}

    def describe(self, name: str, kind: str, text: str) -> None:
        self._help[name] = (kind, text)

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        key = (name, tuple(sorted(labels.items())))
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def set(self, name: str, value: float, **labels: str) -> None:
        with self._lock:
            self._values[(name, tuple(sorted(labels.items())))] = value

    def value(self, name: str, **labels: str) -> float:
        return self._values.get((name, tuple(sorted(labels.items()))), 0.0)

    def render(self) -> str:
        lines: list[str] = []
        with self._lock:
            items = sorted(self._values.items())
        described: set[str] = set()
        for (name, labels), value in items:
            if name not in described and name in self._help:
                kind, text = self._help[name]
                lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
                described.add(name)
            lines.append(f"{name}{_labels(labels)} {_number(value)}")
        return "\n".join(lines) + "\n"


def _labels(labels: tuple[tuple[str, str], ...]) -> str:
    if not labels:
        return ""
    body = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
    return "{" + body + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


METRICS = Metrics()
for _name, _kind, _text in (
    ("moments_logged_total", "counter", "Moments stored, by source and kind."),
    ("moments_filed_total", "counter", "How moments got their touchpoint: explicit, auto or asked."),
    ("posts_sent_total", "counter", "Weekly posts delivered, by platform and kind."),
    ("posts_failed_total", "counter", "Weekly post deliveries that failed, by platform and kind."),
    ("scheduler_leader", "gauge", "1 on the replica that runs the weekly schedule."),
    ("http_requests_total", "counter", "HTTP requests, by route and status."),
    ("slack_requests_replayed_total", "counter",
     "Slack requests a stopped replica acknowledged and this one ran again."),
    ("slack_requests_given_up_total", "counter",
     "Slack requests dropped after three attempts (each took a replica down) or unreadable."),
    ("slack_claims_failed_total", "counter",
     "Slack requests not taken on because the database could not be written (503 or 'try again')."),
    ("slack_requests_refused_total", "counter",
     "Slack requests refused (401) because their signature does not hold, by reason."),
    ("slack_events_deferred_total", "counter",
     "Slack events answered 503 (Slack delivers them again later) because too much work was waiting."),
    ("slack_rate_limited_total", "counter",
     "Slack Web API calls answered 429: that method waits Retry-After for that workspace, by method."),
):
    METRICS.describe(_name, _kind, _text)


def count_reply_moment(view: object, source: str) -> None:
    """Doors call this with Reply.view after a report: it counts logged moments and filings."""
    from bot.domain import Moment

    if isinstance(view, Moment):
        METRICS.inc("moments_logged_total", source=source, kind=view.kind.value)
        METRICS.inc("moments_filed_total", how=view.filing.value)


def env_flag(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")
