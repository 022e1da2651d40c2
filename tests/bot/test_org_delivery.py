"""The organisation digest's delivery on a frozen clock: due once a week at its slot, retried
after a failure, paused when the channel is gone, never sent twice after a crash mid-send."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain import Platform
from bot.ports import DeliveryError
from bot.services.cycle import UNKNOWN
from handlers.org_scheduled import deliver_due_orgs
from tests.conftest import ADMIN, STAFF, World, make_world
from tests.fakes import RecordingNotifier

FRIDAY = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # 17:00 in Stockholm, week 47


def org_world() -> World:
    world = make_world()  # a Slack workspace, Gate crew in Stockholm
    world.router.handle(world.ctx(STAFF), "/ow", "#boarding chaos at the gate")
    world.say(ADMIN, "/moments", "org setup #C-ORG")
    return world


def digests(notifier: RecordingNotifier) -> list[str]:
    return [post.week for _ws, post in notifier.sent if post.kind == "org_digest"]


def test_it_goes_out_at_its_slot_once_and_next_week_again() -> None:
    world = org_world()
    notifier = RecordingNotifier()
    world.clock.set(FRIDAY - timedelta(minutes=1))
    deliver_due_orgs(world.services, notifier)
    assert digests(notifier) == []
    for minutes in (0, 1, 30, 600):
        world.clock.set(FRIDAY + timedelta(minutes=minutes))
        deliver_due_orgs(world.services, notifier)
    assert digests(notifier) == ["2026-W47"]
    [(_ws, post)] = notifier.sent
    assert post.channel == "C-ORG" and post.reply.public
    assert "organisation digest, 2026-W47" in post.reply.text
    world.clock.set(FRIDAY + timedelta(weeks=1, minutes=2))
    deliver_due_orgs(world.services, notifier)
    assert digests(notifier) == ["2026-W47", "2026-W48"]


def test_a_failure_is_retried_and_a_late_post_says_so() -> None:
    world = org_world()
    notifier = RecordingNotifier()
    notifier.failures.append(DeliveryError("Slack said fatal_error"))
    world.clock.set(FRIDAY)
    deliver_due_orgs(world.services, notifier)
    assert digests(notifier) == []
    world.clock.set(FRIDAY + timedelta(minutes=30))  # past the backoff, and late
    deliver_due_orgs(world.services, notifier)
    assert digests(notifier) == ["2026-W47"]
    assert "This digest is late" in notifier.sent[0][1].reply.text


def test_a_channel_the_bot_cannot_post_to_pauses_the_digest() -> None:
    world = org_world()
    notifier = RecordingNotifier()
    notifier.failures.append(DeliveryError("Slack said channel_not_found", permanent=True))
    world.clock.set(FRIDAY)
    deliver_due_orgs(world.services, notifier)
    org = world.services.org.org(workspace_id=world.ws)
    assert org is not None and org.paused
    assert "It is paused" in world.say(STAFF, "/moments", "org")
    world.clock.set(FRIDAY + timedelta(weeks=1))
    deliver_due_orgs(world.services, notifier)
    assert notifier.sent == []
    world.say(ADMIN, "/moments", "org setup #C-ORG2")  # set up again: it resumes
    org = world.services.org.org(workspace_id=world.ws)
    assert org is not None and not org.paused and org.channel == "C-ORG2"


def test_a_crash_mid_send_is_not_sent_twice_when_nobody_can_tell() -> None:
    world = org_world()
    org = world.services.org.org(workspace_id=world.ws)
    assert org is not None
    with world.store.transaction(world.ws) as repo:  # a replica died while sending it
        repo.claim_org_post(org.id, "2026-W47", FRIDAY)
        record = repo.org_post(org.id, "2026-W47")
        assert record is not None
        repo.swap_org_post(record, replace(record, sending_at=FRIDAY))
    notifier = RecordingNotifier()  # cannot look in the channel
    for minutes in (1, 20, 60):
        world.clock.set(FRIDAY + timedelta(minutes=minutes))
        deliver_due_orgs(world.services, notifier)
    assert notifier.sent == []
    with world.store.transaction(world.ws) as repo:
        kept = repo.org_post(org.id, "2026-W47")
    assert kept is not None and kept.last_error == UNKNOWN and kept.sent_at is None


def test_console_workspaces_are_left_to_the_command() -> None:
    world = org_world()
    console = world.store.workspace(platform=Platform.CONSOLE, external_id="local").id
    world.services.journey.setup_team(workspace_id=console, actor=ADMIN, channel="console",
                                      name="Console crew", template="airline")
    world.services.org.setup(workspace_id=console, actor=ADMIN, channel="#all-sites")
    notifier = RecordingNotifier()
    world.clock.set(FRIDAY + timedelta(hours=1))
    deliver_due_orgs(world.services, notifier)
    assert [ws.platform for ws, _post in notifier.sent] == [Platform.SLACK]


def test_status_shows_the_organisation_digest() -> None:
    from handlers.status import status_lines

    world = org_world()
    notifier = RecordingNotifier()
    world.clock.set(FRIDAY + timedelta(minutes=1))
    deliver_due_orgs(world.services, notifier)
    text = "\n".join(status_lines(world.services, world.clock.now()))
    assert "organisation digest (#C-ORG, C-ORG, Europe/Stockholm) — active" in text
    assert "next org_digest   Fri 27 Nov 17:00" in text
    assert "2026-W47 org_digest   sent Fri 20 Nov 16:01 UTC" in text
