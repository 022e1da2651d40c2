"""Teams display names with colons, dots and parentheses in ``<at>`` mentions, and Teams' long
account ids: the colleague is credited (or kept out of an OW) and shown by name."""

from __future__ import annotations

from botbuilder.schema import ChannelAccount, Mention  # type: ignore[import-untyped]

from bot.domain import Moment, MomentKind
from handlers.teams.reading import read_text
from tests.handlers.teams.conftest import SAM, World, card_of, key, message, texts

ANA_OPS = ChannelAccount(id="29:ana", name="Ana (Ops)", aad_object_id="aad-ana")
# Mention entities carry the Teams account id and no Azure AD id; real ones are ~90 characters.
LONG_ID = "29:1aSGRrwdf5hZuAEJtRRyJx1fiq9rRS6I6AaoEPedXHw0MwcrPCJdHgnwZyWcOdJVKBGjJ-nXQaRz3cQ8xvZMjDA"
DR_ANA = ChannelAccount(id=LONG_ID, name="Dr. Ana: Ops")


def moments(world: World) -> list[Moment]:
    with world.store.transaction(world.ws) as repo:
        return repo.moments(world.team.id, include_retracted=True)


def test_a_name_with_parentheses_after_wow_colon_is_credited(world: World) -> None:
    [reply] = world.turn(message("wow: <at>Ana (Ops)</at> stayed late", mention_bot=True,
                                 mentions=(ANA_OPS,)))
    [m] = moments(world)
    assert (m.kind, m.credited, m.text) == (MomentKind.WOW, (key(ANA_OPS),), f"@{key(ANA_OPS)} stayed late")
    shown = texts(card_of(reply))
    assert "Credited: Ana (Ops)" in shown and key(ANA_OPS) not in shown


def test_a_name_with_a_colon_and_a_long_teams_id_is_credited_whole(world: World) -> None:
    [reply] = world.turn(message("wow <at>Dr. Ana: Ops</at>: stayed late to rebook a family",
                                 mentions=(DR_ANA,)))
    [m] = moments(world)
    assert m.credited == (key(DR_ANA),) and len(key(DR_ANA)) > 80  # not cut short
    assert m.text == f"@{key(DR_ANA)}: stayed late to rebook a family"
    shown = texts(card_of(reply))
    assert "Dr. Ana: Ops: stayed late" in shown and "29." not in shown


def test_an_ow_naming_someone_with_a_colon_stays_blameless(world: World) -> None:
    world.turn(message("ow <at>Dr. Ana: Ops</at> forgot the wheelchair at the gate",
                       mentions=(DR_ANA,)))
    [m] = moments(world)
    assert m.kind is MomentKind.OW and m.credited == ()
    assert m.text == "a colleague forgot the wheelchair at the gate"


def test_a_mention_whose_entity_text_is_escaped_differently_still_credits() -> None:
    activity = message("wow <at>Ana &amp; Bo (Ops)</at> fixed it", SAM)
    person = ChannelAccount(id="29:anabo", name="Ana & Bo (Ops)", aad_object_id="aad-anabo")
    activity.entities = [Mention(mentioned=person, text="<at>Ana & Bo (Ops)</at>", type="mention")]
    text, names = read_text(activity)
    assert text == "wow @aad-anabo fixed it" and names == {"aad-anabo": "Ana & Bo (Ops)"}


def test_a_name_split_into_one_tag_a_word_is_one_mention() -> None:
    person = ChannelAccount(id="29:ana", name="Ana Lund", aad_object_id="aad-ana")
    activity = message("wow <at>Ana</at> <at>Lund</at> stayed late", SAM)
    activity.entities = [Mention(mentioned=person, text="<at>Ana</at>", type="mention"),
                         Mention(mentioned=person, text="<at>Lund</at>", type="mention")]
    text, _names = read_text(activity)
    assert text == "wow @aad-ana stayed late"


def test_a_tag_without_an_entity_leaves_the_name_as_typed() -> None:
    text, names = read_text(message("wow: <at>Ana (Ops)</at> stayed late", SAM))
    assert text == "wow: Ana (Ops) stayed late" and names == {}
