"""The one place a failure becomes a reply (bot.errors): the words a person sees, what a door
lets through for a replay, and what lands in the log."""

from __future__ import annotations

import logging

import pytest

from bot.errors import OOPS, NotAllowed, UserError, friendly, friendly_call
from bot.views import Reply


class DatabaseAway(ConnectionError):
    """Stands in for a door's "the database could not be reached"."""


def away(err: Exception) -> bool:
    return isinstance(err, DatabaseAway)


def fails(err: Exception) -> Reply:
    raise err


def test_a_user_error_is_its_message_and_nothing_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        reply = friendly_call(fails, NotAllowed("Only a lead can close the vote."))
    assert reply == Reply("Only a lead can close the vote.", error=True)
    assert caplog.records == []


def test_a_reply_passes_unchanged() -> None:
    assert friendly_call(lambda text: Reply(text), "Saved.") == Reply("Saved.")


def test_the_database_away_passes_through_for_the_door_to_replay() -> None:
    told: list[Reply] = []
    with pytest.raises(DatabaseAway), friendly(told.append, passes=away):
        raise DatabaseAway("connection refused")
    assert told == []
    with pytest.raises(DatabaseAway):
        friendly_call(fails, DatabaseAway("connection refused"), passes=away)


def test_the_database_away_is_told_where_the_door_does_not_replay() -> None:
    assert friendly_call(fails, DatabaseAway("connection refused")) == Reply(OOPS, error=True)


def test_an_unexpected_error_is_logged_once_with_its_traceback_and_the_reply_has_none(
        caplog: pytest.LogCaptureFixture) -> None:
    door_log = logging.getLogger("tests.door")

    def broken() -> Reply:
        return {}["no such key"]  # type: ignore[no-any-return]

    with caplog.at_level(logging.DEBUG):
        reply = friendly_call(broken, what="command /wow", passes=away, logger=door_log)
    assert reply == Reply(OOPS, error=True)
    assert "Traceback" not in reply.text and "KeyError" not in reply.text and "no such key" not in reply.text
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("tests.door", logging.ERROR, "command /wow failed")]
    assert "Traceback" in caplog.text and "in broken" in caplog.text
    assert "KeyError: 'no such key'" in caplog.text


def test_the_context_manager_tells_once_and_a_failing_tell_is_only_a_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    told: list[Reply] = []
    with friendly(told.append):
        raise UserError("Give the team a name.")
    assert told == [Reply("Give the team a name.", error=True)]

    def cannot_tell(reply: Reply) -> None:
        raise RuntimeError("channel_not_found")

    with caplog.at_level(logging.WARNING), friendly(cannot_tell):
        raise UserError("Give the team a name.")
    assert [r.getMessage() for r in caplog.records] == ["could not tell the person about an error"]


def test_nothing_is_told_when_the_block_succeeds() -> None:
    told: list[Reply] = []
    with friendly(told.append):
        pass
    assert told == []
