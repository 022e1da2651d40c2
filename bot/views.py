"""Platform-neutral results. Doors render these as Block Kit, Adaptive Cards or console text.

Widget ids are the action names below: the renderer puts them on buttons and the listener routes
them back to ``CommandRouter.act``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, TypeAlias

from bot.domain import Moment, MomentKind, StandardLevel, Touchpoint

if TYPE_CHECKING:
    from bot.org_views import OrgChannelView, OrgDigestView

# Action names shared by every renderer and listener.
FILE_MOMENT = "file_moment"  # args: moment, touchpoint (slug, or "" for none of these)
VOTE = "vote"  # args: proposal
ADOPT = "adopt"  # args: proposal
PROPOSE = "propose"  # args: prompt
RETRACT = "retract"  # args: moment
FORGET_ME = "forget_me"  # no args: the person confirmed erasing their data
SET_UP = "set_up"  # no args: set up this channel (Slack opens the form, Teams shows its card)
CHOOSE_TEAM = "choose_team"  # args: team: where what the person reports in private goes


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    args: tuple[tuple[str, str], ...] = ()

    def arg(self, key: str) -> str:
        for k, v in self.args:
            if k == key:
                return v
        raise KeyError(key)

    @staticmethod
    def of(name: str, **args: object) -> Action:
        return Action(name, tuple((k, str(v)) for k, v in args.items()))


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    action: Action


@dataclass(frozen=True, slots=True)
class TouchpointRef:
    slug: str
    name: str
    emoji: str = ""

    @property
    def label(self) -> str:
        return f"{self.emoji} {self.name}".strip()


@dataclass(frozen=True, slots=True)
class MomentView:
    id: int
    kind: MomentKind
    text: str
    touchpoint: TouchpointRef | None
    reporter: str
    credited: tuple[str, ...]
    created_at: datetime
    me_too: int = 0


@dataclass(frozen=True, slots=True)
class Priority:
    """Step 1: one touchpoint's place in the ranking, with the reason in words."""

    touchpoint: TouchpointRef
    score: float
    ows_this_week: int
    ows_last_week: int
    wows_this_week: int
    ow_share: float  # over the last four weeks
    reason: str


@dataclass(frozen=True, slots=True)
class FocusView:
    touchpoint: TouchpointRef
    reason: str
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProposalView:
    id: int
    touchpoint: TouchpointRef
    text: str
    author: str | None  # None when proposed anonymously
    votes: int
    adopted: bool = False
    origin: str = ""  # a candidate from a sibling team: the team that first adopted it


@dataclass(frozen=True, slots=True)
class PromptView:
    id: int
    team: str
    week: str
    focus: tuple[FocusView, ...]
    proposals: tuple[ProposalView, ...]
    closes_at: datetime
    closed: bool
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class StandardView:
    id: int
    touchpoint: TouchpointRef
    text: str
    adopted_by: str
    adopted_at: datetime
    level: StandardLevel
    origin: str = ""  # spread from a sibling team: the team that first adopted it


@dataclass(frozen=True, slots=True)
class TouchpointWeek:
    touchpoint: TouchpointRef
    wows: int
    ows: int
    wows_last_week: int
    ows_last_week: int


@dataclass(frozen=True, slots=True)
class ImpactView:
    """Did a standard help? The OW share at its touchpoint before it was adopted and since."""

    standard: StandardView
    ow_share_before: float | None  # None: no moments there in the weeks before
    ow_share_since: float | None
    moments_before: int
    moments_since: int


@dataclass(frozen=True, slots=True)
class DigestView:
    team: str
    week: str
    new_standards: tuple[StandardView, ...]
    touchpoints: tuple[TouchpointWeek, ...]
    shoutouts: tuple[MomentView, ...]
    turned_basic: tuple[StandardView, ...]
    wows: int
    ows: int
    unfiled: int = 0
    impact: tuple[ImpactView, ...] = ()


@dataclass(frozen=True, slots=True)
class HomeView:
    """A person's dashboard (Slack App Home, Teams personal tab)."""

    team: str | None  # None: the person is in no team yet
    my_moments: tuple[MomentView, ...]
    week: DigestView | None
    open_prompt: PromptView | None
    standards: tuple[StandardView, ...]
    is_lead: bool = False
    thanked: tuple[MomentView, ...] = ()  # recent WOWs that credit this person


@dataclass(frozen=True, slots=True)
class ExportRow:
    id: int
    created_at: datetime
    kind: MomentKind
    touchpoint: str  # slug, "" when not filed
    text: str  # as stored: already redacted
    credited: tuple[str, ...]  # WOW only; an OW never names a person


EXPORT_COLUMNS = ("id", "date", "kind", "touchpoint", "text", "credited")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run these as formulas


@dataclass(frozen=True, slots=True)
class MomentsExport:
    """`/moments export`: the team's moments, for a lead's spreadsheet."""

    team_id: int
    team: str
    created_at: datetime
    rows: tuple[ExportRow, ...]

    @property
    def filename(self) -> str:
        slug = "".join(c if c.isalnum() else "-" for c in self.team.lower()).strip("-") or "team"
        return f"moments-{slug}-{self.created_at:%Y-%m-%d}.csv"

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        for r in self.rows:
            writer.writerow((r.id, f"{r.created_at:%Y-%m-%d}", r.kind.value, r.touchpoint,
                             _cell(r.text), _cell(", ".join(r.credited))))
        return out.getvalue()


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value


@dataclass(frozen=True, slots=True)
class SetupOffer:
    """"Set up this channel", with the settings guessed so that no typing is needed: a door draws
    its setup form prefilled with these (Slack: the modal behind the button; Teams: the card)."""

    channel: str
    name: str
    template: str
    timezone: str
    templates: tuple[str, ...]


# What a Reply may carry for a door to draw richly; a door draws what it knows and shows the
# text for the rest.
View: TypeAlias = (
    "Moment | PromptView | DigestView | StandardView | MomentsExport | tuple[Priority, ...]"
    " | tuple[StandardView, ...] | tuple[Touchpoint, ...] | tuple[Post, ...] | SetupOffer"
    " | OrgDigestView | OrgChannelView"
)


@dataclass(frozen=True, slots=True)
class Reply:
    """What a door shows the person: neutral text, numbered choices and an optional rich view."""

    text: str
    choices: tuple[Choice, ...] = ()
    view: View | None = None
    error: bool = False
    public: bool = False  # True: post to the channel; False: only the person sees it
    # with a moment view: the team's touchpoints, as the core read them for this reply, for a
    # door's "Change touchpoint" select (empty: the door reads them itself)
    journey: tuple[Touchpoint, ...] = ()
    # people the text names who should be notified where the door can (Slack: real mentions),
    # besides a moment's credited colleagues: the reporters whose waiting moments were filed
    notify: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Post:
    """A message the bot sends to a team's channel on its own (weekly cycle)."""

    team_id: int
    channel: str
    kind: str  # "prompt", "votes_closed", "digest", "turned_basic"
    reply: Reply
    week: str = ""
    extras: dict[str, str] = field(default_factory=dict)
