"""A lead's edits to the customer journey from a form (Slack's touchpoints modal, Teams' journey
card): what was changed, applied through the journey service's own calls in one order, and told
in the same words as the text commands. The rules (who may, what a slug looks like, that a
journey keeps one touchpoint) are the service's; this only sequences its calls."""

from __future__ import annotations

from dataclasses import dataclass

from bot import text as render
from bot.errors import UserError
from bot.services import Actor
from bot.services.journey import JourneyService
from bot.views import Reply


@dataclass(frozen=True, slots=True)
class TouchpointEdits:
    renames: dict[str, str]  # slug -> new name (only the changed ones)
    retire: tuple[str, ...]
    add: tuple[str, str] | None  # (slug, name)

    @property
    def empty(self) -> bool:
        return not self.renames and not self.retire and self.add is None


def default_name(slug: str) -> str:
    """A new touchpoint's name when the lead gave only its id: ``bag-drop`` -> ``Bag Drop``."""
    return slug.replace("-", " ").title()


def apply_touchpoint_edits(journey: JourneyService, ws: int, team_id: int, actor: Actor,
                           edits: TouchpointEdits) -> Reply:
    """Add first (so the last old touchpoint can go), then rename, then retire; the same words as
    the text commands, and on a refusal what was done before it."""
    done: list[str] = []
    try:
        if edits.add is not None:
            tp = journey.add_touchpoint(workspace_id=ws, team_id=team_id, actor=actor, slug=edits.add[0],
                                        name=edits.add[1])
            done.append(render.touchpoint_added(tp))
        for slug, name in edits.renames.items():
            tp = journey.rename_touchpoint(workspace_id=ws, team_id=team_id, actor=actor, slug=slug,
                                           name=name)
            done.append(render.touchpoint_renamed(tp))
        for slug in edits.retire:
            tp = journey.retire_touchpoint(workspace_id=ws, team_id=team_id, actor=actor, slug=slug)
            done.append(render.touchpoint_retired(tp))
    except UserError as err:
        return Reply("\n".join([*done, err.message]), error=True)
    return Reply("\n".join(done) or "Nothing changed.")
