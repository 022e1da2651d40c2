"""The first five minutes: nothing typed before a channel has a team is lost.

A moment reported where there is no team yet is kept as a ``WaitingMoment`` (redacted on the way
in, as every moment is), and filed through the normal capture path once the channel is set up;
one reported in a private chat by a person with no team, or with several and no choice made,
waits for them to pick one (the choice is remembered). Waiting moments expire after
``waiting_days``. When the bot joins a channel it welcomes it once, offering the setup form with
its settings guessed (``defaults``), so "Set up" needs no typing. Both doors (and the console)
call these; the words are in ``bot/words.py``, the replies in ``bot/welcome.py``.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import parsing, words
from bot.domain import MomentKind, Source, Team, WaitingMoment
from bot.errors import NotFound, UserError
from bot.journeys import template_names
from bot.markup import code
from bot.ports import DuplicateError, Repository
from bot.redact import PatternTimeout
from bot.services.base import Actor, Deps, remember
from bot.services.capture import UNCHECKED, CaptureService
from bot.services.journey import JourneyService
from bot.services.moments import Filed, MomentService, checked
from bot.views import SetupOffer
from bot.weeks import zone

log = logging.getLogger(__name__)

WAITING_DAYS = 14  # how long a waiting moment is kept for a team that is not set up (config)
DEFAULT_TEMPLATE = "airline"  # what setup has always proposed when nothing tells otherwise
DEFAULT_TIMEZONE = "UTC"
MAX_CHOICES = 10  # team buttons offered at once (a workspace with more: `/moments team NAME`)


@dataclass(frozen=True, slots=True)
class Kept:
    """A moment that could not be filed yet, and what the reporter can do about it."""

    waiting: WaitingMoment
    already: bool  # the same request was kept before (a replay): this is that one
    offer: SetupOffer | None  # in a channel: set it up from here
    teams: tuple[Team, ...] = ()  # in a private chat: the teams to pick from
    mine: bool = False  # ``teams`` are the person's own (else all the workspace's: they are in none)
    days: int = WAITING_DAYS


@dataclass(frozen=True, slots=True)
class FiledWaiting:
    waiting: WaitingMoment
    filed: Filed | None  # None: a reaction's moment made, its text still to be read


@dataclass(frozen=True, slots=True)
class SetUp:
    team: Team
    filed: tuple[FiledWaiting, ...]


@dataclass(frozen=True, slots=True)
class Chosen:
    team: Team
    filed: tuple[FiledWaiting, ...]


class Onboarding:
    def __init__(self, deps: Deps, journey: JourneyService, moments: MomentService,
                 capture: CaptureService, *, waiting_days: int = WAITING_DAYS) -> None:
        self._d = deps
        self._journey = journey
        self._moments = moments
        self._capture = capture
        self.waiting_days = waiting_days

    # guessing a new team's settings

    def defaults(self, *, workspace_id: int, channel: str, channel_name: str = "",
                 timezone: str = "") -> SetupOffer:
        """Settings for a new team in ``channel`` that need no typing: named after the channel,
        the journey most of the workspace's teams follow (else one the channel's name names,
        else the long-standing default), the timezone the door read from the person or the
        workspace (else the one most teams use, else UTC)."""
        teams = self._journey.teams(workspace_id=workspace_id)
        names = template_names()
        used = Counter(t.template for t in teams if t.template in names)
        named = next((n for n in names if n in channel_name.lower()), None)
        template = used.most_common(1)[0][0] if used else named or DEFAULT_TEMPLATE
        tz = timezone if timezone and _known_zone(timezone) else ""
        if not tz:
            zones = Counter(t.timezone for t in teams)
            tz = zones.most_common(1)[0][0] if zones else DEFAULT_TIMEZONE
        name = _team_name(channel_name)
        return SetupOffer(channel, name, template, tz, tuple(names))

    # the bot joins a channel

    def welcome(self, *, workspace_id: int, channel: str, channel_name: str = "",
                timezone: str = "") -> SetupOffer | None:
        """The welcome's setup offer, the first time the bot joins ``channel``; None when it
        was welcomed before (re-added, an event delivered twice) or already has a team."""
        with self._d.store.transaction(workspace_id) as repo:
            if repo.team_by_channel(channel) is not None:
                return None
            if not repo.claim_welcome(channel, self._d.clock.now()):
                return None
        return self.defaults(workspace_id=workspace_id, channel=channel, channel_name=channel_name,
                             timezone=timezone)

    # a moment where there is no team

    def keep(self, *, workspace_id: int, channel: str, actor: Actor, kind: MomentKind,
             text: str | None, source: Source, private: bool = False, message_ref: str | None = None,
             request_key: str | None = None, author_id: str = "", channel_name: str = "",
             timezone: str = "") -> Kept:
        """Keep a moment reported where no team is: for ``channel``'s team once it is set up,
        or (``private``) for the team its reporter picks. ``text`` None: a reaction on a
        message the door has no copy of; it is read when the moment is filed. Redacted as a
        report is; a text the person can fix (empty, too long) is refused as a report is."""
        body = ""
        if text is not None and (source is not Source.REACTION or parsing.tidy(text)):
            body = self._checked(workspace_id, text, kind)
        now = self._d.clock.now()
        waiting = WaitingMoment(0, "" if private else channel, kind, body, actor.user_id, source,
                                now, now + timedelta(days=self.waiting_days), author_id,
                                message_ref, request_key)
        already = False
        with self._d.store.transaction(workspace_id) as repo:
            done = repo.waiting_by_request(request_key) if request_key else None
            if done is None:
                remember(repo, actor)
                try:
                    done = repo.add_waiting(waiting)
                except DuplicateError:
                    done = repo.waiting_by_request(request_key or "")
                    if done is None:
                        raise
                    already = True
            else:
                already = True
            if private:
                mine = self._teams_of(repo, actor.user_id)
                teams = tuple(mine or repo.teams())[:MAX_CHOICES]
        if private:
            return Kept(done, already, None, teams, bool(mine), self.waiting_days)
        offer = self.defaults(workspace_id=workspace_id, channel=channel, channel_name=channel_name,
                              timezone=timezone)
        return Kept(done, already, offer, days=self.waiting_days)

    def unkeep(self, *, workspace_id: int, channel: str, actor: Actor, kind: MomentKind,
               message_ref: str) -> int:
        """A reaction taken back before the channel was set up: its waiting moment goes."""
        with self._d.store.transaction(workspace_id) as repo:
            doomed = [w.id for w in repo.waiting_in(channel) if w.message_ref == message_ref
                      and w.reporter_id == actor.user_id and w.kind is kind]
            return sum(repo.delete_waiting(i) for i in doomed)

    def _checked(self, workspace_id: int, text: str, kind: MomentKind) -> str:
        example = f"/{kind.value} the gate agent found a seat for my family"
        try:
            return checked(text, example=example,
                           patterns=self._moments.patterns.compiled(workspace_id)).text
        except PatternTimeout:  # never stored unchecked; the moment and its reporter stay
            return UNCHECKED

    # the channel is set up

    def set_up(self, *, workspace_id: int, actor: Actor, channel: str, name: str = "",
               template: str = "", timezone: str = "", channel_name: str = "",
               timezone_hint: str = "") -> SetUp:
        """Create the channel's team (the person leads it) with what they gave, the rest
        guessed; then file what was waiting for it, and what waited for this person's team."""
        guess = self.defaults(workspace_id=workspace_id, channel=channel,
                              channel_name=channel_name or name, timezone=timezone_hint)
        team = self._journey.setup_team(workspace_id=workspace_id, actor=actor, channel=channel,
                                        name=name.strip() or guess.name,
                                        template=template or guess.template,
                                        timezone=timezone or guess.timezone)
        return SetUp(team, self.file_waiting(workspace_id=workspace_id, team=team, reporter=actor))

    def file_waiting(self, *, workspace_id: int, team: Team, reporter: Actor | None = None) -> \
            tuple[FiledWaiting, ...]:
        """File into ``team`` the moments waiting for its channel (and, with ``reporter``, the
        ones waiting for that person's team), oldest first, each through the path it would have
        taken; each is deleted once filed. One that cannot be filed any more is logged and
        dropped, never holding up the rest."""
        with self._d.store.transaction(workspace_id) as repo:
            waiting = repo.waiting_in(team.channel)
            if reporter is not None:
                waiting += repo.waiting_of(reporter.user_id)
            waiting.sort(key=lambda w: (w.created_at, w.id))
        out: list[FiledWaiting] = []
        for item in waiting:
            try:
                out.append(FiledWaiting(item, self._file(workspace_id, team, item)))
            except UserError as err:
                log.info("waiting moment %d not filed: %s", item.id, type(err).__name__)
            except DuplicateError:
                log.info("waiting moment %d was filed already", item.id)
            with self._d.store.transaction(workspace_id) as repo:
                repo.delete_waiting(item.id)
        return tuple(out)

    def _file(self, workspace_id: int, team: Team, item: WaitingMoment) -> Filed | None:
        actor = Actor(item.reporter_id)
        if item.source is Source.REACTION and item.message_ref:
            reacted = self._capture.react(workspace_id=workspace_id, team_id=team.id, actor=actor,
                                          kind=item.kind, message_ref=item.message_ref,
                                          author_id=item.author_id, text=item.text or None)
            return reacted.filed
        if item.source is Source.SHORTCUT:
            return self._capture.log_message(
                workspace_id=workspace_id, channel=team.channel, actor=actor, kind=item.kind,
                text=item.text, message_ref=item.message_ref,
                author=Actor(item.author_id) if item.author_id else None,
                request_key=item.request_key, reported_at=item.created_at)
        return self._moments.report(
            workspace_id=workspace_id, team_id=team.id, actor=actor, kind=item.kind,
            text=item.text, source=item.source, message_ref=item.message_ref,
            request_key=item.request_key, strict_tags=False, reported_at=item.created_at)

    # a person's own team, for what they report in private

    def choose_team(self, *, workspace_id: int, actor: Actor, team_id: int) -> Chosen:
        """Remember the person's team for what they report outside a team's channel, and file
        there what waited for it."""
        with self._d.store.transaction(workspace_id) as repo:
            team = repo.team(team_id)
            if team is None:
                raise NotFound(words.FIRST_TEAM_GONE.format(command=code("/moments team")))
            remember(repo, actor)
            repo.choose_team(actor.user_id, team.id)
        filed = self.file_waiting(workspace_id=workspace_id, team=team, reporter=actor)
        # only the person's own waiting moments: the channel's were filed when it was set up
        return Chosen(team, filed)

    def teams_for(self, *, workspace_id: int, user_id: str) -> tuple[tuple[Team, ...], bool, Team | None]:
        """The teams to offer a person (their own, else the workspace's), whether those are
        their own, and the one they chose (None: none chosen)."""
        with self._d.store.transaction(workspace_id) as repo:
            mine = self._teams_of(repo, user_id)
            chosen = repo.chosen_team(user_id)
            current = repo.team(chosen) if chosen is not None else None
            return tuple(mine or repo.teams())[:MAX_CHOICES], bool(mine), current

    @staticmethod
    def _teams_of(repo: Repository, user_id: str) -> list[Team]:
        """The teams a person is in, as far as Moments can tell: the ones they lead or have
        reported in."""
        return [t for t in repo.teams()
                if user_id in t.leads or repo.moments(t.id, reporter_id=user_id, limit=1)]

    # housekeeping

    def expire(self, *, workspace_id: int, now: datetime | None = None) -> int:
        """Delete the waiting moments nobody set a team up for in time."""
        with self._d.store.transaction(workspace_id) as repo:
            return repo.delete_waiting_expired(now or self._d.clock.now())


def _known_zone(name: str) -> bool:
    try:
        zone(name)
    except UserError:
        return False
    return True


def _team_name(channel_name: str) -> str:
    """"gate-crew" -> "Gate crew"; nothing to go on -> the catalogue's neutral name."""
    words_of = channel_name.strip().lstrip("#").replace("-", " ").replace("_", " ").split()
    if not words_of:
        return words.FIRST_DEFAULT_TEAM_NAME
    name = " ".join(words_of)
    return (name[:1].upper() + name[1:])[:80]
