"""Widget ids shared by the Block Kit renderer and the listeners (and manifest.yml)."""

from __future__ import annotations

import re

COMMANDS = re.compile(r"^/(wow|ow|moments)$")

# manifest.yml: features.shortcuts[0].callback_id
LOG_SHORTCUT = "log_moment"

# modals (view callback ids)
LOG_MODAL = "log_moment_modal"
PROPOSE_MODAL = "propose_modal"

# buttons that carry a core Action (vote, adopt, retract, forget-me, file): "moments:act:<n>",
# numbered (v<proposal>, a<n>, <n>) because action ids must be unique within a block
ACT_PREFIX = "moments:act:"
ACT = re.compile(r"^moments:act:\w+$")
# the "Change touchpoint" / "Which touchpoint?" select under a confirmation
FILE_SELECT = "moments:file"
# "Propose a response": opens the proposal modal for a prompt
OPEN_PROPOSE = "moments:propose"

# input blocks: block_id and action_id are the same string
KIND_INPUT = "kind"
TEXT_INPUT = "text"
TOUCHPOINT_INPUT = "touchpoint"
ANONYMOUS_INPUT = "anonymous"
ANONYMOUS = "anonymous"  # the checkbox option's value
