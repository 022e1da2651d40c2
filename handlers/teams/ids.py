"""Keys of Action.Submit data and input ids, shared by the card renderer and the bot.

A button's data is ``{ACTION: <core action name>, <arg>: <value>, ...}``; Teams merges the card's
input values into that object (input id -> value), so an input whose id is a core action's
argument name (``touchpoint``) becomes that argument.
"""

from __future__ import annotations

ACTION = "moments_action"  # the core action name (bot.views: FILE_MOMENT, VOTE, ADOPT, ...)
PROMPT = "prompt"  # the weekly prompt a card shows, so a submit can redraw it with live counts
LEAD_CARD = "lead_card"  # "1" when the card was drawn for a lead (with Adopt buttons)

# inputs
TOUCHPOINT = "touchpoint"  # also FILE_MOMENT's argument name: the "Change touchpoint" select
PROPOSAL_TEXT = "proposal_text"
PROPOSAL_TOUCHPOINT = "proposal_touchpoint"
PROPOSAL_ANONYMOUS = "proposal_anonymous"  # Input.Toggle: "true" / "false"

# the "Log as a moment" message action (manifest composeExtensions[0].commands[0].id)
LOG_COMMAND = "logMoment"
LOG_TEXT = "log_text"
LOG_KIND = "log_kind"  # "wow" / "ow"
LOG_REF = "log_ref"  # the id of the message the moment is made from
LOG_AUTHOR = "log_author"  # its author's user key, credited by a WOW
LOG_AUTHOR_NAME = "log_author_name"

# Teams reactions (messageReaction activities) that count as a WOW on the bot's own messages
WOW_REACTIONS = frozenset({"like", "heart"})

# the journey editor card (journey_card.py) and the personal home card (home.py): door-only
# actions, answered by listeners/forms.py before the command router sees them
JOURNEY_OPEN = "teams_journey_open"  # data: team; the button under a lead's `moments touchpoints`
JOURNEY_SAVE = "teams_journey_save"  # data: team, start; inputs: the names, retire toggles, add
JOURNEY_MOVE = "teams_journey_move"  # data: team, start, slug, place (1-based)
JOURNEY_PAGE = "teams_journey_page"  # data: team, start
HOME_REFRESH = "teams_home_refresh"
HOME_PROMPT = "teams_home_prompt"  # data: prompt
HOME_DIGEST = "teams_home_digest"
FORM_ACTIONS = frozenset({JOURNEY_OPEN, JOURNEY_SAVE, JOURNEY_MOVE, JOURNEY_PAGE, HOME_REFRESH, HOME_PROMPT,
                          HOME_DIGEST})
JOURNEY_TEAM = "team"
JOURNEY_START = "start"  # the first touchpoint shown (0-based) on the card's page
JOURNEY_SLUG = "slug"
JOURNEY_PLACE = "place"
TP_NAME = "tp_name:"  # + slug: Input.Text with the touchpoint's name
TP_RETIRE = "tp_retire:"  # + slug: Input.Toggle, "true" / "false"
TP_ADD_SLUG = "tp_add_slug"
TP_ADD_NAME = "tp_add_name"
# the setup form (a new team: the welcome card, and the card under a moment kept before setup)
SETUP_NAME = "setup_name"
SETUP_TEMPLATE = "setup_template"
SETUP_TIMEZONE = "setup_timezone"
