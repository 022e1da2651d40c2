"""Personal data is taken out of moment text before anything is stored."""

from __future__ import annotations

import re

import pytest

from bot.redact import luhn_ok, redact
from tests.conftest import STAFF, World


@pytest.mark.parametrize(
    ("text", "expected", "kinds"),
    [
        ("guest anna.berg+sas@example.co.uk wrote twice", "guest [email] wrote twice", ("email",)),
        ("paid with 4111 1111 1111 1111 and it failed", "paid with [card] and it failed", ("card",)),
        ("card 4111-1111-1111-1112 fails Luhn", "card 4111-1111-1111-1112 fails Luhn", ()),
        ("call her back on +46 70 123 45 67 today", "call her back on [phone] today", ("phone",)),
        ("ring (555) 010-9999 about the bag", "ring [phone] about the bag", ("phone",)),
        ("booking ref: X7K9QP was lost", "booking ref: [booking-ref] was lost", ("booking-ref",)),
        ("PNR ABC123 could not be found", "PNR [booking-ref] could not be found", ("booking-ref",)),
        ("confirmation number 9Q8W7E", "confirmation number [booking-ref]", ("booking-ref",)),
        ("flight SK1423 left at 10:30 on 2026-11-16 from gate 12",
         "flight SK1423 left at 10:30 on 2026-11-16 from gate 12", ()),
        ("waited 45 minutes, 3 kids, row 23", "waited 45 minutes, 3 kids, row 23", ()),
    ],
)
def test_redaction(text: str, expected: str, kinds: tuple[str, ...]) -> None:
    result = redact(text)
    assert (result.text, result.found) == (expected, kinds)


def test_luhn() -> None:
    assert luhn_ok("4111111111111111") and luhn_ok("79927398713")
    assert not luhn_ok("4111111111111112")


def test_workspace_patterns() -> None:
    result = redact("member FF-123-456 called", [re.compile(r"FF-\d{3}-\d{3}")])
    assert result.text == "member [redacted] called" and result.found == ("redacted",)


def test_the_original_is_never_stored(world: World) -> None:
    text = "#baggage bag lost, guest is mia@example.com, +46 70 123 45 67"
    reply = world.router.handle(world.ctx(), "/ow", text)
    assert "removed personal data" in reply.text
    with world.store.transaction(world.ws) as repo:
        [m] = repo.moments(world.team.id)
    assert "mia@" not in m.text and "123 45" not in m.text
    assert m.text == "bag lost, guest is [email], [phone]"
    world.router.handle(world.ctx(), "/moments", f"edit {m.id} guest mia@example.com again")
    with world.store.transaction(world.ws) as repo:
        edited = repo.moment(m.id)
    assert edited is not None and edited.text == "guest [email] again"


def test_proposals_are_redacted_too(world: World) -> None:
    from tests.conftest import LEAD

    world.router.handle(world.ctx(), "/ow", "#boarding gate chaos")
    world.router.handle(world.ctx(LEAD), "/moments", "prompt")
    world.router.handle(world.ctx(STAFF), "/moments", "propose email the guest at joe@example.com")
    prompt = world.services.weekly.current_prompt(workspace_id=world.ws, team_id=world.team.id)
    assert prompt is not None
    view = world.services.reports.prompt(workspace_id=world.ws, prompt_id=prompt.id)
    assert view.proposals[0].text == "email the guest at [email]"


def test_forget_me_asks_first_then_erases(world: World) -> None:
    from tests.conftest import OTHER

    world.router.handle(world.ctx(STAFF), "/ow", "#boarding gate chaos")
    world.router.handle(world.ctx(OTHER), "/wow", "@sam carried a pram #boarding")
    ask = world.router.handle(world.ctx(STAFF), "/moments", "forget-me")
    assert "cannot be undone" in ask.text and ask.choices
    with world.store.transaction(world.ws) as repo:
        assert len(repo.moments(world.team.id)) == 2  # asking changed nothing
    done = world.router.act(world.ctx(STAFF), ask.choices[0].action)
    assert "1 moments" in done.text and "1 credits" in done.text
    with world.store.transaction(world.ws) as repo:
        [left] = repo.moments(world.team.id)
    assert left.reporter_id == "omar" and left.credited == ()


def test_privacy_export_and_delete_are_for_admins(world: World) -> None:
    import json

    from tests.conftest import ADMIN, LEAD

    world.router.handle(world.ctx(STAFF), "/ow", "#boarding gate chaos")
    refused = world.router.handle(world.ctx(LEAD), "/moments", "privacy export @sam")
    assert refused.error and "Only workspace admins" in refused.text
    export = world.router.handle(world.ctx(ADMIN), "/moments", "privacy export @sam")
    data = json.loads(export.text.split(":\n", 1)[1])
    assert [m["text"] for m in data["moments_reported"]] == ["gate chaos"]
    gone = world.router.handle(world.ctx(ADMIN), "/moments", "privacy delete @sam")
    assert "sam's data is erased" in gone.text
    with world.store.transaction(world.ws) as repo:
        assert repo.moments(world.team.id) == []


def test_retention_purges_old_moments(world: World) -> None:
    from datetime import timedelta

    world.router.handle(world.ctx(STAFF), "/ow", "#boarding old chaos")
    world.clock.advance(timedelta(days=400))
    world.router.handle(world.ctx(STAFF), "/ow", "#boarding new chaos")
    assert world.services.privacy.purge(workspace_id=world.ws, older_than_months=12) == 1
    with world.store.transaction(world.ws) as repo:
        assert [m.text for m in repo.moments(world.team.id)] == ["new chaos"]


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_direction_controls_are_neither_stored_nor_echoed(world: World) -> None:
    # "\u202e" makes everything after it read right to left: the moment would show reversed
    text = "#boarding Sam helped \u202eylimaf a\u202c and \u2067\u05e9\u05dc\u05d5\u05dd\u2069 \u200fok"
    reply = world.router.handle(world.ctx(), "/wow", text)
    with world.store.transaction(world.ws) as repo:
        [m] = repo.moments(world.team.id)
    assert m.text == "Sam helped ylimaf a and \u05e9\u05dc\u05d5\u05dd ok"
    assert not set(BIDI) & set(reply.text)
    world.router.handle(world.ctx(), "/moments", f"edit {m.id} Sam \u202dhelped\u202c again")
    with world.store.transaction(world.ws) as repo:
        edited = repo.moment(m.id)
    assert edited is not None and edited.text == "Sam helped again"


def test_an_invisible_character_cannot_hide_a_number() -> None:
    assert redact("card 4111\u200b 1111 1111\u2066 1111 declined").text == "card [card] declined"
    assert redact("call 070\u202e-123 45 67").text == "call [phone]"


def test_emoji_joiners_stay() -> None:
    assert redact("the nurse \U0001f469\u200d\u2695\ufe0f was kind").text == (
        "the nurse \U0001f469\u200d\u2695\ufe0f was kind")
