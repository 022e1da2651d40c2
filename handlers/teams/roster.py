"""Who a Teams account is: one key per person, their AAD object id, for every Teams account id.

Senders carry their AAD id; a mention often carries only the account id (``29:...``). The
roster answers from the name memory (account ids the bot has seen before, kept under their
alias key), else asks Teams for the member, a few at a time under one time budget per turn; an
account Teams would not tell about is not asked again for a while, and stays keyed by its
account id (reading.user_key).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from botbuilder.core import TurnContext  # type: ignore[import-untyped]
from botbuilder.core.teams import TeamsInfo  # type: ignore[import-untyped]
from botbuilder.schema.teams import TeamsChannelAccount  # type: ignore[import-untyped]

from bot.services import Actor, Services
from handlers.teams.reading import alias_key, mentioned_accounts, mentions, people_seen, user_key

log = logging.getLogger(__name__)
NOT_PEOPLE = ("19:", "28:")  # mentioned channels, teams and chats; bots: no AAD user to ask for
MEMBER_LOOKUP_SECONDS = 5.0  # all of a turn's roster look-ups together: the reply can't wait long
MEMBER_LOOKUPS_AT_ONCE = 4  # the default thread pool has at least 5 threads (min(32, cpus + 4))
LOOKUP_FAILURE_SECONDS = 600.0  # an account Teams would not tell about is not asked again for this
LOOKUP_FAILURES_KEPT = 10_000  # at most this many remembered failures (oldest dropped first)


def person(account: str, aad_object_id: str | None = None, name: str = "") -> Actor:
    """A Teams person for the core: keyed by their AAD id, with the other keys their data may
    be under (the account id of credits from before it was resolved, and the remembered
    account -> AAD id link), so forget-me, an admin's delete and export reach all of them."""
    return Actor(user_key(account, aad_object_id), name,
                 aliases=(user_key(account), alias_key(account)) if account else ())


class Roster:
    def __init__(self, services: Services) -> None:
        self.services = services
        # (workspace, account id) -> when Teams last would not say who it is (time.monotonic)
        self._lookup_failed: dict[tuple[int, str], float] = {}

    async def identify_sender(self, turn_context: TurnContext, workspace_id: int) -> None:
        """Remember whose account id is which AAD id; give a sender without one theirs."""
        activity = turn_context.activity
        sender = activity.from_property
        if sender is not None and sender.id and not getattr(sender, "aad_object_id", None) and \
                sender.id != getattr(activity.recipient, "id", None):
            sender.aad_object_id = (await self.aad_ids(turn_context, workspace_id,
                                                       [sender.id])).get(sender.id)
        seen = people_seen(activity)
        if seen:
            await asyncio.to_thread(self._remember_ids, workspace_id, seen)

    def mentioned(self, activity: Any, aad_ids: dict[str, str]) -> tuple[Actor, ...]:
        """The people (not the bot) a message mentions, with every key each may have."""
        known = {account: aad for account, _name, _shown, aad in mentions(activity) if aad}
        names = {account: name for account, name, _shown, _aad in mentions(activity)}
        return tuple(person(a, known.get(a) or aad_ids.get(a), names.get(a, ""))
                     for a in mentioned_accounts(activity))

    async def aad_ids(self, turn_context: TurnContext, workspace_id: int,
                      account_ids: list[str]) -> dict[str, str]:
        """account id -> AAD object id: remembered from earlier turns, else asked of Teams.

        An account Teams will not tell about stays unresolved (keyed by its account id)."""
        if not account_ids:
            return {}
        remembered = await asyncio.to_thread(self.services.capture.names, workspace_id=workspace_id,
                                             user_ids=[alias_key(a) for a in account_ids])
        found = {a: remembered[alias_key(a)] for a in account_ids if alias_key(a) in remembered}
        asking = [a for a in account_ids if a not in found and not a.startswith(NOT_PEOPLE)
                  and not self._failed_recently(workspace_id, a)]
        if not asking:
            return found
        # All at once, under one budget: Bot Framework gives up on a turn after ~15 s. A few at
        # a time, so the look-ups never take every thread of the default pool the turn also needs.
        slots = asyncio.Semaphore(MEMBER_LOOKUPS_AT_ONCE)
        deadline = asyncio.get_running_loop().time() + MEMBER_LOOKUP_SECONDS
        members = await asyncio.gather(*(self._member(turn_context, a, slots, deadline)
                                         for a in asking))
        learned: list[tuple[str, str, str]] = []
        for account, member in zip(asking, members, strict=True):
            aad = str(getattr(member, "aad_object_id", None) or "")
            if aad:
                found[account] = aad
                learned.append((account, aad, str(getattr(member, "name", None) or "")))
            else:  # re-inserted, so the oldest failures are the first pruned
                self._lookup_failed.pop((workspace_id, account), None)
                self._lookup_failed[(workspace_id, account)] = time.monotonic()
        self._prune_failures()
        if learned:
            await asyncio.to_thread(self._remember_ids, workspace_id, learned)
        return found

    async def _member(self, turn_context: TurnContext, account: str, slots: asyncio.Semaphore,
                      deadline: float) -> Any:
        """What Teams says about an account, or None when it will not say by ``deadline``.

        As ``TeamsInfo.get_member``, but the HTTP call itself is given the time left as its
        timeout: the connector client sends with requests from the default thread pool, where a
        call the bot stopped waiting for keeps its thread (msrest's default timeout is 100 s).
        urllib3 still retries a timed-out GET up to 3 times (with backoff) in that thread, so a
        hung roster can keep up to MEMBER_LOOKUPS_AT_ONCE threads busy a while after the turn."""
        loop = asyncio.get_running_loop()
        try:
            async with slots:
                left = deadline - loop.time()
                if left <= 0:
                    raise TimeoutError("no time left in this turn's look-up budget")
                client = await TeamsInfo._get_connector_client(turn_context)
                conversation = turn_context.activity.conversation.id
                member = await asyncio.wait_for(
                    client.conversations.get_conversation_member(conversation, account, timeout=left),
                    left)
            return TeamsChannelAccount().deserialize(dict(member.serialize(),
                                                          **member.additional_properties))
        except Exception:  # noqa: BLE001 - no roster (emulator, a 403, a guest), or too slow
            log.debug("Teams would not say who %s is; keyed by the account id", account,
                      exc_info=True)
            return None

    def _failed_recently(self, workspace_id: int, account: str) -> bool:
        failed = self._lookup_failed.get((workspace_id, account))
        return failed is not None and time.monotonic() - failed < LOOKUP_FAILURE_SECONDS

    def _prune_failures(self) -> None:
        now = time.monotonic()
        for k in [k for k, at in self._lookup_failed.items() if now - at >= LOOKUP_FAILURE_SECONDS]:
            del self._lookup_failed[k]
        while len(self._lookup_failed) > LOOKUP_FAILURES_KEPT:  # dicts keep insertion order
            del self._lookup_failed[next(iter(self._lookup_failed))]

    def _remember_ids(self, workspace_id: int, people: list[tuple[str, str, str]]) -> None:
        """(account id, AAD id, name) into the name memory: the AAD id under the account's alias
        key, the name under the person's key."""
        self.services.capture.remember_people(
            workspace_id=workspace_id,
            people=[Actor(alias_key(account), aad) for account, aad, _ in people] +
                   [Actor(user_key(account, aad), name) for account, aad, name in people])
