"""Reporting WOW and OW moments and filing them against a touchpoint."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot import parsing, words
from bot.domain import (
    MAX_MOMENT_CHARS,
    Filing,
    FilingFeedback,
    Moment,
    MomentKind,
    Source,
    Touchpoint,
)
from bot.errors import NotAllowed, NotFound, UserError
from bot.markup import code
from bot.ports import DuplicateError, FilingGuess, Repository
from bot.redact import Redacted, redact
from bot.services.base import (
    Actor,
    Deps,
    find_touchpoint,
    remember,
    require_team,
    require_touchpoint,
    team_of_channel,
)
from bot.services.privacy import WorkspacePatterns

ASK_CHOICES = 3
# The same person sending the same moment again this soon is sending it twice (a retry after a
# failed connection, a double click, a replica that died after storing it): it is not a second
# moment. Longer would swallow a real second report; shorter would miss a slow retry.
RETRY_WINDOW = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class Filed:
    """A stored moment, where it went, and what to ask the reporter if unsure."""

    moment: Moment
    touchpoint: Touchpoint | None
    choices: tuple[Touchpoint, ...]  # non-empty when the reporter should pick
    notes: tuple[str, ...] = ()
    journey: tuple[Touchpoint, ...] = ()  # the team's touchpoints as filed against, if read
    already: bool = False  # the same report was made before: this is that moment, not a new one


def check_text(text: str, *, what: str = "moment", example: str = "/wow ...",
               patterns: Iterable[re.Pattern[str]] = ()) -> str:
    """Tidied, length-checked text with customers' personal data taken out.

    ``patterns``: the workspace's own, redacted as well as the built-in kinds."""
    return checked(text, what=what, example=example, patterns=patterns).text


def checked(text: str, *, what: str = words.MOMENT, example: str = "/wow ...",
            patterns: Iterable[re.Pattern[str]] = ()) -> Redacted:
    text = parsing.tidy(text)
    if not text:
        raise UserError(words.SAY_WHAT_HAPPENED.format(example=code(example)))
    if len(text) > MAX_MOMENT_CHARS:
        raise UserError(words.TOO_LONG.format(what=what, length=len(text), limit=MAX_MOMENT_CHARS))
    return redact(text, patterns)


def privacy_note(found: tuple[str, ...]) -> tuple[str, ...]:
    if not found:
        return ()
    kinds = ", ".join(words.A_WORKSPACE_PATTERN if k == "redacted" else k.replace("-", " ")
                      for k in found)
    return (words.PERSONAL_DATA_REMOVED.format(kinds=kinds),)


class MomentService:
    def __init__(self, deps: Deps, patterns: WorkspacePatterns | None = None) -> None:
        self._d = deps
        self.patterns = patterns or WorkspacePatterns(deps)

    def report(
        self,
        *,
        workspace_id: int,
        actor: Actor,
        kind: MomentKind | None,
        text: str,
        source: Source,
        team_id: int | None = None,
        channel: str = "",
        message_ref: str | None = None,
        credited: tuple[str, ...] = (),
        strict_tags: bool = True,
        request_key: str | None = None,
        reported_at: datetime | None = None,
    ) -> Filed:
        """Store a moment and file it: an explicit tag wins, else the filer, else ask. The team is
        ``team_id``, or else the team of ``channel``.

        ``reported_at``: when it was reported, if earlier than now (a moment kept before its
        channel had a team), so it counts in the week it happened.
        A report made already makes nothing new; the answer names the moment it made
        (``Filed.already``): the same request again (``request_key``: a replay after a crash, a
        form submitted twice), or the same person sending the same text within RETRY_WINDOW.
        A reaction's moment whose message has one already raises DuplicateError."""
        try:
            return self._report(workspace_id=workspace_id, actor=actor, kind=kind, text=text,
                                source=source, team_id=team_id, channel=channel,
                                message_ref=message_ref, credited=credited,
                                strict_tags=strict_tags, request_key=request_key,
                                reported_at=reported_at)
        except DuplicateError:
            if request_key is None:
                raise
            # the same request ran at the same time elsewhere (a double click reaching two
            # replicas) and stored it first: answer with its moment
            with self._d.store.transaction(workspace_id) as repo:
                done = repo.moment_by_request(request_key)
                if done is None:
                    raise
                touchpoints = repo.touchpoints(done.team_id)
            filed_on = next((t for t in touchpoints if t.id == done.touchpoint_id), None)
            return Filed(done, filed_on, (), journey=tuple(touchpoints), already=True)

    def _report(
        self,
        *,
        workspace_id: int,
        actor: Actor,
        kind: MomentKind | None,
        text: str,
        source: Source,
        team_id: int | None,
        channel: str,
        message_ref: str | None,
        credited: tuple[str, ...],
        strict_tags: bool,
        request_key: str | None,
        reported_at: datetime | None = None,
    ) -> Filed:
        example = words.EXAMPLE_MOMENT.format(kind=(kind or MomentKind.WOW).value)
        try:
            clean = checked(text, example=example, patterns=self.patterns.compiled(workspace_id))
        except UserError:
            if team_id is None:  # no team here at all: that is the thing to say first
                with self._d.store.transaction(workspace_id) as repo:
                    team_of_channel(repo, channel)
            raise
        parsed = parsing.parse(clean.text)
        with self._d.store.transaction(workspace_id) as repo:
            team = require_team(repo, team_id) if team_id is not None else team_of_channel(repo, channel)
            remember(repo, actor)
            touchpoints = repo.touchpoints(team.id)
            tagged = _tagged(touchpoints, parsed.tags, strict=strict_tags)
            body = parsed.text if tagged else clean.text
            if not body:
                raise UserError(words.SAY_WHAT_AS_WELL_AS_WHERE.format(example=code(example)))
            filer = self._d.filer(repo)
            guess = filer.guess(body, touchpoints)
            if kind is None:
                kind = guess.kind or MomentKind.OW
            notes = list(privacy_note(clean.found))
            mentioned = tuple(m for m in parsed.mentions if m != actor.user_id)
            if kind is MomentKind.OW:
                if mentioned or credited:
                    notes.append(words.OWS_ARE_BLAMELESS)
                body = parsing.blameless(body, parsed.mentions)
                credit: tuple[str, ...] = ()
            else:
                credit = tuple(dict.fromkeys((*credited, *mentioned)))
            touchpoint, filing, confidence, choices = decide(
                touchpoints, tagged, guess, filer.threshold
            )
            now = self._d.clock.now()
            done = repo.moment_by_request(request_key) if request_key else None
            if done is None:
                done = _sent_just_now(repo, team.id, actor, kind, body, message_ref, now)
            if done is not None:
                filed_on = next((t for t in touchpoints if t.id == done.touchpoint_id), None)
                return Filed(done, filed_on, () if filed_on else choices, tuple(notes),
                             tuple(touchpoints), already=True)
            moment = repo.add_moment(
                Moment(
                    id=0,
                    team_id=team.id,
                    kind=kind,
                    text=body,
                    reporter_id=actor.user_id,
                    touchpoint_id=touchpoint.id if touchpoint else None,
                    filing=filing,
                    confidence=confidence,
                    source=source,
                    created_at=min(reported_at, now) if reported_at else now,
                    updated_at=now,
                    credited=credit,
                    message_ref=message_ref,
                    request_key=request_key,
                )
            )
            return Filed(moment, touchpoint, choices, tuple(notes), tuple(touchpoints))

    def refile(
        self, *, workspace_id: int, moment_id: int, actor: Actor, touchpoint: str
    ) -> Filed:
        """The reporter picks or changes the touchpoint; the filer learns from it.

        ``touchpoint=""`` means "none of these": the moment stays unfiled.
        """
        with self._d.store.transaction(workspace_id) as repo:
            moment = _own_moment(repo, moment_id, actor, "refile")
            touchpoints = repo.touchpoints(moment.team_id)
            filer = self._d.filer(repo)
            chosen = require_touchpoint(touchpoints, touchpoint) if touchpoint else None
            guess = filer.guess(moment.text, touchpoints)
            if moment.filing is Filing.ASKED or chosen is None or chosen.id == moment.touchpoint_id:
                filing = Filing.CONFIRMED
            else:
                filing = Filing.CORRECTED
            if chosen is None:
                filing = Filing.ASKED
            updated = replace(
                moment,
                touchpoint_id=chosen.id if chosen else None,
                filing=filing,
                confidence=1.0 if chosen else 0.0,
                updated_at=self._d.clock.now(),
            )
            repo.save_moment(updated)
            if chosen is not None:
                repo.add_filing_feedback(
                    FilingFeedback(
                        id=0,
                        team_id=moment.team_id,
                        moment_id=moment.id,
                        text=moment.text,
                        kind=moment.kind,
                        touchpoint_slug=chosen.slug,
                        guessed_slug=guess.best,
                        created_at=self._d.clock.now(),
                    )
                )
                self._d.filer(repo)  # catches up on the feedback just stored
            return Filed(updated, chosen, ())

    def retract(self, *, workspace_id: int, moment_id: int | None, actor: Actor) -> Moment:
        """Withdraw a moment (the reporter's latest when no id is given)."""
        with self._d.store.transaction(workspace_id) as repo:
            if moment_id is None:
                moment = _latest_of(repo, actor)
            else:
                moment = _own_moment(repo, moment_id, actor, words.DOING_RETRACT)
            now = self._d.clock.now()
            retracted = replace(moment, retracted_at=now, updated_at=now)
            repo.save_moment(retracted)
            return retracted

    def edit(self, *, workspace_id: int, moment_id: int, actor: Actor, text: str) -> Filed:
        """Change a moment's text; an automatic filing is redone, a chosen one is kept."""
        clean = checked(text, example=words.EXAMPLE_EDIT.format(moment_id=moment_id),
                        patterns=self.patterns.compiled(workspace_id))
        body = clean.text
        with self._d.store.transaction(workspace_id) as repo:
            moment = _own_moment(repo, moment_id, actor, words.DOING_EDIT)
            touchpoints = repo.touchpoints(moment.team_id)
            parsed = parsing.parse(body)
            tagged = _tagged(touchpoints, parsed.tags, strict=True)
            if tagged is None:
                parsed = parsing.ParsedText(body, (), parsed.mentions)
            if moment.kind is MomentKind.OW:
                parsed = replace(parsed, text=parsing.blameless(parsed.text, parsed.mentions))
            keep = moment.filing in (Filing.CONFIRMED, Filing.CORRECTED) and tagged is None
            touchpoint = next((t for t in touchpoints if t.id == moment.touchpoint_id), None)
            choices: tuple[Touchpoint, ...] = ()
            filing, confidence = moment.filing, moment.confidence
            if not keep:
                filer = self._d.filer(repo)
                guess = filer.guess(parsed.text, touchpoints)
                touchpoint, filing, confidence, choices = decide(
                    touchpoints, tagged, guess, filer.threshold
                )
            updated = replace(
                moment,
                text=parsed.text,
                touchpoint_id=touchpoint.id if touchpoint else None,
                filing=filing,
                confidence=confidence,
                updated_at=self._d.clock.now(),
            )
            repo.save_moment(updated)
            return Filed(updated, touchpoint, choices, privacy_note(clean.found))

    def likely_kind(self, *, workspace_id: int, team_id: int, text: str) -> MomentKind:
        """The kind a form prefilled with ``text`` proposes (the message shortcut): the team's
        filer's, WOW when the text does not say (the reporter can change it)."""
        with self._d.store.transaction(workspace_id) as repo:
            guess = self._d.filer(repo).guess(text, repo.touchpoints(team_id))
        return guess.kind or MomentKind.WOW

    def recent(
        self, *, workspace_id: int, team_id: int, actor: Actor, limit: int = 10
    ) -> list[tuple[Moment, Touchpoint | None]]:
        """The person's own recent moments in a team."""
        with self._d.store.transaction(workspace_id) as repo:
            by_id = {t.id: t for t in repo.touchpoints(team_id, include_retired=True)}
            mine = repo.moments(team_id, reporter_id=actor.user_id, limit=limit)
            return [(m, by_id.get(m.touchpoint_id or 0)) for m in mine]


def _tagged(touchpoints: list[Touchpoint], tags: tuple[str, ...], *, strict: bool) -> Touchpoint | None:
    for tag in tags:
        found = find_touchpoint(touchpoints, tag)
        if found:
            return found
    if tags and strict:
        require_touchpoint(touchpoints, tags[0])  # raises with the list of touchpoints
    return None


def decide(
    touchpoints: list[Touchpoint],
    tagged: Touchpoint | None,
    guess: FilingGuess,
    threshold: float,
) -> tuple[Touchpoint | None, Filing, float, tuple[Touchpoint, ...]]:
    if tagged is not None:
        return tagged, Filing.EXPLICIT, 1.0, ()
    by_slug = {t.slug: t for t in touchpoints if t.active}
    ranked = [(by_slug[s], p) for s, p in guess.ranked if s in by_slug]
    if ranked and (guess.explicit or ranked[0][1] >= threshold):
        filing = Filing.EXPLICIT if guess.explicit else Filing.AUTO
        return ranked[0][0], filing, ranked[0][1], ()
    confidence = ranked[0][1] if ranked else 0.0
    choices = [t for t, _ in ranked[:ASK_CHOICES]]
    for tp in touchpoints:  # always offer three, filling from the journey's order
        if len(choices) >= ASK_CHOICES:
            break
        if tp.active and tp not in choices:
            choices.append(tp)
    return None, Filing.ASKED, confidence, tuple(choices)


def _sent_just_now(repo: Repository, team_id: int, actor: Actor, kind: MomentKind, body: str,
                   message_ref: str | None, now: datetime) -> Moment | None:
    """The person's live moment with this very text, kind and message, made in RETRY_WINDOW."""
    recent = repo.moments(team_id, since=now - RETRY_WINDOW, kind=kind, reporter_id=actor.user_id)
    return next((m for m in recent if m.text == body and m.message_ref == message_ref), None)


def _own_moment(repo: Repository, moment_id: int, actor: Actor, doing: str) -> Moment:
    moment = repo.moment(moment_id)
    if moment is None or moment.retracted:
        raise NotFound(words.NO_SUCH_OWN_MOMENT.format(moment_id=moment_id))
    if moment.reporter_id != actor.user_id:
        raise NotAllowed(words.ONLY_REPORTER.format(moment_id=moment_id, doing=doing))
    return moment


def _latest_of(repo: Repository, actor: Actor) -> Moment:
    latest: Moment | None = None
    for team in repo.teams():
        mine = repo.moments(team.id, reporter_id=actor.user_id, limit=1)
        if mine and (latest is None or mine[0].created_at > latest.created_at):
            latest = mine[0]
    if latest is None:
        raise NotFound(words.NOTHING_TO_RETRACT)
    return latest
