"""Logs carry request ids and never tokens; metrics render in the Prometheus text format."""

from __future__ import annotations

import json
import logging

import pytest

from handlers.observability import (
    JsonFormatter,
    Metrics,
    _Context,
    count_reply_moment,
    request_scope,
    scrub,
)


@pytest.mark.parametrize("secret", [
    "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp", "xapp-1-A0123-4567-abcdef", "xoxp-1-2-3-abc",
    "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
])
def test_tokens_are_scrubbed(secret: str) -> None:
    assert secret not in scrub(f"calling api with {secret} now")
    assert "[secret]" in scrub(f"calling api with {secret} now")


def test_database_passwords_are_scrubbed() -> None:
    assert scrub("postgresql://moments:hunter2@db:5432/m") == "postgresql://[secret]@db:5432/m"


def test_json_log_lines_carry_the_request_id_and_no_token() -> None:
    record = logging.LogRecord("slack", logging.ERROR, __file__, 1,
                               "auth failed for %s", ("xoxb-111-222-secret",), None)
    with request_scope("req-42"):
        _Context().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-42" and line["level"] == "ERROR"
    assert "xoxb" not in line["message"]


def test_metrics_render_prometheus_text() -> None:
    m = Metrics()
    m.describe("posts_sent_total", "counter", "Weekly posts delivered.")
    m.inc("posts_sent_total", platform="slack", kind="digest")
    m.inc("posts_sent_total", 2, platform="slack", kind="digest")
    m.set("scheduler_leader", 1)
    text = m.render()
    assert "# TYPE posts_sent_total counter" in text
    assert 'posts_sent_total{kind="digest",platform="slack"} 3' in text
    assert "scheduler_leader 1" in text


def test_counting_a_reported_moment() -> None:
    from handlers.observability import METRICS
    from tests.conftest import STAFF, make_world

    world = make_world()
    before = METRICS.value("moments_logged_total", source="command", kind="ow")
    reply = world.router.handle(world.ctx(STAFF), "/ow", "#baggage bag lost")
    count_reply_moment(reply.view, "command")
    assert METRICS.value("moments_logged_total", source="command", kind="ow") == before + 1
