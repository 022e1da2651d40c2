"""Moments made from chat messages: reactions with "me too", and text that arrives later.

A reaction names a message, not its text: the door passes the text when it has it (from its
short-lived cache of recent messages, whose copies ``keepable`` redacts first) and the moment
is stored at once either way; a moment without text waits for ``fill_text`` and is filed then.

A moment made from a colleague's message (a reaction, the message shortcut or action) quotes
words its reporter did not write, so it follows that message: edited, the moment takes the new
text; deleted, the text is erased (``DELETED``) and the moment itself stays, with its kind,
touchpoint, credit and "me too"s, so the team's counts do not change behind its back. A moment
the reporter wrote themselves (a command, a ``WOW:`` message) is theirs to edit or retract.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot import parsing, words
from bot.domain import MAX_MOMENT_CHARS, Filing, Moment, MomentKind, Source
from bot.ports import DuplicateError, Repository
from bot.redact import PatternTimeout, redact
from bot.services.base import Actor, Deps, display, find_touchpoint, remember, require_team
from bot.services.moments import Filed, MomentService, check_text, decide
from bot.shorten import shorten_message

UNCHECKED = words.UNCHECKED
DELETED = words.DELETED
QUOTED = frozenset({Source.REACTION, Source.SHORTCUT})  # moments whose text is someone's message


@dataclass(frozen=True, slots=True)
class SourceChanged:
    """What an edited or deleted chat message changed."""

    moments: tuple[Moment, ...]  # the moments quoting it, as they are now
    gone: bool  # it has no text any more (deleted, or edited to nothing): a door drops its copy

# Reactions racing for a message's moment: the losers find the winner's and add "me too". One
# more round covers a winner that was withdrawn meanwhile.
REACT_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class Reacted:
    moment: Moment
    created: bool  # a new moment, rather than a "me too" on an existing one
    filed: Filed | None  # None while the text is not known yet


def _credit(kind: MomentKind, author_id: str, actor: Actor) -> tuple[str, ...]:
    """A WOW on a message credits its author, unless the author reacted to their own."""
    return (author_id,) if kind is MomentKind.WOW and author_id and author_id != actor.user_id else ()


class CaptureService:
    def __init__(self, deps: Deps, moments: MomentService) -> None:
        self._d = deps
        self._moments = moments

    def log_message(
        self,
        *,
        workspace_id: int,
        channel: str,
        actor: Actor,
        kind: MomentKind,
        text: str,
        touchpoint: str | None = None,
        message_ref: str | None = None,
        author: Actor | None = None,
        request_key: str | None = None,
        reported_at: datetime | None = None,
    ) -> Filed:
        """A colleague's message logged as a moment through the door's form (Slack's message
        shortcut, Teams' message action), for the team of ``channel``.

        ``touchpoint``: the slug the person chose in the form, filed there. A WOW credits the
        message's ``author`` unless they log their own message; the author's name, when the door
        knows it, is remembered for the digest. ``request_key`` names the form's submission:
        the same one again (a double submit, a retry) answers with the moment it made."""
        if touchpoint:
            text = f"{text} #{touchpoint}"  # an explicit tag: filed where the person chose
        credit = _credit(kind, author.user_id if author else "", actor)
        filed = self._moments.report(
            workspace_id=workspace_id, channel=channel, actor=actor, kind=kind, text=text,
            source=Source.SHORTCUT, message_ref=message_ref, credited=credit, strict_tags=False,
            request_key=request_key, reported_at=reported_at)
        if credit and author is not None and author.display_name:
            self.remember_people(workspace_id=workspace_id, people=[author])
        return filed

    def me_too_on_post(self, *, workspace_id: int, message_ref: str, actor: Actor) -> Moment | None:
        """A like on the bot's own post about a moment (its confirmation) is a "me too" on that
        moment. The moment, when the person's "me too" is on it; None when the post is about no
        moment (the weekly prompt, a digest: nothing to log, nobody to credit), or the person
        reported it or is credited by it (a thank-you is not a second witness)."""
        linked = self.moment_for_message(workspace_id=workspace_id, message_ref=message_ref)
        if linked is None:
            return None
        moment = self.me_too(workspace_id=workspace_id, moment_id=linked.id, actor=actor)
        return moment if moment is not None and actor.user_id in moment.also_reported_by else None

    def withdraw_on_post(self, *, workspace_id: int, message_ref: str, actor: Actor) -> Moment | None:
        """Taking back a like on the bot's post about a moment withdraws that "me too"."""
        linked = self.moment_for_message(workspace_id=workspace_id, message_ref=message_ref)
        if linked is None:
            return None
        return self.withdraw(workspace_id=workspace_id, moment_id=linked.id, actor=actor)

    def react(
        self,
        *,
        workspace_id: int,
        team_id: int,
        actor: Actor,
        kind: MomentKind,
        message_ref: str,
        author_id: str,
        text: str | None,
    ) -> Reacted:
        """A WOW or OW reaction: the first makes the moment, later ones add "me too"."""
        def once() -> Reacted:
            with self._d.store.transaction(workspace_id) as repo:
                done = self._react_in(repo, team_id, actor, kind, message_ref, author_id, text)
            return done if done is not None else self._filed(workspace_id, team_id, actor, kind,
                                                             message_ref, author_id, text or "")
        return _first_or_me_too(once)

    def react_in_channel(
        self, *, workspace_id: int, team_id: int, channel: str, ts: str, actor: Actor,
        kind: MomentKind, author_id: str = "", text: str | None = None,
    ) -> Reacted:
        """``react`` on message ``ts`` of ``channel``; ``text`` is the door's copy of the
        message (see ``keepable``), None when it has none."""
        return self.react(workspace_id=workspace_id, team_id=team_id, actor=actor, kind=kind,
                          message_ref=f"{channel}/{ts}", author_id=author_id, text=text)

    def _react_in(self, repo: Repository, team_id: int, actor: Actor, kind: MomentKind, message_ref: str,
                  author_id: str, text: str | None) -> Reacted | None:
        """A "me too" on the message's moment, or a new moment waiting for its text, in the
        caller's transaction; None when the text is known: it is filed like a report."""
        existing = repo.moment_by_ref(message_ref, kind)
        joined = self._add_me_too(repo, existing.id, actor) if existing is not None else None
        if joined is not None:
            return Reacted(joined, False, None)
        if text is None or not parsing.tidy(text):
            return Reacted(self._unread(repo, team_id, actor, kind, message_ref, author_id), True, None)
        return None

    def _filed(self, workspace_id: int, team_id: int, actor: Actor, kind: MomentKind, message_ref: str,
               author_id: str, text: str) -> Reacted:
        short = shorten_message(text)  # a reaction cannot be sent again shorter
        filed = self._moments.report(
            workspace_id=workspace_id, team_id=team_id, actor=actor, kind=kind, text=short.text,
            source=Source.REACTION, message_ref=message_ref, credited=_credit(kind, author_id, actor),
            strict_tags=False,
        )
        if short.cut:
            filed = replace(filed, notes=(*filed.notes, short.note))
        return Reacted(filed.moment, True, filed)

    def _unread(self, repo: Repository, team_id: int, actor: Actor, kind: MomentKind, message_ref: str,
                author_id: str) -> Moment:
        """The moment of a reaction on a message whose text is not known yet: filed when
        ``fill_text`` brings it."""
        require_team(repo, team_id)
        remember(repo, actor)
        now = self._d.clock.now()
        return repo.add_moment(
            Moment(0, team_id, kind, "", actor.user_id, None, Filing.ASKED, 0.0,
                   Source.REACTION, now, now, credited=_credit(kind, author_id, actor),
                   message_ref=message_ref)
        )

    def unreact(
        self, *, workspace_id: int, actor: Actor, kind: MomentKind, message_ref: str
    ) -> Moment | None:
        """Removing a reaction withdraws only that person's report."""
        with self._d.store.transaction(workspace_id) as repo:
            found = repo.moment_by_ref(message_ref, kind)
            moment = repo.lock_moment(found.id) if found is not None else None
            if moment is None or moment.retracted:
                return None
            now = self._d.clock.now()
            if actor.user_id in moment.also_reported_by:
                others = tuple(u for u in moment.also_reported_by if u != actor.user_id)
                moment = replace(moment, also_reported_by=others, updated_at=now)
            elif actor.user_id == moment.reporter_id:
                if moment.also_reported_by:  # the next colleague who reacted carries it on
                    first, *rest = moment.also_reported_by
                    moment = replace(moment, reporter_id=first, also_reported_by=tuple(rest),
                                     updated_at=now)
                else:
                    moment = replace(moment, retracted_at=now, updated_at=now)
            else:
                return None
            repo.save_moment(moment)
            return moment

    # the bot's own messages about a moment (Teams delivers reactions only on those)

    def link_message(self, *, workspace_id: int, moment_id: int, message_ref: str) -> bool:
        """The bot's message about a moment (its confirmation): reactions on it mean "me too".

        A moment made from a chat message keeps that message as its ref; False then."""
        with self._d.store.transaction(workspace_id) as repo:
            moment = repo.moment(moment_id)
            if moment is None or moment.retracted or moment.message_ref:
                return False
            repo.save_moment(replace(moment, message_ref=message_ref))
            return True

    def moment_for_message(self, *, workspace_id: int, message_ref: str) -> Moment | None:
        """The live moment, WOW or OW, made from or confirmed by that chat message."""
        with self._d.store.transaction(workspace_id) as repo:
            return repo.moment_by_ref(message_ref, MomentKind.WOW) or \
                repo.moment_by_ref(message_ref, MomentKind.OW)

    def me_too(self, *, workspace_id: int, moment_id: int, actor: Actor) -> Moment | None:
        """Add the person as "me too" to a moment; None when it is gone."""
        with self._d.store.transaction(workspace_id) as repo:
            remember(repo, actor)
            return self._add_me_too(repo, moment_id, actor)

    def withdraw(self, *, workspace_id: int, moment_id: int, actor: Actor) -> Moment | None:
        """Take back a "me too"; the reporter's own report stays (that is ``/moments undo``)."""
        with self._d.store.transaction(workspace_id) as repo:
            moment = repo.lock_moment(moment_id)
            if moment is None or actor.user_id not in moment.also_reported_by:
                return None
            others = tuple(u for u in moment.also_reported_by if u != actor.user_id)
            moment = replace(moment, also_reported_by=others, updated_at=self._d.clock.now())
            repo.save_moment(moment)
            return moment

    def _add_me_too(self, repo: Repository, moment_id: int, actor: Actor) -> Moment | None:
        """None when the moment is gone. Read under the row's lock: "me too"s added at the same
        time are each kept, not written over by one another."""
        moment = repo.lock_moment(moment_id)
        if moment is None or moment.retracted:
            return None
        # The reporter already reported it; a credited colleague liking their thanks is not a
        # second witness (it would lift their own shout-out in the digest).
        if actor.user_id == moment.reporter_id or actor.user_id in moment.also_reported_by or \
                actor.user_id in moment.credited:
            return moment
        moment = replace(moment, also_reported_by=(*moment.also_reported_by, actor.user_id),
                         updated_at=self._d.clock.now())
        repo.save_moment(moment)
        return moment

    # people's names, as a door sees them (mentions, message authors)

    def remember_people(self, *, workspace_id: int, people: Iterable[Actor]) -> None:
        """Keep display names the door learned, so digests show names rather than ids."""
        known = [p for p in people if p.user_id and p.display_name]
        if not known:
            return
        with self._d.store.transaction(workspace_id) as repo:
            for person in known:
                remember(repo, person)

    def names(self, *, workspace_id: int, user_ids: Iterable[str]) -> dict[str, str]:
        """user id -> display name, for the ids whose name is known."""
        wanted = list(dict.fromkeys(user_ids))
        if not wanted:
            return {}
        with self._d.store.transaction(workspace_id) as repo:
            shown = {u: display(repo, u) for u in wanted}
        return {u: name for u, name in shown.items() if name != u}

    def fill_text(self, *, workspace_id: int, moment_id: int, text: str) -> Filed | None:
        """The text of a reacted message is known now: store and file it."""
        with self._d.store.transaction(workspace_id) as repo:
            moment = repo.moment(moment_id)
            if moment is None or moment.retracted or moment.text:
                return None
            touchpoints = repo.touchpoints(moment.team_id)
            patterns = self._moments.patterns.compiled(workspace_id, repo)
            short = shorten_message(text)
            try:
                body = check_text(short.text or words.NO_TEXT, patterns=patterns)
            except PatternTimeout:  # never stored unchecked; the moment and its reporter stay
                body = UNCHECKED
            if moment.kind is MomentKind.OW:
                body = parsing.blameless(body, parsing.parse(body).mentions)
            filer = self._d.filer(repo)
            guess = filer.guess(body, touchpoints)
            touchpoint, filing, confidence, choices = decide(touchpoints, None, guess,
                                                              filer.threshold)
            updated = replace(moment, text=body, filing=filing, confidence=confidence,
                              touchpoint_id=touchpoint.id if touchpoint else None,
                              updated_at=self._d.clock.now())
            repo.save_moment(updated)
            return Filed(updated, touchpoint, choices, (short.note,) if short.cut else (),
                         journey=tuple(touchpoints))

    def awaiting_text(self, *, workspace_id: int, limit: int = 50) -> list[Moment]:
        with self._d.store.transaction(workspace_id) as repo:
            return repo.moments_awaiting_text(limit=limit)

    def keepable(self, *, workspace_id: int, text: str) -> str | None:
        """A chat message's text as a door may keep a copy of it for a while (so that a reaction
        can quote it): cut to 4000 characters, with customers' personal data redacted by the
        workspace's patterns. None when it could not be checked: not to be kept (a reaction on
        it reads the text again, and is told)."""
        patterns = self._moments.patterns.compiled(workspace_id)  # read when not fresh
        try:
            return redact(text[:4000], patterns).text
        except PatternTimeout:
            return None

    def source_edited(self, *, workspace_id: int, channel: str, ts: str, text: str) -> SourceChanged:
        """Message ``ts`` of ``channel`` was edited: the moments quoting it take the new text,
        redacted as the first; an edit that leaves no text is a delete."""
        if not parsing.tidy(text):
            return self.source_deleted(workspace_id=workspace_id, channel=channel, ts=ts)
        with self._d.store.transaction(workspace_id) as repo:
            patterns = self._moments.patterns.compiled(workspace_id, repo)
            changed = []
            reworded = 0
            for moment in self._quoting(repo, f"{channel}/{ts}"):
                updated = self._follow(repo, moment, text, patterns)
                if updated.text != moment.text:
                    repo.save_moment(updated)
                    reworded += repo.reword_feedback(moment.id, updated.text)
                changed.append(updated)
        if reworded:  # the filer learned from the old words: it relearns from the new
            self._d.forget_filer(workspace_id)
        return SourceChanged(tuple(changed), gone=False)

    def source_deleted(self, *, workspace_id: int, channel: str, ts: str) -> SourceChanged:
        """Message ``ts`` of ``channel`` was deleted: the moments quoting it lose the text (and
        what was learned from it) but keep everything else."""
        with self._d.store.transaction(workspace_id) as repo:
            changed = []
            dropped = 0
            for moment in self._quoting(repo, f"{channel}/{ts}"):
                if moment.text != DELETED:
                    moment = replace(moment, text=DELETED, updated_at=self._d.clock.now())
                    repo.save_moment(moment)
                    dropped += repo.reword_feedback(moment.id, None)
                changed.append(moment)
        if dropped:
            self._d.forget_filer(workspace_id)
        return SourceChanged(tuple(changed), gone=True)

    @staticmethod
    def _quoting(repo: Repository, message_ref: str) -> list[Moment]:
        return [m for m in repo.moments_from_message(message_ref) if m.source in QUOTED]

    def _follow(self, repo: Repository, moment: Moment, text: str,
                patterns: Sequence[re.Pattern[str]]) -> Moment:
        """The moment with its message's new text, checked as ``report`` checks a message's text;
        its kind, touchpoint, filing, credit and "me too"s stay. One still waiting for its text
        is filed now, as ``fill_text`` would."""
        try:
            body = redact(parsing.tidy(text)[:MAX_MOMENT_CHARS], patterns).text
        except PatternTimeout:
            body = UNCHECKED
        touchpoints = repo.touchpoints(moment.team_id)
        parsed = parsing.parse(body)
        if any(find_touchpoint(touchpoints, tag) for tag in parsed.tags) and parsed.text:
            body = parsed.text  # a tag that named a touchpoint is not part of what happened
        if moment.kind is MomentKind.OW:
            body = parsing.blameless(body, parsed.mentions)
        if not moment.text:  # never read: filed now
            filer = self._d.filer(repo)
            touchpoint, filing, confidence, _ = decide(touchpoints, None,
                                                       filer.guess(body, touchpoints), filer.threshold)
            return replace(moment, text=body, filing=filing, confidence=confidence,
                           touchpoint_id=touchpoint.id if touchpoint else None,
                           updated_at=self._d.clock.now())
        if body == moment.text:
            return moment
        return replace(moment, text=body, updated_at=self._d.clock.now())


def _first_or_me_too(react: Callable[[], Reacted]) -> Reacted:
    """``react`` again when another reaction made the message's moment between our look and our
    write (the database refused a second one): this time it finds it and adds "me too"."""
    for _ in range(REACT_ROUNDS - 1):
        try:
            return react()
        except DuplicateError:
            continue
    return react()
