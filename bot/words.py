"""Every sentence the bot says, in one place.

Replies, errors, button labels and card titles are kept here as plain strings; a translation
replaces this module's strings and nothing else. A string with ``{name}`` fields is filled with
``str.format`` where it is used (the field names are part of the catalogue: keep them).
Formatting uses the core's own markup (``bot/markup.py``), so no platform syntax appears here.
Sections follow the feature that speaks; add a new feature's words under its own heading.
"""

from __future__ import annotations

from bot.markup import code

# --- errors any command can give ------------------------------------------------------------

OOPS = "Sorry, something went wrong on my side and nothing was saved. Please try again."
STALE_BUTTON = "That button is out of date. Run the command again."
SETUP_HINT = code("/moments setup")

# --- Teams home and journey editor ---------------------------------------------------------
# (handlers/teams/home.py, handlers/teams/journey_card.py, handlers/teams/listeners/forms.py)

HOME_TITLE = "{team}: your Moments"
HOME_WELCOME_TITLE = "Welcome to Moments 👋"
HOME_WELCOME = ("Tell me what delighted a customer with " + code("wow …") + " (credit a colleague "
                "with @name) and what let one down with " + code("ow …") + " (blameless). On any "
                "message, ⋯ → More actions → Log as a moment. Once you log a moment in a team's "
                "channel, your team's week shows up here.")
HOME_MINE = "Your recent moments"
HOME_NO_MOMENTS = "You haven't logged a moment yet. Try " + code("wow …") + " or " + code("ow …") + "."
HOME_NOT_FILED = "not filed"
HOME_THANKED = "Colleagues thanked you 🌟"
HOME_PROMPT = "This week's question: how could we turn these OWs into WOWs?"
HOME_PROMPT_STATE = "{proposals} so far · voting closes {closes}."
HOME_PROPOSALS = ("No proposals", "1 proposal", "{count} proposals")  # none, one, more
HOME_WEEK_ROW = "{wows} WOW · {ows} OW"
HOME_WEEK = "The team's week, {week}: 🌟 {wows} WOW · 🩹 {ows} OW"
HOME_WEEK_QUIET = "No moments this week or last."
HOME_UNFILED = "❔ {count} moment(s) not filed on a touchpoint yet."
HOME_STANDARDS = "Our service standards"
HOME_MORE = "…and {count} more: {command} shows them all."
HOME_FOOTER = code("moments help") + " lists everything Moments can do; " + code("home") + \
    " shows this again."
HOME_IN_CHANNEL = ("Your home shows your own moments and thanks, so it lives in your personal "
                   "chat with me: open it and type " + code("home") + ".")
HOME_REFRESH = "🔄 Refresh"
HOME_OPEN_PROMPT = "🗳️ Vote or propose"
HOME_OPEN_DIGEST = "📊 The full digest"

JOURNEY_TITLE = "{team}: customer journey ({template})"
JOURNEY_INTRO = ("Rename a touchpoint, retire it (its moments and standards stay in the history) "
                 "or add one at the end, then Save. ↑ and ↓ move a touchpoint at once.")
JOURNEY_PAGE = ("Touchpoints {first}–{last} of {total}. Save this page's changes before you "
                "turn the page.")
JOURNEY_RETIRE = "Retire"
JOURNEY_UP = "↑"
JOURNEY_DOWN = "↓"
JOURNEY_NAME_ERROR = "Give it a name, or retire it."
JOURNEY_ADD = "Add a touchpoint"
JOURNEY_ADD_SLUG = "Id: lowercase letters, digits and hyphens; people tag moments with it (#bag-drop)"
JOURNEY_ADD_NAME = "Name (empty: made from the id)"
JOURNEY_ADD_SLUG_EXAMPLE = "bag-drop"
JOURNEY_ADD_NAME_EXAMPLE = "Bag drop"
JOURNEY_ADD_NEEDS_SLUG = "Give the new touchpoint an id too, e.g. " + code("bag-drop") + "."
JOURNEY_SAVE = "💾 Save"
JOURNEY_EDIT = "✏️ Edit touchpoints"  # under the journey a lead lists with `moments touchpoints`
JOURNEY_PREVIOUS = "‹ Previous"
JOURNEY_NEXT = "Next ›"
JOURNEY_OTHER_TEAM = ("This journey card is another team's, or out of date. Type " + code("journey") +
                      " in the team's channel for a fresh one.")
MANIFEST_HOME = "Your moments, colleagues' thanks, the team's week, this week's question, our standards"
MANIFEST_JOURNEY = "Leads: edit the team's touchpoints in a form (rename, retire, move, add)"
