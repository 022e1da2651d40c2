"""The first five minutes, in the core: a moment before setup is kept and filed after it, the
welcome is posted once, a person in several teams picks one (remembered), defaults are guessed."""

from __future__ import annotations

from datetime import timedelta

from bot.commands import ChatContext
from bot.domain import MomentKind, Source
from bot.services import Actor
from bot.views import CHOOSE_TEAM, SET_UP, SetupOffer
from tests.conftest import ADMIN, LEAD, OTHER, STAFF, World

NEW = "C-lounge"


def ctx(world: World, actor: Actor = STAFF, channel: str = NEW, **kw: object) -> ChatContext:
    return ChatContext(world.ws, channel, actor, Source.COMMAND, **kw)  # type: ignore[arg-type]


def waiting(world: World, channel: str = NEW) -> list[object]:
    with world.store.transaction(world.ws) as repo:
        return list(repo.waiting_in(channel))


def test_a_wow_before_setup_is_kept_with_a_set_up_button_and_filed_into_the_new_team(
        world: World) -> None:
    reply = world.router.handle(ctx(world, request_key="r1"), "/wow",
                                "@omar rebooked a family, call 555-123-4567")
    assert "Saved" in reply.text and "14 days" in reply.text and not reply.error
    assert [c.action.name for c in reply.choices] == [SET_UP]
    assert isinstance(reply.view, SetupOffer) and reply.view.template == "airline"
    kept = waiting(world)
    assert len(kept) == 1 and "555" not in kept[0].text  # type: ignore[attr-defined]

    done = world.router.act(ctx(world, OTHER, channel_name="vip-lounge"), reply.choices[0].action)
    assert done.public and "Team set up" in done.text and "Filed 1 moment" in done.text
    team = world.services.journey.team_for_channel(workspace_id=world.ws, channel=NEW)
    assert team is not None and team.leads == ("omar",) and team.name == "Vip lounge"
    with world.store.transaction(world.ws) as repo:
        [moment] = repo.moments(team.id)
    assert moment.reporter_id == "sam" and moment.credited == ("omar",)
    assert "555" not in moment.text and moment.request_key == "r1"
    assert waiting(world) == []


def test_the_same_request_twice_keeps_one_waiting_moment(world: World) -> None:
    for _ in range(2):
        world.router.handle(ctx(world, request_key="same"), "/ow", "the lounge was closed")
    assert len(waiting(world)) == 1


def test_a_waiting_moment_expires_after_the_set_time(world: World) -> None:
    world.router.handle(ctx(world), "/wow", "a kind word at the door")
    onboarding = world.services.onboarding
    assert onboarding.expire(workspace_id=world.ws) == 0
    world.clock.advance(timedelta(days=14))
    assert onboarding.expire(workspace_id=world.ws) == 1 and waiting(world) == []


def test_the_welcome_is_offered_once_per_channel_and_never_where_a_team_is(world: World) -> None:
    o = world.services.onboarding
    first = o.welcome(workspace_id=world.ws, channel=NEW, channel_name="lounge")
    assert first is not None and first.name == "Lounge"
    assert o.welcome(workspace_id=world.ws, channel=NEW) is None
    assert o.welcome(workspace_id=world.ws, channel=world.team.channel) is None


def test_defaults_follow_the_workspace_and_the_door(world: World) -> None:
    guess = world.services.onboarding.defaults(workspace_id=world.ws, channel=NEW,
                                               channel_name="hotel-desk", timezone="Asia/Tokyo")
    assert (guess.template, guess.timezone) == ("airline", "Asia/Tokyo")  # most teams: airline
    guess = world.services.onboarding.defaults(workspace_id=world.ws, channel=NEW,
                                               timezone="Not/AZone")
    assert guess.timezone == "Europe/Stockholm" and guess.name == "Our team"


def test_in_private_a_person_in_two_teams_picks_one_and_it_is_remembered(world: World) -> None:
    o = world.services.onboarding
    second = o.set_up(workspace_id=world.ws, actor=LEAD, channel="C-ramp", name="Ramp").team
    private = ctx(world, LEAD, channel="D-lena", private=True)
    reply = world.router.handle(private, "/wow", "the ramp crew saved a bag")
    assert [c.action.name for c in reply.choices] == [CHOOSE_TEAM, CHOOSE_TEAM]
    assert {c.label for c in reply.choices} == {"Gate crew", "Ramp"}
    ramp = next(c for c in reply.choices if c.label == "Ramp")
    chosen = world.router.act(private, ramp.action)
    assert "Ramp" in chosen.text and "Filed 1 moment" in chosen.text
    with world.store.transaction(world.ws) as repo:
        assert len(repo.moments(second.id)) == 1
    here = world.services.journey.channel_here(workspace_id=world.ws, channel="D-lena",
                                               user_id="lena", private=True)
    assert here == "C-ramp"
    again = world.router.handle(ctx(world, LEAD, channel=here, private=True), "/wow", "again")
    assert "logged" in again.text


def test_in_private_a_person_in_no_team_is_told_how_to_join_and_the_moment_waits(
        world: World) -> None:
    world.services.onboarding.set_up(workspace_id=world.ws, actor=LEAD, channel="C-ramp", name="Ramp")
    newcomer = Actor("nia", "Nia")
    reply = world.router.handle(ctx(world, newcomer, channel="D-nia", private=True), "/ow",
                                "the kiosk ate my card")
    assert "not in a Moments team" in reply.text and len(reply.choices) == 2
    # she sets up her own team's channel: what waited for her goes there
    made = world.router.handle(ctx(world, newcomer, channel="C-kiosk"), "/moments", "setup")
    assert "Filed 1 moment" in made.text


def test_kind_of_moment_reported_by_reaction_credits_the_author_once_filed(world: World) -> None:
    o = world.services.onboarding
    o.keep(workspace_id=world.ws, channel=NEW, actor=STAFF, kind=MomentKind.WOW,
           text="Omar carried the pram down the stairs", source=Source.REACTION,
           message_ref=f"{NEW}/1.2", author_id="omar")
    made = o.set_up(workspace_id=world.ws, actor=LEAD, channel=NEW)
    [filed] = made.filed
    assert filed.filed is not None and filed.filed.moment.credited == ("omar",)
    assert filed.filed.moment.source is Source.REACTION


def test_retention_purge_also_deletes_expired_waiting_moments_only(world: World) -> None:
    world.router.handle(ctx(world), "/wow", "a kind word at the door")
    privacy = world.services.privacy
    assert privacy.purge(workspace_id=world.ws, older_than_months=12) == 0 and len(waiting(world)) == 1
    world.clock.advance(timedelta(days=15))
    assert privacy.purge(workspace_id=world.ws, older_than_months=12) == 1 and waiting(world) == []


def test_a_persons_data_export_includes_their_waiting_moments(world: World) -> None:
    world.router.handle(ctx(world), "/ow", "the lounge door was locked")
    data = world.services.privacy.export_person(workspace_id=world.ws, actor=ADMIN, person=STAFF)
    assert [w["text"] for w in data["moments_waiting"]] == ["the lounge door was locked"]


def test_a_waiting_moment_counts_in_the_week_it_was_reported_not_the_week_it_was_filed(
        world: World) -> None:
    reported = world.clock.now()
    world.router.handle(ctx(world), "/ow", "the lounge was closed all evening")
    world.clock.advance(timedelta(days=9))  # set up the week after
    reply = world.router.handle(ctx(world, OTHER), "/moments", "setup")
    assert "Filed 1 moment" in reply.text
    team = world.services.journey.team_for_channel(workspace_id=world.ws, channel=NEW)
    assert team is not None
    with world.store.transaction(world.ws) as repo:
        [moment] = repo.moments(team.id)
    assert moment.created_at == reported and moment.updated_at == world.clock.now()


def test_a_setup_with_a_bad_option_makes_no_team_and_keeps_what_waits(world: World) -> None:
    world.router.handle(ctx(world), "/ow", "the lounge was closed all evening")
    reply = world.router.handle(ctx(world, OTHER), "/moments", "setup focus=9")
    assert reply.error and "1 to 5" in reply.text
    assert world.services.journey.team_for_channel(workspace_id=world.ws, channel=NEW) is None
    assert len(waiting(world)) == 1
    done = world.router.handle(ctx(world, OTHER), "/moments", "setup focus=3")
    assert "Filed 1 moment" in done.text and not done.error
