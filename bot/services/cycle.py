"""The weekly rhythm as plain steps the scheduler (or `/moments week`) calls in turn."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from bot import text, words
from bot.domain import OrgPost, PostRecord, Team, Workspace
from bot.errors import UserError
from bot.markup import italic
from bot.ports import DeliveryError, Notifier, SentChecker
from bot.schedule import Due, due_at, due_posts, next_due_at
from bot.services.base import Actor, Deps, require_lead, require_team
from bot.services.reports import ReportService
from bot.services.weekly import WeeklyService
from bot.views import Post, Reply
from bot.weeks import iso_week, zone

log = logging.getLogger(__name__)


class CycleService:
    def __init__(self, weekly: WeeklyService, reports: ReportService, deps: Deps) -> None:
        self._weekly = weekly
        self._reports = reports
        self._d = deps

    def post_prompt(self, *, workspace_id: int, team_id: int) -> list[Post]:
        """Monday: open this week's prompt and post it, once."""
        channel = self._channel(workspace_id, team_id)
        try:
            prompt, new = self._weekly.open_prompt(workspace_id=workspace_id, team_id=team_id)
        except UserError:
            return []  # nothing hurts yet: no prompt this week
        if not new:
            return []
        view = self._reports.prompt(workspace_id=workspace_id, prompt_id=prompt.id)
        return [Post(team_id, channel, "prompt", text.prompt(view, lead=False), prompt.week)]

    def close_due_votes(self, *, workspace_id: int, team_id: int, force: bool = False) -> list[Post]:
        """Thursday: close prompts whose deadline passed (all open ones when forced)."""
        channel = self._channel(workspace_id, team_id)
        now = self._d.clock.now()
        posts = []
        with self._d.store.transaction(workspace_id) as repo:
            due = [p for p in repo.prompts(team_id, open_only=True) if force or p.closes_at <= now]
        for prompt in due:
            result = self._weekly.close_votes(workspace_id=workspace_id, prompt_id=prompt.id)
            view = self._reports.prompt(workspace_id=workspace_id, prompt_id=prompt.id)
            reply = text.results(view, result, lead=True)
            posts.append(Post(team_id, channel, "votes_closed", reply, prompt.week))
        return posts

    def post_digest(self, *, workspace_id: int, team_id: int, week: str | None = None) -> list[Post]:
        """Friday: standards that turned basic, then the week's digest."""
        channel = self._channel(workspace_id, team_id)
        self._weekly.review_standards(workspace_id=workspace_id, team_id=team_id)
        view = self._reports.digest(workspace_id=workspace_id, team_id=team_id, week=week)
        return [Post(team_id, channel, "digest", text.digest(view), view.week)]

    def run_week(self, *, workspace_id: int, team_id: int, actor: Actor | None = None) -> list[Post]:
        """Everything the schedule would do this week, now: close, review, digest, prompt.

        The asker's door shows the posts, so they count as delivered: the scheduler will not
        post them again, and a post the scheduler or another lead already sent (or is sending)
        is not repeated here. When all of them are out already, the asker is told so. A person
        asking (``actor``) must lead the team; the scheduler asks as nobody."""
        if actor is not None:
            with self._d.store.transaction(workspace_id) as repo:
                require_lead(repo, require_team(repo, team_id), actor, words.DOING_RUN_CYCLE)
        posts = self.close_due_votes(workspace_id=workspace_id, team_id=team_id, force=True)
        posts += self.post_digest(workspace_id=workspace_id, team_id=team_id)
        posts += self.post_prompt(workspace_id=workspace_id, team_id=team_id)
        shown, taken = self._claim_by_hand(workspace_id, team_id, posts)
        if taken and not shown:
            raise UserError(ALREADY_OUT)
        return shown

    def _claim_by_hand(self, workspace_id: int, team_id: int,
                       posts: list[Post]) -> tuple[list[Post], int]:
        """The posts the asker's door may show, each claimed and recorded as sent the way the
        scheduler takes an attempt: a compare-and-set on the post's record, so that of two leads
        on two replicas (or a lead and the scheduler) exactly one shows it. A post someone else
        has sent or is sending is left to them. Returns the posts to show and how many were
        taken already."""
        now = self._d.clock.now()
        shown: list[Post] = []
        taken = 0
        with self._d.store.transaction(workspace_id) as repo:
            team = require_team(repo, team_id)
            for post in posts:
                record = repo.post_record(team_id, post.kind, post.week)
                if record is not None and record.sent_at is not None and post.kind == "digest":
                    taken += 1  # the week's digest is out already; `/moments digest` shows it again
                    continue
                # A digest run before its time is a preview: the scheduled one still goes out.
                if post.kind == "digest" and now < due_at(team, "digest", post.week):
                    shown.append(post)
                    continue
                if record is None:  # on PostgreSQL a rival's claim waits here for its commit
                    repo.claim_post(team_id, post.kind, post.week, now)
                    record = repo.post_record(team_id, post.kind, post.week)
                if record is None or record.sent_at is not None or record.sending_at is not None:
                    taken += 1  # out already, or a sender has it (a crash there is settled by
                    continue    # the scheduler, which looks in the channel first)
                sent = replace(record, sent_at=now, sending_at=None, attempts=record.attempts + 1,
                               last_error="")
                if repo.swap_post_record(record, sent):
                    shown.append(post)
                else:
                    taken += 1  # another replica took it between our read and our write
        return shown, taken

    def _channel(self, workspace_id: int, team_id: int) -> str:
        with self._d.store.transaction(workspace_id) as repo:
            return require_team(repo, team_id).channel

    def week(self, *, workspace_id: int, team_id: int) -> str:
        with self._d.store.transaction(workspace_id) as repo:
            return iso_week(self._d.clock.now(), require_team(repo, team_id).timezone)


LATE_AFTER = timedelta(minutes=15)  # later than this, a post says it is late and why
IN_FLIGHT = timedelta(minutes=10)  # a claim with no attempt recorded: its claimer may still be sending
RECHECK = timedelta(minutes=1)  # an unsettled post's team is looked at again on the next tick
RETRY_CAP = timedelta(minutes=30)  # retries back off 1, 2, 4 ... minutes, then every 30, until the grace ends
LABELS = words.POST_LABELS
UNKNOWN = "the bot stopped while sending this post; it may be in the channel already"
ALREADY_OUT = words.ALREADY_OUT


def next_attempt_at(record: PostRecord | OrgPost) -> datetime:
    """When an unsent post may be tried again. No attempt yet means another process claimed it
    and may be sending right now; only after IN_FLIGHT is it taken for dead and retried."""
    if record.attempts == 0:
        return record.claimed_at + IN_FLIGHT
    waited = sum((min(timedelta(minutes=2 ** i), RETRY_CAP) for i in range(record.attempts)),
                 timedelta())
    return record.claimed_at + waited


Guard = TypeVar("Guard", PostRecord, OrgPost)  # a post's exactly-once record


def settled_by_check(record: Guard, found: bool | None) -> Guard:
    """A post interrupted mid-send, as the channel tells: sent (recorded as sent), not sent (an
    attempt used up, to be sent again), or unknown (marked UNKNOWN: never sent twice, shown in
    `moments status` for a person to check). The record itself when nothing changes."""
    assert record.sending_at is not None
    if found is True:
        return replace(record, sent_at=record.sending_at, sending_at=None,
                       attempts=record.attempts + 1, last_error="")
    if found is False:
        return replace(record, sending_at=None, attempts=record.attempts + 1,
                       last_error="the sender stopped before the post went out")
    return record if record.last_error == UNKNOWN else replace(record, last_error=UNKNOWN)


def take_attempt(record: Guard, *, claimed: bool, now: datetime, not_before: datetime | None,
                 settle: Callable[[Guard], Guard | None], swap: Callable[[Guard, Guard], bool],
                 touched: list[Guard]) -> Guard | None:
    """The unsent ``record`` marked as sending now, when this process may make the attempt:
    a crash mid-send is settled first (``settle`` looks in the channel), a retry waits out its
    backoff and the platform's Retry-After (``not_before``) unless just claimed, and ``swap``
    (compare-and-set) takes the attempt from any other replica. None: nothing to send now;
    a record changed on the way is added to ``touched``."""
    if record.sending_at is not None:
        settled = settle(record)
        if settled is None or settled.sent_at is not None or settled.sending_at is not None:
            if settled is not None and settled != record:
                touched.append(settled)
            return None
        record = settled
    if not claimed and now < max(next_attempt_at(record), not_before or now):
        return None
    sending = replace(record, sending_at=now)
    return sending if swap(record, sending) else None  # else another replica took it a moment ago


def late_note(team: Team, due: Due, now: datetime) -> str:
    """'' when on time; otherwise one line saying when the post was due, in team local time."""
    if now - due.due_at <= LATE_AFTER:
        return ""
    local = due.due_at.astimezone(zone(team.timezone))
    return italic(words.POST_LATE.format(post=LABELS.get(due.kind, due.kind), due=local))


class Delivery:
    """The scheduler's side of the cycle: each due post claimed once, delivered, recorded.

    Each attempt is taken with a compare-and-set on the record (so two replicas never send the
    same post at once) and marked as sending before anything goes out. A failed delivery keeps
    its claim and is retried with backoff (never claimed anew) until the schedule's grace ends;
    the record's attempts and last error show in `moments status`. A process that died while
    sending leaves its mark: the post is looked for in the channel and sent again only if it is
    surely not there; when the platform can't tell, it is not sent twice but shown in
    `moments status` and the log for a person to check. A permanent failure (bot removed from the
    channel) pauses the team."""

    def __init__(self, cycle: CycleService, weekly: WeeklyService, reports: ReportService,
                 deps: Deps) -> None:
        self._cycle = cycle
        self._weekly = weekly
        self._reports = reports
        self._d = deps
        # Retry-After from the platform, per post; in memory since a restart outlasts it anyway.
        self._not_before: dict[tuple[int, int, str, str], datetime] = {}

    def run_due(self, *, workspace: Workspace, team_id: int, notifier: Notifier) -> list[PostRecord]:
        """Claim, build and send every post that is due for the team now. Returns the records
        touched; a post another replica claimed or sent is left alone."""
        now = self._d.clock.now()
        with self._d.store.transaction(workspace.id) as repo:
            team = require_team(repo, team_id)
        touched: list[PostRecord] = []
        for due in due_posts(team, now):
            with self._d.store.transaction(workspace.id) as repo:
                claimed = repo.claim_post(team.id, due.kind, due.week, now)
                record = repo.post_record(team.id, due.kind, due.week)
            if record is None or record.sent_at is not None:
                continue
            sending = take_attempt(
                record, claimed=claimed, now=now, touched=touched,
                not_before=self._not_before.get((workspace.id, team.id, due.kind, due.week)),
                settle=partial(self._settle_interrupted, workspace, team, due, notifier=notifier, now=now),
                swap=partial(self._swap, workspace.id))
            if sending is not None:
                touched.append(self._deliver(workspace, team, due, sending, notifier))
        return touched

    def _swap(self, workspace_id: int, old: PostRecord, new: PostRecord) -> bool:
        with self._d.store.transaction(workspace_id) as repo:
            return repo.swap_post_record(old, new)

    def next_check(self, *, workspace_id: int, team_id: int) -> datetime | None:
        """When the scheduler must look at the team again: on the next tick while one of its due
        posts is unsent (failed, in flight, or unknown after a crash), else when its next post
        falls due. None when it is paused or gone: nothing is due until its schedule changes."""
        now = self._d.clock.now()
        with self._d.store.transaction(workspace_id) as repo:
            team = repo.team(team_id)
            if team is None:
                return None
            for due in due_posts(team, now):
                record = repo.post_record(team.id, due.kind, due.week)
                if record is None or record.sent_at is None:
                    return now + RECHECK
        return next_due_at(team, now)

    def _settle_interrupted(self, workspace: Workspace, team: Team, due: Due, record: PostRecord,
                            notifier: Notifier, now: datetime) -> PostRecord | None:
        """A record marked as sending: wait while its sender may be alive, then find out whether
        the post went out. Returns the record as it now stands (None: leave it alone)."""
        assert record.sending_at is not None
        if now - record.sending_at < IN_FLIGHT:
            return None  # another process is sending right now
        found: bool | None = None
        if isinstance(notifier, SentChecker):
            probe = Post(team.id, team.channel, due.kind, Reply(""), due.week)
            try:
                found = notifier.was_sent(workspace, probe, record.sending_at)
            except Exception:
                log.warning("could not check whether %s for team %s (%s) went out", due.kind,
                            team.name, due.week, exc_info=True)
        settled = settled_by_check(record, found)
        if settled == record:
            return record
        if found is True:
            log.info("%s for team %s (%s) was sent before the sender stopped; recorded", due.kind,
                     team.name, due.week)
        elif found is False:
            log.warning("%s for team %s (%s): the sender stopped before posting; sending again",
                        due.kind, team.name, due.week)
        else:
            log.error("%s for team %s (%s): the bot stopped while posting it at %s and can't tell "
                      "whether it went out; not sending it twice. Check %s and see `moments "
                      "status`.", due.kind, team.name, due.week, record.sending_at.isoformat(),
                      team.channel)
        with self._d.store.transaction(workspace.id) as repo:
            if not repo.swap_post_record(record, settled):
                return None
        return settled

    def _deliver(self, workspace: Workspace, team: Team, due: Due, record: PostRecord,
                 notifier: Notifier) -> PostRecord:
        now = self._d.clock.now()
        key = (workspace.id, team.id, due.kind, due.week)
        try:
            posts = self._build(workspace.id, team, due, record, now)
            note = late_note(team, due, now)
            for post in posts:
                if note:
                    post = replace(post, reply=replace(post.reply, text=f"{note}\n{post.reply.text}"))
                notifier.send(workspace, post)
            done = replace(record, sent_at=now, attempts=record.attempts + 1, sending_at=None,
                           last_error="" if posts else "nothing to post")
            self._not_before.pop(key, None)
            if note and posts:
                log.warning("%s for team %s (%s) sent late, due %s", due.kind, team.name, due.week,
                            due.due_at.isoformat())
        except DeliveryError as err:
            done = replace(record, attempts=record.attempts + 1, sending_at=None,
                           last_error=str(err)[:500])
            log.warning("%s for team %s (%s) failed (attempt %d): %s", due.kind, team.name, due.week,
                        done.attempts, err)
            if err.retry_after:
                self._not_before[key] = now + timedelta(seconds=err.retry_after)
            if err.permanent:
                self._pause(workspace.id, team)
        except Exception as err:  # one team's failure must not stop the others
            log.exception("%s for team %s (%s) failed", due.kind, team.name, due.week)
            done = replace(record, attempts=record.attempts + 1, sending_at=None,
                           last_error=f"{type(err).__name__}: {err}"[:500])
        with self._d.store.transaction(workspace.id) as repo:
            if not repo.swap_post_record(record, done):
                log.warning("%s for team %s (%s): another process settled this post meanwhile",
                            due.kind, team.name, due.week)
        return done

    def _build(self, workspace_id: int, team: Team, due: Due, record: PostRecord,
               now: datetime) -> list[Post]:
        if due.kind == "prompt":
            if iso_week(now, team.timezone) != due.week:
                return []  # caught up after the week ended: that week's prompt would ask too late
            try:  # opened now, or by an earlier attempt that failed to deliver it
                prompt, _new = self._weekly.open_prompt(workspace_id=workspace_id, team_id=team.id)
            except UserError:
                return []  # nothing hurts yet: no prompt this week
            view = self._reports.prompt(workspace_id=workspace_id, prompt_id=prompt.id)
            return [Post(team.id, team.channel, "prompt", text.prompt(view, lead=False), prompt.week)]
        if due.kind == "votes_closed":
            with self._d.store.transaction(workspace_id) as repo:
                weeks_prompt = repo.prompt_for_week(team.id, due.week)
            if weeks_prompt is None or (weeks_prompt.is_closed and record.attempts == 0):
                return []  # no prompt that week, or a lead closed it by hand before the deadline
            # Closed now, or by an earlier attempt whose post failed: the result still goes out.
            result = self._weekly.close_votes(workspace_id=workspace_id, prompt_id=weeks_prompt.id)
            view = self._reports.prompt(workspace_id=workspace_id, prompt_id=weeks_prompt.id)
            return [Post(team.id, team.channel, "votes_closed", text.results(view, result, lead=True),
                         due.week)]
        return self._cycle.post_digest(workspace_id=workspace_id, team_id=team.id, week=due.week)

    def _pause(self, workspace_id: int, team: Team) -> None:
        with self._d.store.transaction(workspace_id) as repo:
            current = repo.team(team.id)
            if current is not None:
                repo.save_team(replace(current, paused=True))
        log.warning("team %s paused: the bot can no longer post to %s", team.name, team.channel)
