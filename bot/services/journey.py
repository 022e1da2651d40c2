"""Teams and their customer journeys: setting up, and leads editing touchpoints."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from bot import words
from bot.domain import Team, Touchpoint, TouchpointTemplate
from bot.errors import UserError
from bot.journeys import load_template
from bot.ports import DuplicateError, Repository
from bot.schedule import DAYS, parse_slot
from bot.services.base import (
    Actor,
    Deps,
    find_touchpoint,
    is_lead,
    remember,
    require_insider,
    require_lead,
    require_team,
    require_touchpoint,
)
from bot.weeks import zone

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


class JourneyService:
    def __init__(self, deps: Deps) -> None:
        self._d = deps

    def team_for_channel(self, *, workspace_id: int, channel: str) -> Team | None:
        with self._d.store.transaction(workspace_id) as repo:
            return repo.team_by_channel(channel)

    def team_for_user(self, *, workspace_id: int, user_id: str, ask: bool = False) -> Team | None:
        """Where a person's DMs and App Home belong: the team they chose (``/moments team``),
        else the team they last reported in, else the workspace's only team. ``ask``: None
        rather than a guess when they are in several teams (lead or reported) and chose none:
        a report made in private then asks them which."""
        with self._d.store.transaction(workspace_id) as repo:
            chosen = repo.chosen_team(user_id)
            team = repo.team(chosen) if chosen is not None else None
            if team is not None:
                return team
            teams = repo.teams()
            latest: tuple[datetime, Team] | None = None
            theirs = 0
            for team in teams:
                mine = repo.moments(team.id, reporter_id=user_id, limit=1)
                if mine or user_id in team.leads:
                    theirs += 1
                if mine and (latest is None or mine[0].created_at > latest[0]):
                    latest = (mine[0].created_at, team)
            if ask and theirs > 1:
                return None
            if latest is not None:
                return latest[1]
            return teams[0] if len(teams) == 1 else None

    def team_here(self, *, workspace_id: int, channel: str, user_id: str,
                  private: bool) -> Team | None:
        """The team a person means where they are: the team of ``channel``; where that is no
        team's and the conversation is ``private`` (a DM, a personal chat, a form the person
        opened for themselves), their own team (``team_for_user``)."""
        team = self.team_for_channel(workspace_id=workspace_id, channel=channel) if channel else None
        if team is None and (private or not channel):
            team = self.team_for_user(workspace_id=workspace_id, user_id=user_id, ask=private)
        return team

    def channel_here(self, *, workspace_id: int, channel: str, user_id: str, private: bool) -> str:
        """The channel a request counts in: its own, or in a private conversation the person's
        team's (``team_here``); ``channel`` itself when there is no such team."""
        if channel and not private:
            return channel  # no read: the channel is the place, a team's or not
        team = self.team_here(workspace_id=workspace_id, channel=channel, user_id=user_id,
                              private=private)
        return team.channel if team is not None else channel

    def teams(self, *, workspace_id: int) -> list[Team]:
        with self._d.store.transaction(workspace_id) as repo:
            return repo.teams()

    def setup_team(
        self,
        *,
        workspace_id: int,
        actor: Actor,
        channel: str,
        name: str,
        template: str = "airline",
        timezone: str = "UTC",
    ) -> Team:
        """Create a team in a channel with a journey from a template; the creator leads it."""
        require_insider(actor, words.DOING_SET_UP_TEAM)
        try:
            journey = load_template(template)
        except ValueError as err:
            raise UserError(str(err)) from None
        zone(timezone)
        with self._d.store.transaction(workspace_id) as repo:
            remember(repo, actor)
            if repo.team_by_channel(channel):
                raise UserError(words.TEAM_EXISTS)
            team = repo.add_team(
                Team(0, name, channel, timezone, journey.name, leads=(actor.user_id,))
            )
            for position, tp in enumerate(journey.touchpoints, start=1):
                repo.add_touchpoint(
                    Touchpoint(0, team.id, tp.slug, tp.name, tp.description, tp.keywords,
                               tp.emoji, position)
                )
            return team

    def configure(
        self,
        *,
        workspace_id: int,
        team_id: int,
        actor: Actor,
        name: str | None = None,
        timezone: str | None = None,
        basic_after_weeks: int | None = None,
        focus_count: int | None = None,
        prompt_at: str | None = None,
        votes_close_at: str | None = None,
        digest_at: str | None = None,
        quiet_days: tuple[str, ...] | None = None,
    ) -> Team:
        """Change a team's settings; a new schedule takes effect at the scheduler's next minute."""
        quiet_days = check_settings(timezone=timezone, basic_after_weeks=basic_after_weeks,
                                    focus_count=focus_count, prompt_at=prompt_at,
                                    votes_close_at=votes_close_at, digest_at=digest_at,
                                    quiet_days=quiet_days)
        with self._d.store.transaction(workspace_id) as repo:
            team = require_team(repo, team_id)
            require_lead(repo, team, actor, words.DOING_CHANGE_SETTINGS)
            updated = replace(
                team,
                name=name or team.name,
                timezone=timezone or team.timezone,
                basic_after_weeks=basic_after_weeks or team.basic_after_weeks,
                focus_count=focus_count or team.focus_count,
                prompt_at=_slot(prompt_at) or team.prompt_at,
                votes_close_at=_slot(votes_close_at) or team.votes_close_at,
                digest_at=_slot(digest_at) or team.digest_at,
                quiet_days=team.quiet_days if quiet_days is None else quiet_days,
                paused=False,  # a lead touching setup (e.g. after re-inviting the bot) resumes posts
            )
            repo.save_team(updated)
            return updated

    def require_lead(self, *, workspace_id: int, team_id: int, actor: Actor, doing: str) -> None:
        """Raises the refusal a non-lead would get for ``doing``: a door asks before it opens a
        form nobody could submit (the change itself checks again)."""
        with self._d.store.transaction(workspace_id) as repo:
            require_lead(repo, require_team(repo, team_id), actor, doing)

    def is_lead(self, *, workspace_id: int, team_id: int, actor: Actor) -> bool:
        """Whether the person may run the team's lead tools: a door shows their buttons then."""
        with self._d.store.transaction(workspace_id) as repo:
            return is_lead(repo, require_team(repo, team_id), actor)

    def set_leads(
        self, *, workspace_id: int, team_id: int, actor: Actor, add: tuple[str, ...] = (),
        remove: tuple[str, ...] = ()
    ) -> Team:
        with self._d.store.transaction(workspace_id) as repo:
            team = require_team(repo, team_id)
            require_lead(repo, team, actor, words.DOING_CHANGE_LEADS)
            leads = [u for u in team.leads if u not in remove]
            leads += [u for u in add if u not in leads]
            updated = replace(team, leads=tuple(leads))
            repo.save_team(updated)
            return updated

    def touchpoints(
        self, *, workspace_id: int, team_id: int, include_retired: bool = False
    ) -> list[Touchpoint]:
        with self._d.store.transaction(workspace_id) as repo:
            require_team(repo, team_id)
            return repo.touchpoints(team_id, include_retired=include_retired)

    def add_touchpoint(
        self, *, workspace_id: int, team_id: int, actor: Actor, slug: str, name: str,
        description: str = "", keywords: tuple[str, ...] = (), emoji: str = ""
    ) -> Touchpoint:
        slug = slug.lstrip("#").lower()
        if not SLUG.match(slug):
            raise UserError(
                words.BAD_TOUCHPOINT_ID.format(slug=slug)
            )
        with self._d.store.transaction(workspace_id) as repo:
            team = self._lead_team(repo, team_id, actor)
            every = repo.touchpoints(team.id, include_retired=True)
            if find_touchpoint(every, slug, include_retired=True):
                raise UserError(words.TOUCHPOINT_EXISTS_MAYBE_RETIRED.format(slug=slug))
            position = max((t.position for t in every), default=0) + 1
            try:
                return repo.add_touchpoint(
                    Touchpoint(0, team.id, slug, name.strip() or slug.title(), description,
                               keywords, emoji, position)
                )
            except DuplicateError:
                raise UserError(words.TOUCHPOINT_EXISTS.format(slug=slug)) from None

    def rename_touchpoint(
        self, *, workspace_id: int, team_id: int, actor: Actor, slug: str, name: str
    ) -> Touchpoint:
        if not name.strip():
            raise UserError(words.GIVE_NEW_NAME)
        with self._d.store.transaction(workspace_id) as repo:
            team = self._lead_team(repo, team_id, actor)
            tp = require_touchpoint(repo.touchpoints(team.id), slug)
            renamed = replace(tp, name=name.strip())
            repo.save_touchpoint(renamed)
            return renamed

    def retire_touchpoint(
        self, *, workspace_id: int, team_id: int, actor: Actor, slug: str
    ) -> Touchpoint:
        """Stop filing new moments there; its moments and standards stay in the history."""
        with self._d.store.transaction(workspace_id) as repo:
            team = self._lead_team(repo, team_id, actor)
            active = repo.touchpoints(team.id)
            tp = require_touchpoint(active, slug)
            if len(active) == 1:
                raise UserError(words.LAST_TOUCHPOINT)
            retired = replace(tp, retired_at=self._d.clock.now())
            repo.save_touchpoint(retired)
            return retired

    def move_touchpoint(
        self, *, workspace_id: int, team_id: int, actor: Actor, slug: str, position: int
    ) -> list[Touchpoint]:
        """Put a touchpoint at a 1-based place in the journey and renumber the rest."""
        with self._d.store.transaction(workspace_id) as repo:
            team = self._lead_team(repo, team_id, actor)
            active = repo.touchpoints(team.id)
            tp = require_touchpoint(active, slug)
            if not 1 <= position <= len(active):
                raise UserError(words.PICK_A_PLACE.format(count=len(active)))
            order = [t for t in active if t.id != tp.id]
            order.insert(position - 1, tp)
            for place, item in enumerate(order, start=1):
                if item.position != place:
                    repo.save_touchpoint(replace(item, position=place))
            return repo.touchpoints(team.id)

    def import_touchpoints(
        self, *, workspace_id: int, team_id: int, actor: Actor,
        items: list[TouchpointTemplate], retire: tuple[str, ...] = ()
    ) -> tuple[int, int]:
        """Add or update touchpoints by slug, in the given order. Returns (added, updated)."""
        for item in items:
            if not SLUG.match(item.slug):
                raise UserError(words.BAD_TOUCHPOINT_ID_SHORT.format(slug=item.slug))
        with self._d.store.transaction(workspace_id) as repo:
            team = self._lead_team(repo, team_id, actor)
            existing = {t.slug: t for t in repo.touchpoints(team.id, include_retired=True)}
            added = updated = 0
            for position, item in enumerate(items, start=1):
                old = existing.get(item.slug)
                if old is None:
                    repo.add_touchpoint(Touchpoint(0, team.id, item.slug, item.name,
                                                   item.description, item.keywords, item.emoji,
                                                   position))
                    added += 1
                    continue
                new = replace(old, name=item.name, description=item.description,
                              keywords=item.keywords, emoji=item.emoji, position=position,
                              retired_at=self._d.clock.now() if item.slug in retire else None)
                if new != old:
                    repo.save_touchpoint(new)
                    updated += 1
            return added, updated

    def set_paused(self, *, workspace_id: int, team_id: int, paused: bool) -> Team | None:
        """Stop (or restart) the team's weekly posts: the bot was removed, or added back."""
        with self._d.store.transaction(workspace_id) as repo:
            team = repo.team(team_id)
            if team is None or team.paused == paused:
                return team
            team = replace(team, paused=paused)
            repo.save_team(team)
            return team

    def _lead_team(self, repo: Repository, team_id: int, actor: Actor) -> Team:
        team = require_team(repo, team_id)
        require_lead(repo, team, actor, words.DOING_EDIT_TOUCHPOINTS)
        return team


def _slot(raw: str | None) -> str | None:
    if raw is None:
        return None
    day, at = parse_slot(raw)
    return f"{DAYS[day - 1]} {at:%H:%M}"


def check_settings(*, timezone: str | None = None, basic_after_weeks: int | None = None,
                   focus_count: int | None = None, prompt_at: str | None = None,
                   votes_close_at: str | None = None, digest_at: str | None = None,
                   quiet_days: tuple[str, ...] | None = None) -> tuple[str, ...] | None:
    """Raise the UserError a bad team setting gets, before anything is stored (a new team is not
    made with settings it would then refuse); the quiet days as stored."""
    for slot in (prompt_at, votes_close_at, digest_at):
        if slot is not None:
            parse_slot(slot)
    if timezone is not None:
        zone(timezone)
    if basic_after_weeks is not None and not 1 <= basic_after_weeks <= 520:
        raise UserError(words.BAD_BASIC_AFTER)
    if focus_count is not None and not 1 <= focus_count <= 5:
        raise UserError(words.BAD_FOCUS)
    if quiet_days is None:
        return None
    bad = [d for d in quiet_days if d.lower()[:3] not in DAYS]
    if bad:
        raise UserError(words.NOT_A_DAY.format(day=bad[0]))
    return tuple(d.lower()[:3] for d in quiet_days)
