"""The replies of the first five minutes (``bot/services/onboarding.py``), in the core's markup;
their words are in ``bot/words.py`` under "First five minutes"."""

from __future__ import annotations

from bot import text as render
from bot import words
from bot.domain import Team
from bot.markup import bold, code, item, mention
from bot.services.onboarding import Chosen, FiledWaiting, Kept, SetUp
from bot.views import CHOOSE_TEAM, SET_UP, Action, Choice, Reply, SetupOffer

SETUP = code("/moments setup")
TEAM = code("/moments team")


def set_up_choice() -> Choice:
    return Choice(words.FIRST_SET_UP_BUTTON, Action.of(SET_UP))


def welcome(offer: SetupOffer) -> Reply:
    """The bot's first post in a channel: what it does, and the setup form behind a button."""
    text = "\n".join([
        words.FIRST_WELCOME.format(wow=code("/wow …"), ow=code("/ow …")),
        words.FIRST_WELCOME_SET_UP.format(name=bold(offer.name), template=offer.template,
                                          timezone=offer.timezone),
    ])
    return Reply(text, (set_up_choice(),), view=offer, public=True)


def kept(result: Kept) -> Reply:
    """A moment kept for a team that does not exist yet (or that the person has to pick)."""
    kind = render.KIND_LABEL[result.waiting.kind]
    days = result.days
    if result.offer is not None:
        said = words.FIRST_KEPT_REACTION if result.waiting.source.value == "reaction" and \
            not result.waiting.text else words.FIRST_KEPT_CHANNEL
        lines = [said.format(kind=kind, days=days, setup=SETUP)]
        choices: tuple[Choice, ...] = (set_up_choice(),)
    else:
        if not result.teams:
            said = words.FIRST_KEPT_NO_TEAMS
        elif result.mine:
            said = words.FIRST_KEPT_CHOOSE
        else:
            said = words.FIRST_KEPT_PICK
        lines = [said.format(kind=kind, days=days, command=TEAM, setup=SETUP)]
        choices = team_choices(result.teams)
    if result.already:
        lines.append(words.FIRST_KEPT_AGAIN)
    return Reply("\n".join(lines), choices, view=result.offer)


def team_choices(teams: tuple[Team, ...]) -> tuple[Choice, ...]:
    return tuple(Choice(t.name, Action.of(CHOOSE_TEAM, team=t.id)) for t in teams)


def filed_lines(filed: tuple[FiledWaiting, ...]) -> list[str]:
    if not filed:
        return []
    lines = [words.FIRST_FILED_HEAD.format(count=len(filed))]
    for f in filed:
        kind = render.KIND_LABEL[f.waiting.kind]
        who = mention(f.waiting.reporter_id)
        if f.filed is None:
            lines.append(item(words.FIRST_FILED_ITEM_UNREAD.format(who=who, kind=kind,
                                                                   id=f.waiting.id)))
        else:
            lines.append(item(words.FIRST_FILED_ITEM.format(who=who, kind=kind,
                                                            id=f.filed.moment.id)))
    return lines


def set_up(result: SetUp, lead: str) -> Reply:
    """The channel was set up: said in the channel, naming who set it up and each reporter whose
    waiting moment was filed (so they see it), the same in every door."""
    lines = [render.setup_saved(result.team, True), words.FIRST_SET_UP_FOR.format(who=mention(lead)),
             *filed_lines(result.filed)]
    told = tuple(dict.fromkeys(f.waiting.reporter_id for f in result.filed))
    return Reply("\n".join(lines), public=True, notify=told)


def chosen(result: Chosen) -> Reply:
    lines = [words.FIRST_TEAM_CHOSEN.format(team=bold(result.team.name)), *filed_lines(result.filed)]
    return Reply("\n".join(lines))


def teams(offered: tuple[Team, ...], mine: bool, current: Team | None) -> Reply:
    """`/moments team`: the person's team for private chats, and the buttons to change it."""
    if current is not None:
        head = words.FIRST_TEAM_NOW.format(team=bold(current.name))
        offered = tuple(t for t in offered if t.id != current.id)
    elif not offered:
        return Reply(words.FIRST_TEAM_NONE.format(setup=SETUP))
    elif mine:
        head = words.FIRST_TEAM_PICK
    else:
        head = words.FIRST_TEAM_NOT_IN.format(setup=SETUP)
    return Reply(head, team_choices(offered))
