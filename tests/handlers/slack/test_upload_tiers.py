"""The weekly posts' chart uploads keep to Slack's tier for files.* (Tier 4) per workspace, by the
same buckets as the door's calls: one workspace's many digests are paced, another's go at once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

from slack_sdk import WebClient

from bot.config import Settings
from bot.domain import Platform, Workspace
from handlers.notify import SlackNotifier
from handlers.slack.sender import Sender
from handlers.slack.tiers import TierBuckets
from tests.handlers.slack.stand_in import SlackApi
from tests.handlers.slack.test_notifier import digest_post

TOKENS = {"TA": "xoxb-a", "TB": "xoxb-b"}


class Installations:
    """Two installed workspaces, as the installation store finds their bots."""

    def find_bot(self, *, enterprise_id: str | None, team_id: str) -> Any:
        return SimpleNamespace(bot_token=TOKENS[team_id])


def test_one_workspaces_digests_upload_at_its_tier_and_anothers_go_at_once(api: SlackApi) -> None:
    """A minute of 60 s shortened to 30 and a burst of three: Tier 4 is then a call every 0.3 s.
    Six digests for workspace A (each its own thread, as the weekly tick sends them): three
    charts upload at once, then one each 0.3 s; B's three, handed over after A's, do not wait
    behind them. Every digest goes out with its chart."""
    tiers = TierBuckets(minute=30.0, burst=0.03)
    notifier = SlackNotifier(replace(Settings(), slack_api_url=api.url), Installations(), spacing=0,
                             tiers=tiers)
    a, b = Workspace(1, Platform.SLACK, "TA"), Workspace(2, Platform.SLACK, "TB")
    with ThreadPoolExecutor(max_workers=9) as pool:
        sent = [pool.submit(notifier.send, a, digest_post(f"CA{i}")) for i in range(6)]
        time.sleep(0.05)
        b_handed = time.monotonic()
        sent += [pool.submit(notifier.send, b, digest_post(f"CB{i}")) for i in range(3)]
        for done in sent:
            done.result(timeout=20)
    asked = api.named("files.getUploadURLExternal")
    of_a = sorted(c.at for c in asked if c.token == "xoxb-a")
    of_b = sorted(c.at for c in asked if c.token == "xoxb-b")
    assert len(of_a) == 6 and len(of_b) == 3
    # any four of A's calls span at least one call's share (0.3 s): three at once, no more
    assert all(later - earlier >= 0.25 for earlier, later in zip(of_a, of_a[3:], strict=False))
    assert of_a[-1] - of_a[0] >= 0.8  # six calls, three of them at once: three shares at least
    assert max(of_b) - b_handed < 0.25  # B's bucket is its own: not one share late
    posts = api.named("chat.postMessage")
    assert sorted(p.args["channel"] for p in posts) == sorted([f"CA{i}" for i in range(6)]
                                                              + [f"CB{i}" for i in range(3)])
    assert all(any(b["type"] == "image" for b in p.args["blocks"]) for p in posts)


def test_the_door_and_the_weekly_uploads_count_one_workspaces_calls_together(api: SlackApi) -> None:
    """As the server wires them: the notifier keeps to the door sender's buckets, so a workspace
    that the door's calls have already brought to its tier waits there too."""
    sender = Sender(minute=30.0, burst=0.03)
    notifier = SlackNotifier(replace(Settings(), slack_api_url=api.url), Installations(), spacing=0,
                             tiers=sender.tiers)
    door_client = WebClient(token="xoxb-a", base_url=api.url)
    for i in range(3):  # three exports from the door (files_upload_v2): A's bucket is empty
        sender.call(door_client, "files_upload_v2", content=b"a,b\n", filename=f"moments-{i}.csv")
    started = time.monotonic()
    notifier.send(Workspace(1, Platform.SLACK, "TA"), digest_post("CA"))
    *_, asked = api.named("files.getUploadURLExternal")
    assert len(api.named("files.getUploadURLExternal")) == 4 and asked.at - started >= 0.25
    sender.close()


def test_a_429_on_an_upload_holds_that_workspaces_uploads_and_not_anothers(api: SlackApi) -> None:
    """Slack refuses A's first chart upload with 429, Retry-After 1: A's next upload, handed over
    meanwhile, waits out the second too (not only the refused one does), B's goes at once, and
    every digest still goes out with its chart."""
    api.fail_next_for("files.getUploadURLExternal", "xoxb-a", 429, {"Retry-After": "1"})
    notifier = SlackNotifier(replace(Settings(), slack_api_url=api.url), Installations(), spacing=0,
                             tiers=TierBuckets())
    a, b = Workspace(1, Platform.SLACK, "TA"), Workspace(2, Platform.SLACK, "TB")
    with ThreadPoolExecutor(max_workers=3) as pool:
        first = pool.submit(notifier.send, a, digest_post("CA0"))
        deadline = time.monotonic() + 10
        while not api.named("files.getUploadURLExternal") and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # the 429 is back
        later = [pool.submit(notifier.send, a, digest_post("CA1")),
                 pool.submit(notifier.send, b, digest_post("CB0"))]
        for done in [first, *later]:
            done.result(timeout=20)
    asked = api.named("files.getUploadURLExternal")
    refused = asked[0]
    of_a = [c.at for c in asked[1:] if c.token == "xoxb-a"]
    of_b = [c.at for c in asked if c.token == "xoxb-b"]
    assert len(of_a) == 2 and all(at - refused.at >= 0.9 for at in of_a)  # the retry and CA1's
    assert len(of_b) == 1 and of_b[0] - refused.at < 0.6
    posts = api.named("chat.postMessage")
    assert sorted(p.args["channel"] for p in posts) == ["CA0", "CA1", "CB0"]
    assert all(any(b["type"] == "image" for b in p.args["blocks"]) for p in posts)
