"""A workspace's own redaction patterns: admins add them, and new moments are stored without the match."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain import MomentKind, Source
from bot.markup import code
from bot.services import Services
from bot.services.privacy import MAX_PATTERNS
from tests.conftest import ADMIN, LEAD, OTHER, STAFF, World, make_world
from tests.fakes import FakeFiler, InMemoryRepository

EMP = r"EMP-\d{5}"


def stored_anywhere(world: World, needle: str) -> bool:
    """Whether the text is in any table of the in-memory store (moments, feedback, proposals...)."""
    return needle in repr(world.store._t)


def texts(world: World) -> list[str]:
    with world.store.transaction(world.ws) as repo:
        return [m.text for m in repo.moments(world.team.id, include_retracted=True)]


def add(world: World, pattern: str, actor: object = ADMIN) -> str:
    return world.say(actor, "/moments", f"redact add {pattern}")  # type: ignore[arg-type]


def test_an_admins_pattern_is_redacted_from_new_moments_and_never_stored(world: World) -> None:
    reply = add(world, EMP)
    assert code(EMP) in reply and "Added" in reply

    filed = world.router.handle(world.ctx(STAFF), "/ow", "#baggage EMP-12345 lost the bag")

    assert not filed.error and "workspace pattern" in filed.text
    assert texts(world) == ["[redacted] lost the bag"]
    assert not stored_anywhere(world, "EMP-12345")


def test_every_path_that_stores_text_uses_the_patterns(world: World) -> None:
    add(world, EMP)
    w = world
    # a slash command, then an edit of it
    w.router.handle(w.ctx(STAFF), "/wow", "#boarding EMP-11111 carried a pram")
    with w.store.transaction(w.ws) as repo:
        [moment] = repo.moments(w.team.id)
    w.router.handle(w.ctx(STAFF), "/moments", f"edit {moment.id} EMP-22222 carried two prams")
    # a reaction on a message whose text is known
    w.services.capture.react(workspace_id=w.ws, team_id=w.team.id, actor=OTHER,
                             kind=MomentKind.OW, message_ref="C-gate/1.1", author_id="sam",
                             text="EMP-33333 shouted at the gate")
    # a proposal
    w.router.handle(w.ctx(STAFF), "/ow", "#boarding gate chaos")
    w.router.handle(w.ctx(LEAD), "/moments", "prompt")
    proposed = w.router.handle(w.ctx(STAFF), "/moments", "propose ask EMP-44444 to greet guests")
    assert not proposed.error, proposed.text

    assert sorted(texts(w)) == ["[redacted] carried two prams", "[redacted] shouted at the gate",
                                "gate chaos"]
    prompt = w.services.weekly.current_prompt(workspace_id=w.ws, team_id=w.team.id)
    assert prompt is not None
    view = w.services.reports.prompt(workspace_id=w.ws, prompt_id=prompt.id)
    assert [p.text for p in view.proposals] == ["ask [redacted] to greet guests"]
    for number in ("11111", "22222", "33333", "44444"):
        assert not stored_anywhere(w, f"EMP-{number}")


def test_a_reactions_text_that_arrives_later_is_redacted(world: World) -> None:
    add(world, EMP)
    w = world
    reacted = w.services.capture.react(workspace_id=w.ws, team_id=w.team.id, actor=OTHER,
                                       kind=MomentKind.OW, message_ref="C-gate/2.2",
                                       author_id="sam", text=None)
    w.services.capture.fill_text(workspace_id=w.ws, moment_id=reacted.moment.id,
                                 text="EMP-55555 left the gate unattended")
    assert texts(w) == ["[redacted] left the gate unattended"]
    assert not stored_anywhere(w, "EMP-55555")


def test_recent_channel_messages_are_kept_without_personal_data(world: World) -> None:
    add(world, EMP)
    w = world
    kept = w.services.capture.keepable(workspace_id=w.ws,
                                       text="EMP-66666 rebooked anna@example.com in a minute")
    assert kept == "[redacted] rebooked [email] in a minute"
    assert not stored_anywhere(w, "EMP-66666") and not stored_anywhere(w, "anna@example.com")


def test_a_leads_own_wording_of_a_standard_is_redacted(world: World) -> None:
    add(world, EMP)
    w = world
    w.router.handle(w.ctx(STAFF), "/ow", "#boarding gate chaos")
    w.router.handle(w.ctx(LEAD), "/moments", "prompt")
    w.router.handle(w.ctx(STAFF), "/moments", "propose greet every guest by name")
    prompt = w.services.weekly.current_prompt(workspace_id=w.ws, team_id=w.team.id)
    assert prompt is not None
    [proposal] = w.services.reports.prompt(workspace_id=w.ws, prompt_id=prompt.id).proposals
    standard = w.services.weekly.adopt(workspace_id=w.ws, proposal_id=proposal.id, actor=LEAD,
                                       text="Greet every guest by name, as EMP-77777 does")
    assert standard.text == "Greet every guest by name, as [redacted] does"
    assert not stored_anywhere(w, "EMP-77777")


def test_only_admins_add_or_remove_patterns(world: World) -> None:
    for person in (STAFF, LEAD):
        refused = world.router.handle(world.ctx(person), "/moments", f"redact add {EMP}")
        assert refused.error and "Only workspace admins" in refused.text
    assert world.services.privacy.redaction_patterns(workspace_id=world.ws) == []

    add(world, EMP)
    refused = world.router.handle(world.ctx(STAFF), "/moments", "redact remove 1")
    assert refused.error and "Only workspace admins" in refused.text
    listed = world.say(STAFF, "/moments", "redact list")  # anyone may see what is redacted
    assert f"1. {code(EMP)}" in listed


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("(EMP-", "isn't a valid pattern"),
        ("EMP-" + "x" * 200, "keep it to 200 or fewer"),
        ("a*", "matches empty text"),
        (r"EMP-\d{5}|", "matches empty text"),
        (r"\w+", "single letter"),
        ("[a-z]", "single letter"),
        ("the", "matches ordinary text"),
        ("gate for", "matches ordinary text"),
        (r"\d{4}", "matches ordinary text"),
        (r"(\w+\s?)+$", "repeats something that itself repeats"),
        ("a`b", "backtick"),
    ],
)
def test_invalid_or_too_broad_patterns_get_a_friendly_error(
    world: World, pattern: str, says: str
) -> None:
    reply = world.router.handle(world.ctx(ADMIN), "/moments", f"redact add {pattern}")
    assert reply.error and says in reply.text, reply.text
    assert "went wrong" not in reply.text
    assert world.services.privacy.redaction_patterns(workspace_id=world.ws) == []


@pytest.mark.parametrize(
    "pattern",
    [r"(?:EMP|STF)-\d{5}", r"(?i)passport\s*[A-Z0-9]{8,9}", r"FF[+*]\d{6}", r"(ab\d{2})+X",
     "LOYALTY 1234 5678"],
)
def test_specific_patterns_are_accepted(world: World, pattern: str) -> None:
    assert "Added" in add(world, pattern)
    assert [p.pattern for p in world.services.privacy.redaction_patterns(workspace_id=world.ws)] \
        == [pattern]


def test_a_duplicate_is_a_friendly_no_op_and_backticks_around_a_pattern_are_dropped(
    world: World,
) -> None:
    add(world, EMP)
    again = world.router.handle(world.ctx(ADMIN), "/moments", f"redact add `{EMP}`")
    assert not again.error and "already" in again.text and "nothing changed" in again.text
    assert [p.pattern for p in world.services.privacy.redaction_patterns(workspace_id=world.ws)] \
        == [EMP]


def test_a_workspace_has_at_most_25_patterns(world: World) -> None:
    for n in range(MAX_PATTERNS):
        assert "Added" in add(world, f"EMP{n:02d}-\\d{{5}}")
    full = world.router.handle(world.ctx(ADMIN), "/moments", r"redact add STAFF-\d{5}")
    assert full.error and "25 patterns" in full.text
    assert len(world.services.privacy.redaction_patterns(workspace_id=world.ws)) == MAX_PATTERNS


def test_another_workspaces_moments_are_unaffected(world: World) -> None:
    other = make_world(store=world.store, external_id="T2")
    add(world, EMP)

    other.router.handle(other.ctx(STAFF), "/ow", "#baggage EMP-12345 lost the bag")

    assert texts(other) == ["EMP-12345 lost the bag"]
    assert other.say(STAFF, "/moments", "redact list").startswith("This workspace has no")
    refused = other.router.handle(other.ctx(ADMIN), "/moments", "redact remove 1")
    assert refused.error and "no pattern" in refused.text
    assert world.services.privacy.redaction_patterns(workspace_id=world.ws) != []


def test_remove_by_number_or_as_written(world: World) -> None:
    add(world, EMP)
    add(world, r"FF-\d{3}-\d{3}")
    listed = world.say(STAFF, "/moments", "redact list")
    assert f"1. {code(EMP)}" in listed and "2. " + code(r"FF-\d{3}-\d{3}") in listed

    assert world.say(ADMIN, "/moments", "redact remove 1") == \
        f"Removed {code(EMP)}; new moments are no longer redacted with it."
    removed = world.say(ADMIN, "/moments", r"redact remove FF-\d{3}-\d{3}")
    assert removed.startswith("Removed " + code(r"FF-\d{3}-\d{3}"))
    missing = world.router.handle(world.ctx(ADMIN), "/moments", "redact remove 1")
    assert missing.error and f"no pattern {code('1')}" in missing.text

    world.router.handle(world.ctx(STAFF), "/ow", "#baggage EMP-12345 lost the bag")
    assert texts(world) == ["EMP-12345 lost the bag"]


def test_patterns_are_read_once_and_other_replicas_catch_up_within_a_minute(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    real = InMemoryRepository.redaction_patterns

    def counted(self: InMemoryRepository) -> list:  # type: ignore[type-arg]
        reads.append(1)
        return real(self)

    monkeypatch.setattr(InMemoryRepository, "redaction_patterns", counted)
    replica = Services(store=world.store, clock=world.clock, make_filer=FakeFiler)

    def report(services: Services, text: str) -> str:
        return services.moments.report(workspace_id=world.ws, team_id=world.team.id, actor=STAFF,
                                       kind=MomentKind.OW, text=text, source=Source.COMMAND
                                       ).moment.text

    for n in range(5):
        report(world.services, f"bag {n} lost")
    assert len(reads) == 1  # cached, not read per moment
    report(replica, "bag lost again")  # the replica has read the (empty) list too

    add(world, EMP)
    assert report(world.services, "EMP-00001 lost it") == "[redacted] lost it"  # at once here
    world.clock.advance(timedelta(seconds=61))
    assert report(replica, "EMP-00002 lost it") == "[redacted] lost it"  # and there, soon


def test_usage_and_help(world: World) -> None:
    usage = world.router.handle(world.ctx(ADMIN), "/moments", "redact frobnicate")
    assert usage.error and "/moments redact add PATTERN" in usage.text
    assert "redact" in world.say(STAFF, "/moments", "help")


def test_who_added_a_pattern_is_in_their_export_and_forgotten_with_them(world: World) -> None:
    add(world, EMP)
    data = world.services.privacy.export_user(workspace_id=world.ws, actor=ADMIN, user_id="@ada")
    assert data["redaction_patterns_added"] == [EMP]

    world.services.privacy.forget_me(workspace_id=world.ws, actor=ADMIN)

    [kept] = world.services.privacy.redaction_patterns(workspace_id=world.ws)
    assert (kept.pattern, kept.added_by) == (EMP, "")  # the workspace keeps the protection
    world.router.handle(world.ctx(STAFF), "/ow", "#baggage EMP-12345 lost the bag")
    assert texts(world) == ["[redacted] lost the bag"]
