"""The "Log as a moment" message action on a message Moments cannot read."""

from __future__ import annotations

import pytest

from handlers.teams import ids
from tests.handlers.teams.conftest import World, channel_conversation, message


@pytest.mark.parametrize("content", [
    '<p><img src="https://us-api.asm.skype.com/v1/objects/0-weu-d1/views/imgo" alt="image"></p>',
    "",
    "<p>&nbsp;</p>",
])
def test_a_message_with_only_an_image_gets_a_friendly_nothing_to_log(world: World, content: str) -> None:
    payload = {"id": "1700000002", "body": {"contentType": "html", "content": content},
               "from": {"user": {"id": "aad-omar", "displayName": "Omar"}},
               "attachments": [{"contentType": "image/*", "contentUrl": "https://example.test/x.png"}]}
    fetch = message("", conversation=channel_conversation())
    fetch.type, fetch.name, fetch.value = "invoke", "composeExtension/fetchTask", {
        "commandId": ids.LOG_COMMAND, "commandContext": "message", "messagePayload": payload}
    [response] = world.turn(fetch)
    assert response.value.status == 200
    task = response.value.body["task"]
    assert task["type"] == "message"  # a short note in the dialog, not an empty form
    assert "nothing to log" in task["value"] and "wow" in task["value"]
    with world.store.transaction(world.ws) as repo:
        assert repo.moments(world.team.id) == []
