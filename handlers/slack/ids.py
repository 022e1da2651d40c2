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

# lead tools: the setup modal (/moments setup) and the touchpoints modal
# (/moments touchpoints edit, or the "Edit touchpoints" button under /moments touchpoints)
SETUP_MODAL = "setup_modal"
TOUCHPOINTS_MODAL = "touchpoints_modal"
OPEN_TOUCHPOINTS = "moments:touchpoints"
SETUP_NAME = "setup_name"
SETUP_TEMPLATE = "setup_template"
SETUP_TZ = "setup_tz"
SETUP_PROMPT = "setup_prompt"
SETUP_CLOSE = "setup_close"
SETUP_DIGEST = "setup_digest"
SETUP_QUIET = "setup_quiet"
SETUP_BASIC_AFTER = "setup_basic_after"
SETUP_FOCUS = "setup_focus"
# one name input and one retire checkbox per touchpoint: "<prefix><slug>"
TP_NAME = "tp_name:"
TP_RETIRE = "tp_retire:"
RETIRE = "retire"  # the retire checkbox option's value
TP_ADD_SLUG = "tp_add_slug"
TP_ADD_NAME = "tp_add_name"
