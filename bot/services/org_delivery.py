"""The organisation digest, delivered once a week as the teams' posts are (``cycle.Delivery``):
claimed once per (organisation channel, week), each attempt taken with a compare-and-set, marked
as sending before anything goes out, retried with backoff, and after a crash mid-send looked for
in the channel before it is sent again."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial

from bot import org_text
from bot.domain import OrgChannel, OrgPost, Workspace
from bot.ports import DeliveryError, Notifier, SentChecker
from bot.schedule import GRACE, Due, due_at, next_runs
from bot.services.base import Deps
from bot.services.cycle import IN_FLIGHT, RECHECK, late_note, settled_by_check, take_attempt
from bot.services.org import OrgService, org_schedule
from bot.views import Post, Reply
from bot.weeks import iso_week, shift_week

log = logging.getLogger(__name__)
ORG_POST = "org_digest"  # Post.kind; Post.team_id is 0: the post is no team's


def due_digests(org: OrgChannel, now: datetime) -> list[Due]:
    """The organisation digest, last week's or this week's, when its time has come (within the
    schedule's grace)."""
    if org.paused:
        return []
    schedule = org_schedule(org)
    week = iso_week(now, org.timezone)
    found = []
    for w in (shift_week(week, -1), week):
        when = due_at(schedule, "digest", w)
        if when <= now < when + GRACE:
            found.append(Due("digest", w, when))
    return found


class OrgDelivery:
    def __init__(self, org: OrgService, deps: Deps) -> None:
        self._org = org
        self._d = deps
        self._not_before: dict[tuple[int, str], datetime] = {}  # Retry-After, per post

    def post(self, *, workspace_id: int, org: OrgChannel, week: str) -> Post:
        view = self._org.digest(workspace_id=workspace_id, week=week)
        return Post(0, org.channel, ORG_POST, org_text.digest(view), week)

    def run_due(self, *, workspace: Workspace, org_id: int, notifier: Notifier) -> list[OrgPost]:
        """Claim, build and send the organisation digest when it is due. Returns the records
        touched; one another replica claimed or sent is left alone."""
        now = self._d.clock.now()
        org = self._org.org(workspace_id=workspace.id)
        if org is None or org.id != org_id:
            return []
        touched: list[OrgPost] = []
        for due in due_digests(org, now):
            with self._d.store.transaction(workspace.id) as repo:
                claimed = repo.claim_org_post(org.id, due.week, now)
                record = repo.org_post(org.id, due.week)
            if record is None or record.sent_at is not None:
                continue
            sending = take_attempt(
                record, claimed=claimed, now=now, touched=touched,
                not_before=self._not_before.get((org.id, due.week)),
                settle=partial(self._settle_interrupted, workspace, org, notifier=notifier, now=now),
                swap=partial(self._swap, workspace.id))
            if sending is not None:
                touched.append(self._deliver(workspace, org, due, sending, notifier))
        return touched

    def _swap(self, workspace_id: int, old: OrgPost, new: OrgPost) -> bool:
        with self._d.store.transaction(workspace_id) as repo:
            return repo.swap_org_post(old, new)

    def next_check(self, *, workspace_id: int, org_id: int) -> datetime | None:
        """On the next tick while this week's digest is unsettled, else when it is next due;
        None when the channel is paused or gone."""
        now = self._d.clock.now()
        with self._d.store.transaction(workspace_id) as repo:
            org = repo.org_channel()
            if org is None or org.id != org_id or org.paused:
                return None
            for due in due_digests(org, now):
                record = repo.org_post(org.id, due.week)
                if record is None or record.sent_at is None:
                    return now + RECHECK
        return next_runs(org_schedule(org), now)["digest"]

    def _settle_interrupted(self, workspace: Workspace, org: OrgChannel, record: OrgPost,
                            notifier: Notifier, now: datetime) -> OrgPost | None:
        assert record.sending_at is not None
        if now - record.sending_at < IN_FLIGHT:
            return None  # another process is sending right now
        found: bool | None = None
        if isinstance(notifier, SentChecker):
            probe = Post(0, org.channel, ORG_POST, Reply(""), record.week)
            try:
                found = notifier.was_sent(workspace, probe, record.sending_at)
            except Exception:
                log.warning("could not check whether the organisation digest (%s) went out",
                            record.week, exc_info=True)
        settled = settled_by_check(record, found)
        if settled == record:
            return record
        if found is None:
            log.error("organisation digest (%s): the bot stopped while posting it and can't tell "
                      "whether it went out; not sending it twice. Check %s.", record.week,
                      org.channel)
        with self._d.store.transaction(workspace.id) as repo:
            if not repo.swap_org_post(record, settled):
                return None
        return settled

    def _deliver(self, workspace: Workspace, org: OrgChannel, due: Due, record: OrgPost,
                 notifier: Notifier) -> OrgPost:
        now = self._d.clock.now()
        key = (org.id, due.week)
        try:
            post = self.post(workspace_id=workspace.id, org=org, week=due.week)
            note = late_note(org_schedule(org), due, now)
            if note:
                post = replace(post, reply=replace(post.reply, text=f"{note}\n{post.reply.text}"))
            notifier.send(workspace, post)
            done = replace(record, sent_at=now, attempts=record.attempts + 1, sending_at=None,
                           last_error="")
            self._not_before.pop(key, None)
        except DeliveryError as err:
            done = replace(record, attempts=record.attempts + 1, sending_at=None,
                           last_error=str(err)[:500])
            log.warning("organisation digest (%s) failed (attempt %d): %s", due.week,
                        done.attempts, err)
            if err.retry_after:
                self._not_before[key] = now + timedelta(seconds=err.retry_after)
            if err.permanent:
                self._org.pause(workspace_id=workspace.id, org_id=org.id)
        except Exception as err:  # a failure here must not stop the teams' posts
            log.exception("organisation digest (%s) failed", due.week)
            done = replace(record, attempts=record.attempts + 1, sending_at=None,
                           last_error=f"{type(err).__name__}: {err}"[:500])
        with self._d.store.transaction(workspace.id) as repo:
            if not repo.swap_org_post(record, done):
                log.warning("organisation digest (%s): another process settled it meanwhile",
                            due.week)
        return done
