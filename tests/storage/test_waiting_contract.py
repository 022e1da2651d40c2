"""The first five minutes' rows, on the in-memory fake, SQLite and PostgreSQL alike: moments
waiting for a team (kept once per request, by channel or by reporter, expired on time, erased
with their reporter), the team a person picked, and a channel welcomed once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain import MomentKind, Source, WaitingMoment, Workspace
from bot.ports import DuplicateError, Store
from tests.storage.builders import a_team, at, new_workspace


def waiting(channel: str = "C-NEW", reporter: str = "U-SAM", hours: float = 0, **kw: object) -> WaitingMoment:
    made = at(hours)
    return WaitingMoment(0, channel, MomentKind.WOW, "a family rebooked in two minutes", reporter,
                         Source.COMMAND, made, made + timedelta(days=14), **kw)  # type: ignore[arg-type]


def test_waiting_moments_are_kept_by_channel_or_by_reporter_oldest_first(store: Store,
                                                                         ws: Workspace) -> None:
    with store.transaction(ws.id) as repo:
        later = repo.add_waiting(waiting(hours=2, author_id="U-OMAR", message_ref="C-NEW/1.2"))
        first = repo.add_waiting(waiting(hours=1))
        mine = repo.add_waiting(waiting(channel="", hours=3))
        repo.add_waiting(waiting(channel="", reporter="U-OTHER"))
    with store.transaction(ws.id) as repo:
        assert [w.id for w in repo.waiting_in("C-NEW")] == [first.id, later.id]
        assert repo.waiting_in("C-NEW")[1] == later  # every field as stored
        assert repo.waiting_in("") == []  # "" is nobody's channel
        assert [w.id for w in repo.waiting_of("U-SAM")] == [mine.id]
        assert [w.id for w in repo.waiting_reported_by("U-SAM")] == [first.id, later.id, mine.id]
        assert repo.delete_waiting(first.id) and not repo.delete_waiting(first.id)
        assert [w.id for w in repo.waiting_in("C-NEW")] == [later.id]


def test_one_waiting_moment_per_request(store: Store, ws: Workspace) -> None:
    with store.transaction(ws.id) as repo:
        kept = repo.add_waiting(waiting(request_key="req-1"))
        with pytest.raises(DuplicateError):
            repo.add_waiting(waiting(request_key="req-1"))
        assert repo.waiting_by_request("req-1") == kept
        assert repo.waiting_by_request("req-2") is None


def test_expired_waiting_moments_are_deleted_and_no_others(store: Store, ws: Workspace) -> None:
    with store.transaction(ws.id) as repo:
        old = repo.add_waiting(waiting(hours=0))
        young = repo.add_waiting(waiting(hours=5))
    with store.transaction(ws.id) as repo:
        assert repo.delete_waiting_expired(old.expires_at) == 1
        assert [w.id for w in repo.waiting_in("C-NEW")] == [young.id]


def test_another_workspace_sees_none_of_it(store: Store, ws: Workspace) -> None:
    theirs = new_workspace(store)
    with store.transaction(ws.id) as repo:
        kept = repo.add_waiting(waiting(request_key="k"))
        team = repo.add_team(a_team())
        repo.choose_team("U-SAM", team.id)
        assert repo.claim_welcome("C-NEW", at(0))
    with store.transaction(theirs.id) as repo:
        assert repo.waiting_in("C-NEW") == [] and repo.waiting_by_request("k") is None
        assert not repo.delete_waiting(kept.id) and repo.delete_waiting_expired(at(10_000)) == 0
        assert repo.chosen_team("U-SAM") is None
        with pytest.raises(KeyError):
            repo.choose_team("U-SAM", team.id)
        assert repo.claim_welcome("C-NEW", at(0))  # their channel of that id is theirs
    with store.transaction(ws.id) as repo:
        assert repo.waiting_in("C-NEW") == [kept]


def test_a_persons_team_choice_is_remembered_and_changed(store: Store, ws: Workspace) -> None:
    with store.transaction(ws.id) as repo:
        gate, ramp = repo.add_team(a_team("C-GATE")), repo.add_team(a_team("C-RAMP"))
        assert repo.chosen_team("U-SAM") is None
        repo.choose_team("U-SAM", gate.id)
    with store.transaction(ws.id) as repo:
        assert repo.chosen_team("U-SAM") == gate.id
        repo.choose_team("U-SAM", ramp.id)
    with store.transaction(ws.id) as repo:
        assert repo.chosen_team("U-SAM") == ramp.id


def test_a_channel_is_welcomed_once(store: Store, ws: Workspace) -> None:
    with store.transaction(ws.id) as repo:
        assert repo.claim_welcome("C-NEW", at(0))
    with store.transaction(ws.id) as repo:
        assert not repo.claim_welcome("C-NEW", at(1))
        assert repo.claim_welcome("C-OTHER", at(1))


def test_forgetting_a_person_erases_their_waiting_moments_and_choice(store: Store,
                                                                     ws: Workspace) -> None:
    with store.transaction(ws.id) as repo:
        team = repo.add_team(a_team())
        repo.add_waiting(waiting())
        repo.add_waiting(waiting(channel=""))
        kept = repo.add_waiting(waiting(reporter="U-OMAR"))
        repo.choose_team("U-SAM", team.id)
    with store.transaction(ws.id) as repo:
        assert repo.forget_user("U-SAM")["moments"] == 2
    with store.transaction(ws.id) as repo:
        assert repo.waiting_in("C-NEW") == [kept] and repo.waiting_of("U-SAM") == []
        assert repo.chosen_team("U-SAM") is None
