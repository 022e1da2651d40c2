"""`/moments export` over signed HTTP: a lead gets the team's moments as a CSV in their DM."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest

from bot.domain import MomentKind, Source
from bot.services import Actor
from tests.handlers.slack.conftest import Slack, command_body, wait_for
from tests.handlers.slack.test_http import request, serve


@pytest.fixture
def server(slack: Slack) -> Iterator[str]:
    yield from serve(slack.services, slack.built)


def _post(slack: Slack, server: str, user: str) -> None:
    body = command_body(slack.api, "/moments", "export", user=user)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert request(f"{server}/slack/events", body, {**form, **slack.sign(body)})[0] == 200


def test_a_lead_gets_the_csv_in_a_direct_message(slack: Slack, server: str) -> None:
    slack.services.moments.report(workspace_id=slack.ws, channel="C1", actor=Actor("U1", "Ana"),
                                  kind=MomentKind.WOW, source=Source.COMMAND,
                                  text="<b>&</b> great help #boarding @U02ANA7")
    slack.services.moments.report(workspace_id=slack.ws, channel="C1", actor=Actor("U1", "Ana"),
                                  kind=MomentKind.OW, source=Source.COMMAND,
                                  text="=HYPERLINK(1) the queue at #boarding")
    _post(slack, server, "ULEAD")
    [upload] = wait_for(lambda: slack.api.named("upload"))
    [opened] = slack.api.named("conversations.open")
    assert opened.args["users"] == "ULEAD"
    [done] = wait_for(lambda: slack.api.named("files.completeUploadExternal"))
    assert done.args["channel_id"] == "DULEAD"
    rows = list(csv.reader(io.StringIO(upload.args["bytes"].decode())))
    assert rows[0] == ["id", "date", "kind", "touchpoint", "text", "credited"]
    assert [r[2] for r in rows[1:]] == ["wow", "ow"]
    assert rows[1][4].startswith("<b>&</b> great help") and rows[1][5] == "U02ANA7"
    assert rows[2][4].startswith("'") and rows[2][5] == ""  # no formula; an OW names nobody
    [reply] = wait_for(slack.responses)
    assert reply["response_type"] == "ephemeral" and "2 moments as a CSV file" in reply["text"]


def test_someone_else_is_refused_and_gets_no_file(slack: Slack, server: str) -> None:
    _post(slack, server, "U1")
    [reply] = wait_for(slack.responses)
    assert "Only the team's leads and workspace admins can export" in json.dumps(reply)
    assert slack.api.named("upload") == [] and slack.api.named("conversations.open") == []
