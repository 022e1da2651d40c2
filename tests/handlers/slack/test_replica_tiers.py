"""Replicas share each workspace's Slack rate limits: Slack counts an app's calls per workspace,
not per process. Every replica's heartbeat says how many are alive, and each keeps to its share
of every tier, so together they keep to it; when one leaves, the others take its share."""

from __future__ import annotations

import threading

from handlers.slack.app import SlackDoorApp
from handlers.slack.tiers import TierBuckets
from tests.handlers.slack.conftest import Slack, wait_for
from tests.handlers.slack.test_inbox import other  # noqa: F401 - the second replica, a fixture


def at_once(tiers: TierBuckets, token: str, method: str = "users.info") -> int:
    """How many calls of ``method`` a fresh workspace may make without waiting."""
    n = 0
    while tiers.reserve(token, method) == 0.0:
        n += 1
    return n


def test_two_replicas_each_keep_to_half_a_tier_and_one_left_takes_the_whole(
        slack: Slack, other: SlackDoorApp) -> None:  # noqa: F811 - the imported fixture
    """Alone, a replica may make half a minute of users.info calls (Tier 4: 50) at once. Once a
    second replica beats, each keeps to 25; once that one stops, the first has 50 again."""
    mine, theirs = slack.built.door.sender.tiers, other.door.sender.tiers
    assert at_once(mine, "xoxb-alone") == 50
    stop_mine, stop_theirs = threading.Event(), threading.Event()
    runs = [threading.Thread(target=slack.built.run_inbox, args=(stop_mine, 0.05), daemon=True),
            threading.Thread(target=other.run_inbox, args=(stop_theirs, 0.05), daemon=True)]
    for run in runs:
        run.start()
    try:
        wait_for(lambda: mine.replicas == 2 and theirs.replicas == 2)
        assert at_once(mine, "xoxb-a") == 25 and at_once(theirs, "xoxb-a") == 25
        stop_theirs.set()  # a graceful stop: it leaves at once
        runs[1].join(timeout=10)
        wait_for(lambda: mine.replicas == 1)
        assert at_once(mine, "xoxb-b") == 50
    finally:
        stop_mine.set()
        stop_theirs.set()
        for run in runs:
            run.join(timeout=10)
