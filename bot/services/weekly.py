"""Steps 1 to 5 of the method: prioritise, ask for alternatives, vote, adopt, keep improving."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot import words
from bot.domain import (
    MAX_PROPOSAL_CHARS,
    MomentKind,
    Prompt,
    Proposal,
    Standard,
    StandardLevel,
    Team,
    Touchpoint,
)
from bot.errors import NotFound, UserError
from bot.ports import DuplicateError, Repository
from bot.schedule import due_at
from bot.services.base import (
    Actor,
    Deps,
    is_lead,
    ref,
    remember,
    require_lead,
    require_team,
    require_touchpoint,
)
from bot.services.moments import check_text
from bot.services.privacy import WorkspacePatterns
from bot.services.spread import offer_candidates
from bot.views import Priority
from bot.weeks import iso_week, week_bounds

EXAMPLES_PER_TOUCHPOINT = 2
LOOKBACK = timedelta(weeks=4)
ALREADY_ADOPTED = words.ALREADY_ADOPTED


@dataclass(frozen=True, slots=True)
class Result:
    """A closed prompt's proposals, most votes first."""

    prompt: Prompt
    ranked: tuple[tuple[Proposal, int], ...]


class WeeklyService:
    def __init__(self, deps: Deps, patterns: WorkspacePatterns | None = None) -> None:
        self._d = deps
        self._patterns = patterns or WorkspacePatterns(deps)

    # step 1
    def prioritise(self, *, workspace_id: int, team_id: int) -> list[Priority]:
        """Touchpoints ranked by how much they hurt now, each with its reason in words."""
        with self._d.store.transaction(workspace_id) as repo:
            team = require_team(repo, team_id)
            return _rank(repo, team, self._d.clock.now())

    # step 2
    def open_prompt(self, *, workspace_id: int, team_id: int) -> tuple[Prompt, bool]:
        """This week's prompt for the team, opened now if it has none. True when new."""
        now = self._d.clock.now()
        with self._d.store.transaction(workspace_id) as repo:
            team = require_team(repo, team_id)
            week = iso_week(now, team.timezone)
            existing = repo.prompt_for_week(team.id, week)
            if existing:
                return existing, False
            focus = [p for p in _rank(repo, team, now) if p.score > 0][: team.focus_count]
            if not focus:
                raise UserError(words.NOTHING_TO_ASK)
            by_slug = {t.slug: t for t in repo.touchpoints(team.id)}
            chosen = [by_slug[p.touchpoint.slug] for p in focus]
            examples: list[int] = []
            for tp in chosen:
                ows = [
                    m
                    for m in repo.moments(team.id, since=now - LOOKBACK, kind=MomentKind.OW)
                    if m.touchpoint_id == tp.id
                ]
                examples += [m.id for m in ows[:EXAMPLES_PER_TOUCHPOINT]]
            closes = due_at(team, "votes_closed", week)
            if closes - now < timedelta(days=1):
                closes = now + timedelta(days=2)  # opened late in the week: still give time
            try:
                prompt = repo.add_prompt(
                    Prompt(0, team.id, week, tuple(t.id for t in chosen), tuple(examples), now,
                           closes)
                )
            except DuplicateError:  # another replica opened it a moment ago
                found = repo.prompt_for_week(team.id, week)
                assert found is not None
                return found, False
            offer_candidates(repo, team, prompt, now)  # sibling teams' standards, to vote on
            return prompt, True

    def this_weeks_prompt(self, *, workspace_id: int, team_id: int,
                          actor: Actor) -> tuple[Prompt, bool]:
        """This week's prompt and whether the person leads the team. None open yet: a lead
        opens it now; anyone else is told it opens on schedule."""
        with self._d.store.transaction(workspace_id) as repo:
            team = require_team(repo, team_id)
            lead = is_lead(repo, team, actor)
            week = iso_week(self._d.clock.now(), team.timezone)
            prompts = repo.prompts(team_id)
        if prompts and prompts[0].week == week:
            return prompts[0], lead
        if not lead:
            raise UserError(words.NO_PROMPT_OPEN)
        return self.open_prompt(workspace_id=workspace_id, team_id=team_id)[0], lead

    def is_lead(self, *, workspace_id: int, team_id: int, actor: Actor) -> bool:
        with self._d.store.transaction(workspace_id) as repo:
            return is_lead(repo, require_team(repo, team_id), actor)

    def current_prompt(self, *, workspace_id: int, team_id: int) -> Prompt | None:
        with self._d.store.transaction(workspace_id) as repo:
            require_team(repo, team_id)
            prompts = repo.prompts(team_id)
            return prompts[0] if prompts else None

    def propose(
        self,
        *,
        workspace_id: int,
        prompt_id: int,
        actor: Actor,
        text: str,
        touchpoint: str | None = None,
        anonymous: bool = False,
    ) -> Proposal:
        """A staff member suggests an alternative response at one of the prompt's touchpoints."""
        body = check_text(text, what=words.PROPOSAL, example=words.EXAMPLE_PROPOSE,
                          patterns=self._patterns.compiled(workspace_id))
        if len(body) > MAX_PROPOSAL_CHARS:
            raise UserError(words.PROPOSAL_TOO_LONG.format(limit=MAX_PROPOSAL_CHARS))
        with self._d.store.transaction(workspace_id) as repo:
            prompt = _open(repo, prompt_id, self._d.clock.now())
            remember(repo, actor)
            focus = [t for t in repo.touchpoints(prompt.team_id) if t.id in prompt.touchpoint_ids]
            if touchpoint:
                tp = require_touchpoint(focus, touchpoint)
            elif len(focus) == 1:
                tp = focus[0]
            else:
                tp = self._best_focus(repo, body, focus)
            return repo.add_proposal(
                Proposal(0, prompt.id, tp.id, body, actor.user_id, anonymous, self._d.clock.now())
            )

    # step 3
    def vote(self, *, workspace_id: int, proposal_id: int, actor: Actor) -> tuple[bool, int]:
        """One "would delight" vote per person and proposal. Returns (counted, total votes)."""
        with self._d.store.transaction(workspace_id) as repo:
            proposal = repo.proposal(proposal_id)
            if proposal is None:
                raise NotFound(words.NO_SUCH_PROPOSAL.format(proposal_id=proposal_id))
            _open(repo, proposal.prompt_id, self._d.clock.now())
            remember(repo, actor)
            counted = repo.add_vote(proposal.id, actor.user_id, self._d.clock.now())
            return counted, repo.vote_counts(proposal.prompt_id).get(proposal.id, 0)

    def close_votes(
        self, *, workspace_id: int, prompt_id: int, actor: Actor | None = None
    ) -> Result:
        """Close voting (a lead early, or the schedule at the deadline) and rank proposals."""
        with self._d.store.transaction(workspace_id) as repo:
            prompt = repo.prompt(prompt_id)
            if prompt is None:
                raise NotFound(words.NO_SUCH_PROMPT.format(prompt_id=prompt_id))
            if actor is not None:
                require_lead(repo, require_team(repo, prompt.team_id), actor, words.DOING_CLOSE_VOTE)
            if prompt.closed_at is None:
                prompt = replace(prompt, closed_at=self._d.clock.now())
                repo.save_prompt(prompt)
            return _result(repo, prompt)

    def results(self, *, workspace_id: int, prompt_id: int) -> Result:
        with self._d.store.transaction(workspace_id) as repo:
            prompt = repo.prompt(prompt_id)
            if prompt is None:
                raise NotFound(words.NO_SUCH_PROMPT.format(prompt_id=prompt_id))
            return _result(repo, prompt)

    # step 4
    def adopt(
        self, *, workspace_id: int, proposal_id: int, actor: Actor, text: str | None = None
    ) -> Standard:
        """A lead turns a proposal into the touchpoint's service standard."""
        with self._d.store.transaction(workspace_id) as repo:
            proposal = repo.proposal(proposal_id)
            if proposal is None:
                raise NotFound(words.NO_SUCH_PROPOSAL.format(proposal_id=proposal_id))
            prompt = repo.prompt(proposal.prompt_id)
            assert prompt is not None
            team = require_team(repo, prompt.team_id)
            require_lead(repo, team, actor, words.DOING_ADOPT)
            if any(s.proposal_id == proposal.id for s in repo.standards(team.id)):
                raise UserError(ALREADY_ADOPTED)
            now = self._d.clock.now()
            if text:  # a lead's own wording is redacted like any other text people write
                text = check_text(text, what=words.STANDARD, example=words.EXAMPLE_ADOPT_ID,
                                  patterns=self._patterns.compiled(workspace_id, repo))
            try:
                standard = repo.add_standard(
                    Standard(0, team.id, proposal.touchpoint_id, (text or proposal.text).strip(),
                             actor.user_id, now, proposal.id,
                             origin_id=proposal.origin_standard_id)  # spread: who adopted it first
                )
            except DuplicateError:  # another lead adopted it a moment ago, maybe on another replica
                raise UserError(ALREADY_ADOPTED) from None
            for tp in repo.touchpoints(team.id, include_retired=True):
                if tp.id == proposal.touchpoint_id and tp.fresh_ideas_since is not None:
                    repo.save_touchpoint(replace(tp, fresh_ideas_since=None))
            return standard

    def standards(self, *, workspace_id: int, team_id: int) -> list[Standard]:
        with self._d.store.transaction(workspace_id) as repo:
            require_team(repo, team_id)
            return repo.standards(team_id)

    # step 5
    def review_standards(self, *, workspace_id: int, team_id: int) -> list[Standard]:
        """Delight standards older than the team's setting become basic; ask for fresh ideas."""
        now = self._d.clock.now()
        with self._d.store.transaction(workspace_id) as repo:
            team = require_team(repo, team_id)
            due = now - timedelta(weeks=team.basic_after_weeks)
            turned: list[Standard] = []
            by_id = {t.id: t for t in repo.touchpoints(team.id, include_retired=True)}
            for standard in repo.standards(team.id, level=StandardLevel.DELIGHT):
                if standard.adopted_at <= due:
                    basic = replace(standard, level=StandardLevel.BASIC, basic_since=now)
                    repo.save_standard(basic)
                    turned.append(basic)
                    tp = by_id[standard.touchpoint_id]
                    if tp.active and tp.fresh_ideas_since is None:
                        by_id[tp.id] = replace(tp, fresh_ideas_since=now)
                        repo.save_touchpoint(by_id[tp.id])
            return turned

    def _best_focus(self, repo: Repository, text: str, focus: list[Touchpoint]) -> Touchpoint:
        guess = self._d.filer(repo).guess(text, focus)
        by_slug = {t.slug: t for t in focus}
        return by_slug.get(guess.best or "", focus[0])


def _open(repo: Repository, prompt_id: int, now: datetime) -> Prompt:
    prompt = repo.prompt(prompt_id)
    if prompt is None:
        raise NotFound(words.NO_SUCH_PROMPT.format(prompt_id=prompt_id))
    if prompt.closed_at is not None or now >= prompt.closes_at:
        raise UserError(words.VOTING_CLOSED.format(week=prompt.week))
    return prompt


def _result(repo: Repository, prompt: Prompt) -> Result:
    counts = repo.vote_counts(prompt.id)
    proposals = repo.proposals(prompt.id)
    ranked = sorted(proposals, key=lambda p: (-counts.get(p.id, 0), p.created_at, p.id))
    return Result(prompt, tuple((p, counts.get(p.id, 0)) for p in ranked))


def _rank(repo: Repository, team: Team, now: datetime) -> list[Priority]:
    week = iso_week(now, team.timezone)
    start, _end = week_bounds(week, team.timezone)
    last_start = start - timedelta(weeks=1)
    recent = repo.moments(team.id, since=min(now - LOOKBACK, last_start))
    priorities = []
    for tp in repo.touchpoints(team.id):
        mine = [m for m in recent if m.touchpoint_id == tp.id]
        ows = [m for m in mine if m.kind is MomentKind.OW]
        ows_now = sum(1 for m in ows if m.created_at >= start)
        ows_before = sum(1 for m in ows if last_start <= m.created_at < start)
        wows_now = sum(1 for m in mine if m.kind is MomentKind.WOW and m.created_at >= start)
        in_window = [m for m in mine if m.created_at >= now - LOOKBACK]
        ow_window = sum(1 for m in in_window if m.kind is MomentKind.OW)
        share = ow_window / len(in_window) if in_window else 0.0
        # Recent OWs weigh most (half-life one week); a rising trend and a high OW share add.
        decayed = sum(0.5 ** ((now - m.created_at) / timedelta(weeks=1)) for m in ows)
        score = decayed * (0.5 + share) + max(0, ows_now - ows_before) * 0.5
        if tp.fresh_ideas_since is not None:
            score += 1.0
        priorities.append(
            Priority(ref(tp), round(score, 3), ows_now, ows_before, wows_now, share,
                     _reason(tp, ows_now, ows_before, ow_window, share))
        )
    priorities.sort(key=lambda p: (-p.score, p.touchpoint.slug))
    return priorities


def _reason(tp: Touchpoint, now: int, before: int, window: int, share: float) -> str:
    ows = (words.OWS_THIS_WEEK if now == 1 else words.OWS_THIS_WEEK_PLURAL).format(count=now)
    if now > before:
        trend = words.UP_FROM.format(before=before)
    elif now < before:
        trend = words.DOWN_FROM.format(before=before)
    else:
        trend = words.SAME_AS_LAST_WEEK if now else ""
    parts = [words.PRIORITY_REASON.format(touchpoint=tp.name, ows=ows, trend=trend)]
    if window:
        parts.append(words.SHARE_OF_OWS.format(share=share))
    if tp.fresh_ideas_since is not None:
        parts.append(words.TURNED_BASIC)
    return "; ".join(parts)
