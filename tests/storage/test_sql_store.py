"""What only the SQL store promises, beyond the contract the in-memory fake shares: references
into another workspace are refused, datetimes are normalised to UTC, and workspace creation is
safe when two processes race."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from bot.domain import FilingFeedback, MomentKind, Platform, Workspace
from storage import SqlStore, open_store
from storage.models import WorkspaceRow
from tests.storage.builders import (
    a_moment,
    a_prompt,
    a_proposal,
    a_standard,
    a_team,
    a_touchpoint,
    at,
    fill_workspace,
    new_workspace,
)


def test_sql_refuses_references_into_another_workspace(sql_store: SqlStore) -> None:
    mine, theirs = new_workspace(sql_store), new_workspace(sql_store)
    with sql_store.transaction(mine.id) as repo:
        a = fill_workspace(repo)
    team, tp, moment, prompt, proposal = (a[k] for k in ("team", "tp", "moment", "prompt",
                                                         "proposal"))
    with sql_store.transaction(theirs.id) as repo:
        own = repo.add_team(a_team())
        own_tp = repo.add_touchpoint(a_touchpoint(own.id))
        own_prompt = repo.add_prompt(a_prompt(own.id))
        own_moment = repo.add_moment(a_moment(own.id))
        for add in (
            lambda: repo.add_prompt(a_prompt(team.id, "2026-W50")),
            lambda: repo.add_moment(a_moment(own.id, touchpoint_id=tp.id)),
            lambda: repo.add_proposal(a_proposal(own_prompt.id, tp.id)),
            lambda: repo.add_standard(a_standard(own.id, tp.id)),
            lambda: repo.add_standard(a_standard(own.id, own_tp.id, proposal_id=proposal.id)),
            lambda: repo.add_filing_feedback(FilingFeedback(
                0, own.id, moment.id, "x", MomentKind.OW, "s", None, at(0))),
            lambda: repo.save_moment(replace(own_moment, team_id=team.id)),
            lambda: repo.save_touchpoint(replace(own_tp, team_id=team.id)),
        ):
            with pytest.raises(KeyError):
                add()
        assert repo.proposals(prompt.id) == []


def test_sql_transaction_needs_a_known_workspace(sql_store: SqlStore) -> None:
    with pytest.raises(KeyError), sql_store.transaction(2**31 - 1):
        pass


def test_sql_datetimes_are_normalised_to_utc_and_naive_ones_refused(sql_store: SqlStore) -> None:
    ws = new_workspace(sql_store)
    plus_five = timezone(timedelta(hours=5))
    with sql_store.transaction(ws.id) as repo:
        team = repo.add_team(a_team())
        moment = repo.add_moment(a_moment(team.id, created_at=at(1).astimezone(plus_five)))
    with sql_store.transaction(ws.id) as repo:
        got = repo.moment(moment.id)
        assert got is not None and got.created_at == at(1) and got.created_at.tzinfo is UTC
        # The bound is converted too, so SQLite's text comparison stays correct.
        assert repo.moments(team.id, since=at(1).astimezone(plus_five)) == [got]
        assert repo.moments(team.id, until=at(1).astimezone(plus_five)) == []
    with pytest.raises(sa.exc.StatementError, match="naive datetime"), sql_store.transaction(
        ws.id
    ) as repo:
        repo.add_moment(a_moment(team.id, created_at=datetime(2026, 1, 1)))


def test_sql_workspace_creation_survives_a_race(
    sql_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    external_id = f"T{uuid.uuid4().hex}"
    winner = open_store(sql_store.engine.url.render_as_string(hide_password=False), migrate=False)
    try:
        created = winner.workspace(platform=Platform.TEAMS, external_id=external_id)
    finally:
        winner.close()
    # This process looked before the other one committed, so its first read finds nothing.
    real_find = SqlStore._find_workspace
    reads: list[object] = []

    def find_too_early(*args: Any) -> WorkspaceRow | None:
        reads.append(args)
        return None if len(reads) == 1 else real_find(*args)

    monkeypatch.setattr(SqlStore, "_find_workspace", staticmethod(find_too_early))
    assert sql_store.workspace(platform=Platform.TEAMS, external_id=external_id) == created
    assert len(reads) == 2


def test_sql_concurrent_workspace_creation_agrees(sql_store: SqlStore) -> None:
    external_id = f"T{uuid.uuid4().hex}"
    start = threading.Barrier(6)

    def create(_: int) -> Workspace:
        start.wait()
        return sql_store.workspace(platform=Platform.SLACK, external_id=external_id)

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(create, range(6)))
    assert len(set(results)) == 1
