"""What reaches the log when a request to /slack/events is refused: one short line with the
reason, never the request's body (a moment's text is what a person wrote about a customer), and
never a stack trace for input nobody signed. Over real HTTP into the server `moments serve` runs."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.handlers.slack.conftest import SECRET, Slack, command_body, event_body, wait_for
from tests.handlers.slack.test_http import serve

TEXT = "Mrs Lindqvist in 14C cried when the crew found her late husband's ring"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@pytest.fixture
def info(caplog: pytest.LogCaptureFixture) -> None:
    """INFO from the start, as `moments serve` logs: Bolt's loggers take the root's level when
    the app is built (asked for before ``slack``, which builds it)."""
    caplog.set_level(logging.INFO)


@pytest.fixture
def server(slack: Slack) -> Iterator[str]:
    yield from serve(slack.services, slack.built)


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    req = urllib.request.Request(f"{url}/slack/events", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return err.code


def signed(body: bytes, stamp: str | None = None, secret: str = SECRET) -> dict[str, str]:
    stamp = stamp if stamp is not None else str(int(time.time()))
    mac = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={mac}"}


def logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every line the records would print, tracebacks included; aiohttp's access log (a line
    for every request, refused or not, with no body) left out."""
    lines = []
    for record in caplog.records:
        if record.name == "aiohttp.access":
            continue
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        lines.append(text)
    return lines


def test_a_stale_or_wrongly_signed_request_logs_its_reason_and_none_of_its_text(
    info: None, slack: Slack, server: str, caplog: pytest.LogCaptureFixture
) -> None:
    command = command_body(slack.api, "/wow", TEXT).encode()
    event = event_body({"type": "message", "channel": "C1", "user": "U1", "ts": "1.2",
                        "text": f"WOW: {TEXT}"}, "EvLeak").encode()
    for body, content_type in ((command, FORM), (event, JSON)):
        refusals = {"stale": signed(body, str(int(time.time()) - 6 * 60)),  # a clock 6 minutes off
                    "signature": signed(body, secret="the-secret-before-rotation")}
        for reason, headers in refusals.items():
            caplog.clear()
            with caplog.at_level(logging.INFO):
                assert post(server, body, {"Content-Type": content_type, **headers}) == 401
            lines = logged(caplog)
            assert not [line for line in lines if "Lindqvist" in line], lines
            assert len(lines) == 1 and len(lines[0]) < 200, lines
            assert reason in lines[0], lines
    assert slack.moments() == []


def test_a_genuine_moment_leaves_none_of_its_text_in_the_log(
    info: None, slack: Slack, server: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = command_body(slack.api, "/wow", f"#boarding {TEXT}").encode()
    with caplog.at_level(logging.INFO):
        assert post(server, body, {"Content-Type": FORM, **signed(body)}) == 200
        wait_for(slack.moments)
        wait_for(slack.responses)
    assert not [line for line in logged(caplog) if "Lindqvist" in line], logged(caplog)


DEEP = b"[" * 100_000
EVENT = event_body({"type": "message", "channel": "C1", "user": "U1", "ts": "1.2", "text": "WOW: hi"},
                   "EvJunk").encode()
BROKEN_UTF8 = b'{"type": "event_callback", "event_id": "Ev\xff\xfe", "event": {"type": "message"}}'


@pytest.mark.parametrize(("name", "body", "content_type", "sign", "stamp"), [
    ("unsigned deep JSON", DEEP, JSON, False, None),
    ("unsigned deep JSON as a form payload", b"payload=" + b"%5B" * 30_000, FORM, False, None),
    ("unsigned invalid UTF-8", BROKEN_UTF8, JSON, False, None),
    ("signed deep JSON", DEEP, JSON, True, None),
    ("signed invalid UTF-8", BROKEN_UTF8, JSON, True, None),
    ("signed, a timestamp that is no number", EVENT, JSON, True, "soon"),
    ("signed, an empty timestamp", EVENT, JSON, True, ""),
    ("signed command, a timestamp that is no number", b"command=%2Fwow&text=hi&team_id=T1&user_id=U1"
     b"&channel_id=C1&trigger_id=1.2.3", FORM, True, "1e9"),
])
def test_junk_gets_a_4xx_and_at_most_one_short_log_line(
    info: None, slack: Slack, server: str, caplog: pytest.LogCaptureFixture,
    name: str, body: bytes, content_type: str, sign: bool, stamp: str | None,
) -> None:
    headers = {"Content-Type": content_type}
    if sign:
        headers |= signed(body, stamp)
    with caplog.at_level(logging.INFO):
        statuses = [post(server, body, headers) for _ in range(3)]
    lines = logged(caplog)
    assert set(statuses) <= {400, 401}, (name, statuses)
    assert len(lines) <= 3 and sum(len(line) for line in lines) < 3 * 200, (name, lines)
    assert not [r for r in caplog.records if r.exc_info], name
