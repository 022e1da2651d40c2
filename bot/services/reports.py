"""Read-only pictures of a team: the weekly digest, the prompt with its votes, the standards."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import words
from bot.domain import Moment, MomentKind, Prompt, Proposal, Standard, Team, Touchpoint
from bot.errors import NotFound
from bot.ports import Repository
from bot.services.base import Actor, Deps, display, ref, require_lead, require_team
from bot.services.spread import origin_team
from bot.views import (
    DigestView,
    ExportRow,
    FocusView,
    HomeView,
    ImpactView,
    MomentsExport,
    MomentView,
    PromptView,
    ProposalView,
    StandardView,
    TouchpointRef,
    TouchpointWeek,
)
from bot.weeks import iso_week, shift_week, week_bounds

SHOUTOUTS = 3
THANKED_WITHIN = timedelta(days=90)  # App Home lists the WOWs that thanked you in this window
THANKED_SCAN = 500  # the team's most recent WOWs looked through for them
IMPACT_AFTER = timedelta(weeks=4)  # a standard needs a few weeks before its effect shows
UNFILED = TouchpointRef("", words.UNFILED, "❔")


class ReportService:
    def __init__(self, deps: Deps) -> None:
        self._d = deps

    def week_of(self, *, workspace_id: int, team_id: int) -> str:
        with self._d.store.transaction(workspace_id) as repo:
            return iso_week(self._d.clock.now(), require_team(repo, team_id).timezone)

    def digest(self, *, workspace_id: int, team_id: int, week: str | None = None) -> DigestView:
        """The week in one view: new standards first, then WOW/OW per touchpoint, shout-outs,
        and standards that customers now take for granted."""
        with self._d.store.transaction(workspace_id) as repo:
            team = require_team(repo, team_id)
            week = week or iso_week(self._d.clock.now(), team.timezone)
            start, end = week_bounds(week, team.timezone)
            last_start, _ = week_bounds(shift_week(week, -1), team.timezone)
            touchpoints = repo.touchpoints(team.id, include_retired=True)
            by_id = {t.id: t for t in touchpoints}
            this_week = repo.moments(team.id, since=start, until=end)
            last_week = repo.moments(team.id, since=last_start, until=start)
            rows = []
            for tp in touchpoints:
                now_m = [m for m in this_week if m.touchpoint_id == tp.id]
                then_m = [m for m in last_week if m.touchpoint_id == tp.id]
                if not tp.active and not now_m:
                    continue
                rows.append(
                    TouchpointWeek(ref(tp), _count(now_m, MomentKind.WOW),
                                   _count(now_m, MomentKind.OW), _count(then_m, MomentKind.WOW),
                                   _count(then_m, MomentKind.OW))
                )
            standards = repo.standards(team.id)
            new = [s for s in standards if start <= s.adopted_at < end]
            basic = [s for s in standards if s.basic_since and start <= s.basic_since < end]
            credited = [m for m in this_week if m.kind is MomentKind.WOW and m.credited]
            credited.sort(key=lambda m: (-len(m.also_reported_by), m.created_at))
            return DigestView(
                team=team.name,
                week=week,
                new_standards=tuple(_standard(repo, s, by_id) for s in new),
                touchpoints=tuple(rows),
                shoutouts=tuple(moment_view(repo, m, by_id) for m in credited[:SHOUTOUTS]),
                turned_basic=tuple(_standard(repo, s, by_id) for s in basic),
                wows=_count(this_week, MomentKind.WOW),
                ows=_count(this_week, MomentKind.OW),
                unfiled=sum(1 for m in this_week if m.touchpoint_id is None),
                impact=tuple(_impact(repo, team.id, s, by_id, end) for s in standards
                             if s.adopted_at <= end - IMPACT_AFTER),
            )

    def home(self, *, workspace_id: int, team_id: int | None, user_id: str,
             is_admin: bool = False) -> HomeView:
        """One person's dashboard: their recent moments, the team's week, the open prompt to
        answer, and the standards in force."""
        if team_id is None:
            return HomeView(None, (), None, None, ())
        week = self.digest(workspace_id=workspace_id, team_id=team_id)
        with self._d.store.transaction(workspace_id) as repo:
            team = require_team(repo, team_id)
            by_id = {t.id: t for t in repo.touchpoints(team.id, include_retired=True)}
            mine = repo.moments(team.id, reporter_id=user_id, limit=5)
            wows = repo.moments(team.id, kind=MomentKind.WOW,
                                since=self._d.clock.now() - THANKED_WITHIN, limit=THANKED_SCAN)
            thanked = [m for m in wows if user_id in m.credited][:5]
            prompts = repo.prompts(team.id, open_only=True)
            open_prompt = prompt_view(repo, team, prompts[0]) if prompts else None
            standards = [_standard(repo, s, by_id) for s in repo.standards(team.id)][:10]
            lead = is_admin or user_id in team.leads or bool(
                (m := repo.member(user_id)) and m.is_admin)
            return HomeView(team.name, tuple(moment_view(repo, m, by_id) for m in mine), week,
                            open_prompt, tuple(standards), lead,
                            tuple(moment_view(repo, m, by_id) for m in thanked))

    def export_moments(self, *, workspace_id: int, team_id: int, actor: Actor) -> MomentsExport:
        """The team's moments for a lead's spreadsheet, oldest first. The text is as stored
        (already redacted); only a WOW names people, the colleagues it credits."""
        with self._d.store.transaction(workspace_id) as repo:
            team = require_team(repo, team_id)
            require_lead(repo, team, actor, words.DOING_EXPORT)
            names = {t.id: t.slug for t in repo.touchpoints(team.id, include_retired=True)}
            rows = tuple(
                ExportRow(
                    id=m.id, created_at=m.created_at, kind=m.kind,
                    touchpoint=names.get(m.touchpoint_id, "") if m.touchpoint_id else "",
                    text=m.text,
                    credited=tuple(display(repo, c) for c in m.credited)
                    if m.kind is MomentKind.WOW else (),
                )
                for m in reversed(repo.moments(team.id))
            )
            return MomentsExport(team_id=team.id, team=team.name, created_at=self._d.clock.now(), rows=rows)

    def prompt(self, *, workspace_id: int, prompt_id: int) -> PromptView:
        with self._d.store.transaction(workspace_id) as repo:
            prompt = repo.prompt(prompt_id)
            if prompt is None:
                raise NotFound(words.NO_SUCH_PROMPT.format(prompt_id=prompt_id))
            team = require_team(repo, prompt.team_id)
            return prompt_view(repo, team, prompt)

    def standards(self, *, workspace_id: int, team_id: int) -> list[StandardView]:
        with self._d.store.transaction(workspace_id) as repo:
            team = require_team(repo, team_id)
            by_id = {t.id: t for t in repo.touchpoints(team.id, include_retired=True)}
            return [_standard(repo, s, by_id) for s in repo.standards(team.id)]

    def export(
        self, *, workspace_id: int, team_id: int
    ) -> list[tuple[Moment, Touchpoint | None]]:
        """Every moment of a team, retracted ones included, oldest first."""
        with self._d.store.transaction(workspace_id) as repo:
            require_team(repo, team_id)
            by_id = {t.id: t for t in repo.touchpoints(team_id, include_retired=True)}
            rows = repo.moments(team_id, include_retracted=True)
            return [(m, by_id.get(m.touchpoint_id or 0)) for m in reversed(rows)]

    def moment(self, *, workspace_id: int, moment_id: int) -> MomentView:
        with self._d.store.transaction(workspace_id) as repo:
            m = repo.moment(moment_id)
            if m is None:
                raise NotFound(words.NO_SUCH_MOMENT.format(moment_id=moment_id))
            by_id = {t.id: t for t in repo.touchpoints(m.team_id, include_retired=True)}
            return moment_view(repo, m, by_id)


def prompt_view(repo: Repository, team: Team, prompt: Prompt) -> PromptView:
    touchpoints = {t.id: t for t in repo.touchpoints(team.id, include_retired=True)}
    examples: dict[int, list[str]] = {}
    for moment_id in prompt.example_moment_ids:
        m = repo.moment(moment_id)
        if m and not m.retracted and m.touchpoint_id is not None:
            examples.setdefault(m.touchpoint_id, []).append(m.text)
    focus = []
    for tp_id in prompt.touchpoint_ids:
        tp = touchpoints[tp_id]
        ows = [
            m
            for m in repo.moments(team.id, since=prompt.opened_at - timedelta(weeks=4),
                                  until=prompt.opened_at, kind=MomentKind.OW)
            if m.touchpoint_id == tp_id
        ]
        reason = (words.FOCUS_OWS if len(ows) == 1 else words.FOCUS_OWS_PLURAL).format(count=len(ows))
        if tp.fresh_ideas_since is not None:
            reason += words.FOCUS_TURNED_BASIC
        focus.append(FocusView(ref(tp), reason, tuple(examples.get(tp_id, ()))))
    counts = repo.vote_counts(prompt.id)
    adopted = {s.proposal_id for s in repo.standards(team.id)}
    proposals = tuple(
        ProposalView(
            p.id,
            ref(touchpoints[p.touchpoint_id]),
            p.text,
            _candidate_by(repo, p) or (None if p.anonymous else display(repo, p.author_id)),
            counts.get(p.id, 0),
            p.id in adopted,
            origin_team(repo, p.origin_standard_id),
        )
        for p in repo.proposals(prompt.id)
    )
    return PromptView(prompt.id, team.name, prompt.week, tuple(focus), proposals,
                      prompt.closes_at, prompt.is_closed, team.timezone)


def moment_view(repo: Repository, m: Moment, by_id: dict[int, Touchpoint]) -> MomentView:
    tp = by_id.get(m.touchpoint_id) if m.touchpoint_id is not None else None
    return MomentView(
        m.id, m.kind, m.text, ref(tp) if tp else None, display(repo, m.reporter_id),
        tuple(display(repo, c) for c in m.credited), m.created_at, len(m.also_reported_by),
    )


def _standard(repo: Repository, s: Standard, by_id: dict[int, Touchpoint]) -> StandardView:
    return StandardView(s.id, ref(by_id[s.touchpoint_id]), s.text, display(repo, s.adopted_by),
                        s.adopted_at, s.level, origin_team(repo, s.origin_id))


def _candidate_by(repo: Repository, p: Proposal) -> str | None:
    """A sibling team's standard offered here is shown as theirs, never as a person's."""
    team = origin_team(repo, p.origin_standard_id)
    return words.CANDIDATE_BY.format(team=team) if team else None


def _impact(repo: Repository, team_id: int, s: Standard, by_id: dict[int, Touchpoint],
            until: datetime) -> ImpactView:
    """OW share at the standard's touchpoint in the weeks before adoption and since, up to
    ``until``; the window before is as long as the time since, at most twelve weeks."""
    window = min(until - s.adopted_at, timedelta(weeks=12))
    there = [m for m in repo.moments(team_id, since=s.adopted_at - window, until=until)
             if m.touchpoint_id == s.touchpoint_id]
    before = [m for m in there if m.created_at < s.adopted_at]
    since = [m for m in there if m.created_at >= s.adopted_at]

    def share(ms: list[Moment]) -> float | None:
        return _count(ms, MomentKind.OW) / len(ms) if ms else None

    return ImpactView(_standard(repo, s, by_id), share(before), share(since), len(before), len(since))


def _count(moments: list[Moment], kind: MomentKind) -> int:
    return sum(1 for m in moments if m.kind is kind)
