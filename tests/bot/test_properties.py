"""Property-based tests: whatever people type, the bot answers in words and never stores twice."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import OOPS
from bot.domain import MAX_MOMENT_CHARS
from tests.conftest import LEAD, STAFF, make_world

WORLD = make_world()
ANY_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200
) | st.sampled_from([
    "", " ", "\x00\x01\x02", "🎉🎉🎉", "👍", "مرحبا بكم في المطار", "שלום\u202e", "#", "@", "#check-in",
    "@@@@", "x" * (MAX_MOMENT_CHARS + 1), "<!channel> hi", "*bold* _it_", "1", "-1", "999999999999",
])
COMMANDS = st.sampled_from(["/wow", "/ow", "/moments", "/Moments", "/wow ", "/nope", ""])
SUBS = st.sampled_from(["", "help", "vote", "adopt", "edit", "retract", "file", "digest", "setup",
                        "touchpoints", "leads", "propose", "prompt", "close", "week", "privacy",
                        "forget-me", "stats", "mine", "results", "standards", "priorities"])


def moment_count() -> int:
    with WORLD.store.transaction(WORLD.ws) as repo:
        return len(repo.moments(WORLD.team.id, include_retracted=True))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(command=COMMANDS, text=ANY_TEXT)
def test_any_command_gets_a_reply_and_stores_at_most_one_moment(command: str, text: str) -> None:
    before = moment_count()
    reply = WORLD.router.handle(WORLD.ctx(STAFF), command, text)
    assert reply.text and reply.text != OOPS, (command, text, reply.text)
    after = moment_count()
    stored = after - before
    assert stored in (0, 1)
    if stored:
        assert command.strip().lower() in ("/wow", "/ow") and not reply.error


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sub=SUBS, text=ANY_TEXT, lead=st.booleans())
def test_any_subcommand_gets_a_friendly_reply(sub: str, text: str, lead: bool) -> None:
    reply = WORLD.router.handle(WORLD.ctx(LEAD if lead else STAFF), "/moments", f"{sub} {text}")
    assert reply.text and reply.text != OOPS, (sub, text, reply.text)
    assert "Traceback" not in reply.text


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=30), args=st.lists(st.tuples(st.text(max_size=10), st.text(max_size=10)),
                                                 max_size=3))
def test_any_button_payload_gets_a_friendly_reply(name: str, args: list[tuple[str, str]]) -> None:
    from bot.views import Action

    reply = WORLD.router.act(WORLD.ctx(STAFF), Action(name, tuple(args)))
    assert reply.text and reply.text != OOPS, (name, args, reply.text)
