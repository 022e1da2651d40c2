"""The weekly rhythm as plain steps the scheduler (or `/moments week`) calls in turn."""

from __future__ import annotations

from bot import text
from bot.errors import UserError
from bot.services.base import Deps, require_team
from bot.services.reports import ReportService
from bot.services.weekly import WeeklyService
from bot.views import Post
from bot.weeks import iso_week


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
