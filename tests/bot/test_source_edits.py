"""The core's rule for moments made from a chat message whose message is edited or deleted
(``CaptureService.source_edited`` / ``source_deleted``), on the in-memory fake, SQLite and
PostgreSQL alike. (The Slack door's own copy of the message follows it too:
tests/handlers/slack/test_edits.py.)"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from bot.domain import Filing, MomentKind, Platform, Source
from bot.ports import Store
from bot.services import Actor, Services
from bot.services.capture import DELETED
from tests.conftest import MONDAY, OTHER, STAFF
from tests.fakes import FakeFiler, FixedClock
from tests.storage.conftest import (  # noqa: F401 - fixtures: the Store contract's three stores
    new_postgres_database,
    postgres_admin,
    postgres_url,
    sqlite_template,
    sqlite_url,
    store,
)

CHANNEL, TS = "C-gate", "1700000000.000100"
COLLEAGUE = Actor("ana", "Ana")


@pytest.fixture
def services(store: Store) -> Iterator[tuple[Services, int, int]]:  # noqa: F811
    services = Services(store=store, clock=FixedClock(MONDAY), make_filer=FakeFiler)
    ws = store.workspace(platform=Platform.SLACK, external_id=f"T-{uuid.uuid4().hex}").id  # a shared database
    team = services.journey.setup_team(workspace_id=ws, actor=Actor("lena", "Lena"), channel=CHANNEL,
                                       name="Gate crew", template="airline")
    yield services, ws, team.id


def reacted(services: Services, ws: int, team: int, text: str | None, kind: MomentKind = MomentKind.WOW,
            ts: str = TS) -> int:
    done = services.capture.react(workspace_id=ws, team_id=team, actor=STAFF, kind=kind,
                                  message_ref=f"{CHANNEL}/{ts}", author_id=COLLEAGUE.user_id, text=text)
    services.capture.me_too(workspace_id=ws, moment_id=done.moment.id, actor=OTHER)
    return done.moment.id


def test_an_edit_rewords_the_quoting_moment_and_what_was_learned_and_keeps_the_rest(
        services: tuple[Services, int, int]) -> None:
    s, ws, team = services
    moment_id = reacted(s, ws, team, "Ana rebooked a family at the boarding gate")
    s.moments.refile(workspace_id=ws, moment_id=moment_id, actor=STAFF, touchpoint="boarding")
    with s.store.transaction(ws) as repo:
        before = repo.moment(moment_id)
    changed = s.capture.source_edited(workspace_id=ws, channel=CHANNEL, ts=TS,
                                      text="Ana rebooked the Olsens at boarding, olsen@example.com #boarding")
    assert not changed.gone and [m.id for m in changed.moments] == [moment_id]
    with s.store.transaction(ws) as repo:
        after = repo.moment(moment_id)
        feedback = [f.text for f in repo.filing_feedback() if f.moment_id == moment_id]
    assert before is not None and after is not None
    assert after.text == "Ana rebooked the Olsens at boarding, [email]"
    assert (after.kind, after.touchpoint_id, after.filing, after.credited, after.also_reported_by,
            after.reporter_id) == (before.kind, before.touchpoint_id, Filing.CONFIRMED, ("ana",),
                                   ("omar",), "sam")
    assert feedback == ["Ana rebooked the Olsens at boarding, [email]"]
    # what a door may keep of the new words is redacted the same way
    assert s.capture.keepable(workspace_id=ws, text="Olsens, olsen@example.com") == "Olsens, [email]"


def test_a_delete_erases_the_text_and_what_was_learned_and_keeps_the_count(
        services: tuple[Services, int, int]) -> None:
    s, ws, team = services
    moment_id = reacted(s, ws, team, "Mrs Olsen in 14C cried at the gate", MomentKind.OW)
    s.moments.refile(workspace_id=ws, moment_id=moment_id, actor=STAFF, touchpoint="boarding")
    changed = s.capture.source_deleted(workspace_id=ws, channel=CHANNEL, ts=TS)
    assert changed.gone and [m.id for m in changed.moments] == [moment_id]
    with s.store.transaction(ws) as repo:
        after = repo.moment(moment_id)
        learned = [f for f in repo.filing_feedback() if f.moment_id == moment_id]
        assert len(repo.moments(team)) == 1
    assert after is not None and after.text == DELETED and not after.retracted
    assert after.kind is MomentKind.OW and after.touchpoint_id is not None
    assert after.also_reported_by == ("omar",)
    assert learned == []
    # a second delivery of the same event changes nothing more
    assert s.capture.source_deleted(workspace_id=ws, channel=CHANNEL, ts=TS).moments == (after,)


def test_an_edit_to_nothing_is_a_delete_and_a_moment_waiting_for_its_text_is_filed_by_an_edit(
        services: tuple[Services, int, int]) -> None:
    s, ws, team = services
    emptied = reacted(s, ws, team, "Ana kept the queue moving")
    waiting = reacted(s, ws, team, None, ts="1700000000.000200")
    assert s.capture.source_edited(workspace_id=ws, channel=CHANNEL, ts=TS, text=" \n ").gone
    s.capture.source_edited(workspace_id=ws, channel=CHANNEL, ts="1700000000.000200",
                            text="Ana found a wheelchair at boarding in two minutes")
    with s.store.transaction(ws) as repo:
        first, second = repo.moment(emptied), repo.moment(waiting)
    assert first is not None and first.text == DELETED
    assert second is not None and second.text == "Ana found a wheelchair at boarding in two minutes"
    assert s.capture.fill_text(workspace_id=ws, moment_id=waiting, text="stale") is None


def test_moments_people_wrote_themselves_are_theirs(services: tuple[Services, int, int]) -> None:
    s, ws, team = services
    for source, ts in ((Source.COMMAND, "1.1"), (Source.MESSAGE, "2.2"), (Source.TEAMS, "3.3")):
        s.moments.report(workspace_id=ws, team_id=team, actor=STAFF, kind=MomentKind.WOW,
                         text=f"Ana was lovely ({source.value})", source=source,
                         message_ref=f"{CHANNEL}/{ts}")
        s.capture.source_edited(workspace_id=ws, channel=CHANNEL, ts=ts, text="something else")
        s.capture.source_deleted(workspace_id=ws, channel=CHANNEL, ts=ts)
    with s.store.transaction(ws) as repo:
        texts = sorted(m.text for m in repo.moments(team))
    assert texts == ["Ana was lovely (command)", "Ana was lovely (message)", "Ana was lovely (teams)"]
