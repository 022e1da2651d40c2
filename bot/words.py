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

# --- First five minutes: the welcome, moments kept before setup, a person's own team ----------

FIRST_DEFAULT_TEAM_NAME = "Our team"
FIRST_SET_UP_BUTTON = "Set up this channel"
FIRST_WELCOME = (
    "👋 Hi, I'm Moments. I help this team turn customers' moments of truth into better service: "
    "log a WOW when a customer was delighted ({wow}) and an OW when one was let down ({ow}). "
    "Each week I show where it hurts most, you propose and vote, and a lead adopts a service "
    "standard.")
FIRST_WELCOME_SET_UP = (
    "Set this channel up in one click (I guessed the settings: {name}, {template} journey, "
    "{timezone}); whoever does becomes the team's lead.")
FIRST_KEPT_CHANNEL = (
    "💾 Saved: your {kind} is waiting here, as this channel has no Moments team yet. Anyone can "
    "set it up with the button below or {setup} (whoever does becomes its lead); then it is filed "
    "into the new team. If nobody does within {days} days, it is deleted.")
FIRST_KEPT_REACTION = (
    "💾 Saved: your {kind} reaction is waiting, as this channel has no Moments team yet. Anyone "
    "can set it up with the button below or {setup} (whoever does becomes its lead); then it is "
    "filed. If nobody does within {days} days, it is deleted.")
FIRST_KEPT_CHOOSE = (
    "💾 Saved. You're in more than one Moments team: which one is this for? I'll remember your "
    "choice for next time ({command} changes it). It waits {days} days for your answer.")
FIRST_KEPT_PICK = (
    "💾 Saved, and waiting: you're not in a Moments team yet. If yours is below, pick it (I'll "
    "remember it; {command} changes it). If it isn't, invite me to your team's channel and "
    "press Set up there (or type {setup}). Your moment goes to the first team you pick or set "
    "up; it is deleted if there is none within {days} days.")
FIRST_KEPT_NO_TEAMS = (
    "💾 Saved, and waiting: there is no Moments team in this workspace yet. A team lives in its "
    "channel: invite me to your team's channel and press Set up there (or type {setup}). Your "
    "moment goes to the first team you set up; it is deleted if there is none within {days} "
    "days.")
FIRST_KEPT_AGAIN = "(I had kept this one already.)"
FIRST_FILED_HEAD = "Filed {count} moment(s) that were waiting:"
FIRST_FILED_ITEM = "{who}'s {kind} (#{id})"
FIRST_FILED_ITEM_UNREAD = "{who}'s {kind} reaction (#{id}; its message is read shortly)"
FIRST_SET_UP_FOR = "Set up by {who}."
FIRST_TEAM_CHOSEN = "From now on, what you report to me here goes to {team}."
FIRST_TEAM_NOW = "What you report to me here goes to {team}. Another team?"
FIRST_TEAM_PICK = "Which team should what you report to me here go to?"
FIRST_TEAM_NOT_IN = (
    "You're not in a Moments team yet. If yours is below, pick it; if it isn't, invite me to "
    "your team's channel and press Set up there (or type {setup}).")
FIRST_TEAM_NONE = (
    "There is no Moments team in this workspace yet. Invite me to your team's channel and press "
    "Set up there (or type {setup}).")
FIRST_TEAM_UNKNOWN = "I don't know the team “{name}”. Pick one with the buttons: {command}."
FIRST_PICK_TEAM_PRIVATE = (
    "You're in more than one Moments team; tell me which one you mean here with {command}.")
FIRST_TEAM_HELP = "the team what you tell me in private goes to"
FIRST_FORM_NAME = "Team name"
FIRST_FORM_TEMPLATE = "Customer journey"
FIRST_FORM_TIMEZONE = "Timezone (IANA name, e.g. Europe/Stockholm)"
FIRST_FORM_SUBMIT = "Set up"
FIRST_FORM_NAME_MISSING = "Give the team a name in the form, then press Set up again."
FIRST_SETUP_IN_CHANNEL = (
    "Set up the team in its channel (or group chat), with {setup} or the button there: the team "
    "lives there.")
FIRST_TEAM_GONE = "That team doesn't exist (any more). Pick another one with {command}."
FIRST_CONSOLE_WHICH_CHANNEL = "Which channel? {example} (letters, digits, - and _)."
FIRST_CONSOLE_MOVED = "You are now in #{name}."
