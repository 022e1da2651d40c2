"""Slack's published rate tiers, kept per workspace (its token) and method: the one place the rule
lives, for the door's replies (handlers/slack/sender.py) and the weekly posts' chart uploads
(handlers/uploads.py) alike, so a workspace's files.* calls count once however they are made.

Each (token, method) has a token bucket: a burst of :data:`BURST` minutes' worth of calls goes at
once, then one call per its share of a minute. A call that must wait takes its place at once (the
count goes below zero), so the calls of one bucket go in the order they came. Another workspace's
bucket is its own: its calls never wait for this one's.

Slack counts a workspace's calls for the app, not for a process: replicas share each tier. Every
replica's heartbeat says how many are alive (``Inbox.run``), and each keeps to its share
(:meth:`TierBuckets.share`), so together they keep to the tier.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Mapping
from typing import Any

# Slack's tiers: calls a minute per method per workspace ("1+", "20+", ... in Slack's rate limits)
PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}
# the tier of each method Moments calls (Slack's method reference); None: no tier to keep here
# (chat.postMessage is paced per channel, a message a second, by whoever posts; chat.postEphemeral
# and response_url posts are not limited per method in practice). Other methods: Tier 2, "most
# methods" in Slack's words.
TIER_OF: dict[str, int | None] = {
    "chat.postMessage": None, "chat.postEphemeral": None, "response_url": None,
    "chat.update": 3, "chat.delete": 3,
    "users.info": 4, "conversations.info": 3, "conversations.open": 3,
    # for commercial apps outside the Marketplace Slack allows about one a minute: the history
    # queue keeps to that itself (handlers/slack/history.py)
    "conversations.history": 3, "conversations.replies": 3,
    "views.open": 4, "views.publish": 4, "views.update": 4, "views.push": 4,
    # files_upload_v2 makes one files.getUploadURLExternal and one files.completeUploadExternal,
    # both Tier 4: its one bucket keeps each of them to the tier
    "files.upload_v2": 4, "files.getUploadURLExternal": 4, "files.completeUploadExternal": 4,
    "auth.test": 4, "users.list": 2,
}
DEFAULT_TIER = 2
PER_CHANNEL = 1.0  # seconds between chat.postMessage calls to one channel (Slack: a message a second)
BURST = 0.5  # a bucket holds this many minutes' worth of calls: Slack allows brief bursts
TRIES = 5  # a call answered 429 this many times is given up (each waited its Retry-After)
MOST_BUCKETS = 10_000  # past this many, the full buckets are forgotten (a new bucket starts full)


def retry_after(headers: Mapping[str, Any] | None) -> float:
    """The seconds a 429's Retry-After asks for (1 when it says nothing readable)."""
    for key, value in (headers or {}).items():
        if key.lower() == "retry-after":
            try:
                return max(0.0, float(value[0] if isinstance(value, list) else value))
            except (TypeError, ValueError):
                break
    return 1.0


class TierBuckets:
    """The buckets of every workspace and method, for callers on any thread or event loop (the
    time is the monotonic clock, which is also asyncio's). ``minute``: the seconds in a tier's
    minute (tests shorten it); ``burst``: how many minutes' worth of a method's calls may go at once."""

    def __init__(self, *, minute: float = 60.0, burst: float = BURST) -> None:
        self.minute = minute
        self.burst = burst
        self.replicas = 1  # processes sharing each workspace's tiers (see ``share``)
        self._lock = threading.Lock()
        # (token, method) -> (calls left, at, when it is full again)
        self._buckets: dict[tuple[str, str], tuple[float, float, float]] = {}
        self._posts: dict[tuple[str, str], float] = {}  # (token, channel) -> its next free slot
        self._held: dict[tuple[str, str], float] = {}  # (token, method) -> held until (a 429)

    def reserve(self, token: str, method: str, most_wait: float | None = None) -> float:
        """Take a call of ``method`` (Slack's name: files.upload_v2) for the workspace of ``token``:
        the seconds to wait before making it (0 when the bucket has one left). With ``most_wait``,
        a call that would wait longer is not taken (the seconds it would wait are returned)."""
        tier = TIER_OF.get(method, DEFAULT_TIER)
        if tier is None:
            return 0.0
        per_minute = PER_MINUTE[tier] / self.replicas  # this process's share
        rate = per_minute / self.minute  # calls a second
        most = max(1.0, per_minute * self.burst)
        key = (token, method)
        with self._lock:
            now = time.monotonic()
            if len(self._buckets) >= MOST_BUCKETS:
                self._buckets = {k: b for k, b in self._buckets.items() if b[2] > now}
            left, at, _ = self._buckets.get(key, (most, now, now))
            left = min(most, left + (now - at) * rate) - 1
            if most_wait is not None and left < 0 and -left / rate > most_wait:
                return -left / rate  # (not taken: the bucket is as it was)
            self._buckets[key] = (left, now, now + (most - left) / rate)
        return -left / rate if left < 0 else 0.0

    def hold(self, token: str, method: str, seconds: float) -> None:
        """Slack answered a call of ``method`` for the workspace of ``token`` 429, asking to
        wait ``seconds`` (Retry-After): every caller's next calls of it for that workspace wait
        that long (``held``), whoever made the refused one; other workspaces' do not."""
        with self._lock:
            until = time.monotonic() + seconds
            if until > self._held.get((token, method), 0.0):
                self._held[(token, method)] = until

    def held(self, token: str, method: str) -> float:
        """The seconds ``method`` is still held for the workspace of ``token`` (0: not held)."""
        with self._lock:
            until = self._held.get((token, method))
            if until is None:
                return 0.0
            left = until - time.monotonic()
            if left <= 0:
                del self._held[(token, method)]
                return 0.0
            return left

    async def unheld(self, token: str, method: str) -> None:
        """Wait (on the running loop) until ``method`` is not held for the workspace of ``token``."""
        while (left := self.held(token, method)) > 0:
            await asyncio.sleep(left)

    def post_slot(self, token: str, channel: str, every: float = PER_CHANNEL) -> float:
        """Take the next chat.postMessage slot of ``channel`` in the workspace of ``token``: the
        seconds until it comes (0: now). The door's replies and the weekly posts both take their
        slots here, so a channel gets a message a second from all of this process's posters
        together (``every``: the seconds between two; tests shorten it)."""
        with self._lock:
            now = time.monotonic()
            if len(self._posts) >= MOST_BUCKETS:  # forget the channels whose slot has passed
                self._posts = {k: at for k, at in self._posts.items() if at > now}
            slot = max(now, self._posts.get((token, channel), 0.0))
            self._posts[(token, channel)] = slot + every
        return slot - now

    def share(self, replicas: int) -> None:
        """``replicas`` processes (this one included) call Slack for the same workspaces: each
        keeps to that share of every tier from now on."""
        self.replicas = max(1, replicas)

    async def keep(self, token: str, method: str, most_wait: float | None = None) -> bool:
        """Wait (on the running loop) until this call's turn in its bucket; False, at once and
        with nothing taken, when that would be longer than ``most_wait``."""
        wait = self.reserve(token, method, most_wait)
        if most_wait is not None and wait > most_wait:
            return False
        if wait > 0:
            await asyncio.sleep(wait)
        return True
