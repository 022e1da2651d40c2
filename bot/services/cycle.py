"""The weekly rhythm as plain steps the scheduler (or `/moments week`) calls in turn."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from bot import text
from bot.domain import PostRecord, Team, Workspace
from bot.errors import UserError
from bot.ports import DeliveryError, Notifier
from bot.schedule import Due, due_posts
from bot.services.base import Deps, require_team
from bot.services.reports import ReportService
from bot.services.weekly import WeeklyService
from bot.views import Post
from bot.weeks import iso_week

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

    def run_week(self, *, workspace_id: int, team_id: int) -> list[Post]:
        """Everything the schedule would do this week, now: close, review, digest, prompt."""
        posts = self.close_due_votes(workspace_id=workspace_id, team_id=team_id, force=True)
        posts += self.post_digest(workspace_id=workspace_id, team_id=team_id)
        posts += self.post_prompt(workspace_id=workspace_id, team_id=team_id)
        return posts

    def _channel(self, workspace_id: int, team_id: int) -> str:
        with self._d.store.transaction(workspace_id) as repo:
            return require_team(repo, team_id).channel

    def week(self, *, workspace_id: int, team_id: int) -> str:
        with self._d.store.transaction(workspace_id) as repo:
            return iso_week(self._d.clock.now(), require_team(repo, team_id).timezone)


class Delivery:
    """The scheduler's side of the cycle: each due post claimed once, delivered, recorded."""

    MAX_ATTEMPTS = 6

    def __init__(self, cycle: CycleService, weekly: WeeklyService, reports: ReportService,
                 deps: Deps) -> None:
        self._cycle = cycle
        self._weekly = weekly
        self._reports = reports
        self._d = deps

    def run_due(self, *, workspace: Workspace, team_id: int, notifier: Notifier) -> list[PostRecord]:
        """Claim, build and send every post that is due for the team now. Returns the records
        touched; a post another replica already sent is left alone."""
        now = self._d.clock.now()
        with self._d.store.transaction(workspace.id) as repo:
            team = require_team(repo, team_id)
        touched = []
        for due in due_posts(team, now):
            with self._d.store.transaction(workspace.id) as repo:
                claimed = repo.claim_post(team.id, due.kind, due.week, now)
                record = repo.post_record(team.id, due.kind, due.week)
            if record is None or record.sent_at is not None:
                continue
            if not claimed and not self._retry_now(record, now):
                continue
            touched.append(self._deliver(workspace, team, due, record, notifier))
        return touched

    def _retry_now(self, record: PostRecord, now: datetime) -> bool:
        if record.attempts >= self.MAX_ATTEMPTS:
            return False
        return now >= record.claimed_at + timedelta(minutes=2 ** record.attempts - 1)

    def _deliver(self, workspace: Workspace, team: Team, due: Due, record: PostRecord,
                 notifier: Notifier) -> PostRecord:
        now = self._d.clock.now()
        try:
            posts = self._build(workspace.id, team, due)
            late = due.late_by(now)
            for post in posts:
                if late > timedelta(minutes=15):
                    hours = max(1, round(late.total_seconds() / 3600))
                    plural = "" if hours == 1 else "s"
                    note = f"_(Late by about {hours} hour{plural}: the bot was offline.)_\n"
                    post = replace(post, reply=replace(post.reply, text=note + post.reply.text))
                notifier.send(workspace, post)
            done = replace(record, sent_at=now, attempts=record.attempts + 1,
                           last_error="" if posts else "nothing to post")
        except DeliveryError as err:
            done = replace(record, attempts=record.attempts + 1, last_error=str(err)[:500])
            log.warning("%s for team %s (%s) failed: %s", due.kind, team.name, due.week, err)
            if err.permanent:
                self._pause(workspace.id, team)
        except Exception as err:  # one team's failure must not stop the others
            log.exception("%s for team %s (%s) failed", due.kind, team.name, due.week)
            done = replace(record, attempts=record.attempts + 1, last_error=type(err).__name__)
        with self._d.store.transaction(workspace.id) as repo:
            repo.save_post_record(done)
        return done

    def _build(self, workspace_id: int, team: Team, due: Due) -> list[Post]:
        if due.kind == "prompt":
            try:  # opened now, or by an earlier attempt that failed to deliver it
                prompt, _new = self._weekly.open_prompt(workspace_id=workspace_id, team_id=team.id)
            except UserError:
                return []  # nothing hurts yet: no prompt this week
            view = self._reports.prompt(workspace_id=workspace_id, prompt_id=prompt.id)
            return [Post(team.id, team.channel, "prompt", text.prompt(view, lead=False), prompt.week)]
        if due.kind == "votes_closed":
            with self._d.store.transaction(workspace_id) as repo:
                weeks_prompt = repo.prompt_for_week(team.id, due.week)
            if weeks_prompt is None or weeks_prompt.closed_at is not None:
                return []
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
