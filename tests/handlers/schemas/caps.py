"""Every view the bot renders, built at its caps: the most items of the longest text, with
& < > in what people wrote, so the renderers' worst case is what the platform checks run on."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot import text as render
from bot.domain import (
    MAX_MOMENT_CHARS,
    MAX_PROPOSAL_CHARS,
    Filing,
    Moment,
    MomentKind,
    Prompt,
    Proposal,
    Source,
    StandardLevel,
    Team,
    Touchpoint,
)
from bot.services.moments import ASK_CHOICES, Filed
from bot.services.reports import SHOUTOUTS
from bot.services.weekly import EXAMPLES_PER_TOUCHPOINT, Result
from bot.views import (
    FORGET_ME,
    RETRACT,
    Action,
    Choice,
    DigestView,
    FocusView,
    HomeView,
    ImpactView,
    MomentView,
    PromptView,
    ProposalView,
    Reply,
    StandardView,
    TouchpointRef,
    TouchpointWeek,
)

NOW = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
PROPOSALS = 42  # the case: more proposals than any card or message shows
TOUCHPOINTS = 40  # a long customer journey
LIST = 15  # new standards, impact, turned basic: more than a digest shows
FOCUS = 5  # the team setting's upper bound
NAME = "Ana-Maria de la Cruz & <Team> \"Night\" shift"  # an author or lead with markup in it


def filler(limit: int, seed: str = "") -> str:
    """Text of exactly ``limit`` characters, with & < > and a link-looking bit in it."""
    unit = f"{seed}Guest & family <VIP> waited > 20 min at [gate](https://x.example) 5; "
    return (unit * (limit // len(unit) + 1))[:limit]


def ref(n: int) -> TouchpointRef:
    return TouchpointRef(f"touchpoint-{n:02d}", f"Long touchpoint name & <number> {n:02d}", "🛄")


def touchpoint(n: int) -> Touchpoint:
    r = ref(n)
    return Touchpoint(n, 1, r.slug, r.name, emoji=r.emoji, position=n)


JOURNEY = tuple(touchpoint(n) for n in range(1, TOUCHPOINTS + 1))
TEAM = "Gate crew & <friends> of terminal 5, early, late and night shifts together"


def team() -> Team:
    return Team(1, TEAM, "19:" + "c" * 200 + "@thread.tacv2", "Europe/Stockholm", "airline & <more>")


def prompt_view(*, proposals: int = PROPOSALS, closed: bool = False) -> PromptView:
    examples = tuple(filler(MAX_MOMENT_CHARS, f"ex{k} ") for k in range(EXAMPLES_PER_TOUCHPOINT))
    focus = tuple(FocusView(ref(n), filler(300, "reason "), examples) for n in range(1, FOCUS + 1))
    items = tuple(ProposalView(100 + n, ref(1 + n % FOCUS), filler(MAX_PROPOSAL_CHARS, f"p{n} "),
                               NAME if n % 3 else None, 1000 + n) for n in range(proposals))
    return PromptView(7, TEAM, "2026-W46", focus, items, NOW + timedelta(days=2), closed,
                      "Europe/Stockholm")


def standard(n: int, level: StandardLevel = StandardLevel.DELIGHT) -> StandardView:
    return StandardView(n, ref(1 + n % TOUCHPOINTS), filler(MAX_PROPOSAL_CHARS, f"s{n} "), NAME, NOW, level)


def moment_view(n: int) -> MomentView:
    return MomentView(n, MomentKind.WOW, filler(MAX_MOMENT_CHARS, f"m{n} "), ref(1 + n % TOUCHPOINTS), NAME,
                      tuple(f"{NAME} {k}" for k in range(5)), NOW, me_too=99)


CHARTED = 12  # touchpoints with moments: the chart still fits a Teams card, at its largest


def digest_view(touchpoints: int = TOUCHPOINTS) -> DigestView:
    weeks = tuple(TouchpointWeek(ref(n), 999, 999, 1, 2000) for n in range(1, touchpoints + 1))
    impact = tuple(ImpactView(standard(n), 0.123, 0.456, 9999, 9999) for n in range(LIST))
    return DigestView(TEAM, "2026-W46", tuple(standard(n) for n in range(LIST)), weeks,
                      tuple(moment_view(n) for n in range(SHOUTOUTS)),
                      tuple(standard(n, StandardLevel.BASIC) for n in range(LIST)),
                      wows=99999, ows=99999, unfiled=9999, impact=impact)


def moment(*, credited: int = 5) -> Moment:
    return Moment(123456, 1, MomentKind.WOW, filler(MAX_MOMENT_CHARS), "U1", None, Filing.ASKED, 0.4,
                  Source.COMMAND, NOW, NOW, credited=tuple(f"U{k:08d}" for k in range(credited)))


def replies() -> dict[str, Reply]:
    """Every kind of reply a door renders richly, by name, at its caps."""
    view = prompt_view()
    closed = prompt_view(closed=True)
    ranked = Result(Prompt(closed.id, 1, closed.week, (1,), (), NOW, closed.closes_at, NOW),
                    tuple((Proposal(p.id, closed.id, 1, p.text, "U1", p.author is None, NOW), p.votes)
                          for p in closed.proposals))
    m = moment()
    asked = render.filed(Filed(m, None, JOURNEY[:ASK_CHOICES], notes=(filler(300, "note "),),
                               journey=JOURNEY))
    filed = render.filed(Filed(replace(m, touchpoint_id=1, filing=Filing.AUTO), JOURNEY[0], (),
                               journey=JOURNEY))
    return {
        "prompt (member)": render.prompt(view, lead=False),
        "prompt (lead)": render.prompt(view, lead=True),
        "prompt closed (lead)": render.prompt(closed, lead=True),
        "vote results (lead)": render.results(closed, ranked, lead=True),
        "digest": render.digest(digest_view()),
        "digest with chart": render.digest(digest_view(CHARTED)),
        "standard adopted": render.adopted(standard(1)),
        "confirmation: which touchpoint?": asked,
        "confirmation: filed": filed,
        "retract button": Reply(filler(3000), (Choice("Retract " + filler(200),
                                                     Action.of(RETRACT, moment=1)),)),
        "forget me": Reply(filler(3000), (Choice("Yes, erase my data", Action(FORGET_ME)),)),
        "error": Reply(filler(3000), error=True),
    }


def home_view(*, lead: bool = True) -> HomeView:
    return HomeView(TEAM, tuple(moment_view(n) for n in range(5)), digest_view(), prompt_view(),
                    tuple(standard(n) for n in range(10)), is_lead=lead,
                    thanked=tuple(moment_view(n) for n in range(5)))

