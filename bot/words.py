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
NO_SUCH_COMMAND = "I don't know the command {command}. Try " + code("/moments help") + "."
NO_SUCH_SUBCOMMAND = "I don't know {typed}. " + code("/moments help") + " lists what I can do."

# --- teams, roles and who may do what --------------------------------------------------------

NO_TEAM = (
    "This channel has no Moments team yet. A lead sets one up with "
    + code('/moments setup name="Gate crew" template=airline tz=Europe/Stockholm') + " "
    "(templates: airline, hotel, restaurant, retail, clinic)."
)
TEAM_GONE = "That team doesn't exist (any more). Run " + code("/moments setup") + " in its channel."
ONLY_INSIDERS = ("People from a partner organisation can't {doing} here; "
                 "ask someone from the team's own workspace.")
ONLY_LEADS = ("Only the team's leads and workspace admins can {doing}. "
              "Ask an admin to add you with " + code("/moments leads add @you") + ".")
ONLY_ADMINS = "Only workspace admins can {doing}."

# what the person was doing, for ONLY_INSIDERS / ONLY_LEADS / ONLY_ADMINS / ONLY_REPORTER
DOING_SET_UP_TEAM = "set up a team"
DOING_CHANGE_SETTINGS = "change the team's settings"
DOING_CHANGE_LEADS = "change who leads the team"
DOING_EDIT_TOUCHPOINTS = "edit the touchpoints"
DOING_RUN_CYCLE = "run the weekly cycle by hand"
DOING_CLOSE_VOTE = "close the vote"
DOING_ADOPT = "adopt a service standard"
DOING_EXPORT = "export the team's moments"
DOING_CHANGE_PATTERNS = "change the workspace's redaction patterns"
DOING_OTHERS_DATA = "export or delete another person's data"

# --- setting up a team and its journey -------------------------------------------------------

TEAM_EXISTS = "This channel already has a team. " + code("/moments setup") + " changes it."
NOT_A_DAY = "“{day}” is not a day. Quiet days look like " + code("quiet=sat,sun") + "."
BAD_BASIC_AFTER = "basic-after is a number of weeks between 1 and 520."
BAD_FOCUS = "focus is how many touchpoints a prompt asks about: 1 to 5."
BAD_TOUCHPOINT_ID = ("“{slug}” can't be a touchpoint id: use lowercase letters, digits and hyphens, "
                     "e.g. " + code("lounge") + " or " + code("bag-drop") + ".")
BAD_TOUCHPOINT_ID_SHORT = "“{slug}” can't be a touchpoint id (a-z, 0-9 and -)."
TOUCHPOINT_EXISTS_MAYBE_RETIRED = ("#{slug} already exists (it may be retired: "
                                   + code("/moments touchpoints") + ").")
TOUCHPOINT_EXISTS = "#{slug} already exists."
GIVE_NEW_NAME = "Give the new name, e.g. " + code("/moments touchpoints rename check-in Bag drop") + "."
LAST_TOUCHPOINT = "A journey needs at least one touchpoint; add another first."
PICK_A_PLACE = "Pick a place between 1 and {count}."
UNKNOWN_TOUCHPOINT = "I don't know the touchpoint “{key}”. This team's touchpoints: {names}."

# --- reporting moments -----------------------------------------------------------------------

MOMENT = "moment"  # what TOO_LONG calls a moment
EXAMPLE_MOMENT = "/{kind} the gate agent found a seat for my family"
EXAMPLE_EDIT = "/moments edit {moment_id} new text"
SAY_WHAT_HAPPENED = "Tell me what happened, for example: {example}."
SAY_WHAT_AS_WELL_AS_WHERE = "Tell me what happened as well as where, e.g. {example}."
TOO_LONG = ("That {what} is {length:,} characters long; the limit is {limit:,}. "
            "Please shorten it and send it again.")
PERSONAL_DATA_REMOVED = "🔒 I removed personal data ({kinds}) before saving; customers' details stay out."
A_WORKSPACE_PATTERN = "a workspace pattern"  # a kind in PERSONAL_DATA_REMOVED
OWS_ARE_BLAMELESS = "OWs are blameless: I filed it on the touchpoint, without names."
NO_SUCH_OWN_MOMENT = "I can't find moment {moment_id}. " + code("/moments mine") + " lists yours."
ONLY_REPORTER = "Only the person who reported moment {moment_id} can {doing} it."
DOING_EDIT = "edit"
DOING_RETRACT = "retract"
NOTHING_TO_RETRACT = "You have no moments to retract."
NO_SUCH_MOMENT = "There is no moment {moment_id}."

# --- the weekly cycle: priorities, prompt, proposals, vote, standards ------------------------

OWS_THIS_WEEK = "{count} OW this week"
OWS_THIS_WEEK_PLURAL = "{count} OWs this week"
UP_FROM = ", up from {before}"
DOWN_FROM = ", down from {before}"
SAME_AS_LAST_WEEK = ", same as last week"
PRIORITY_REASON = "{touchpoint}: {ows}{trend}"
SHARE_OF_OWS = "{share:.0%} of its moments in four weeks were OWs"
TURNED_BASIC = "its standard turned basic: customers expect it now, time for fresh ideas"
FOCUS_OWS = "{count} OW in the four weeks before"
FOCUS_OWS_PLURAL = "{count} OWs in the four weeks before"
FOCUS_TURNED_BASIC = "; its standard turned basic, so it needs fresh ideas"
NOTHING_TO_ASK = ("No OWs in the last four weeks and no touchpoint waiting for fresh ideas, "
                  "so there is nothing to ask about yet. Log some moments first.")
NO_PROMPT_OPEN = ("There is no prompt open this week yet; it opens on schedule. "
                  "A lead can open it now with " + code("/moments prompt") + ".")
PROPOSAL_TOO_LONG = "Keep a proposal under {limit:,} characters."
NO_SUCH_PROPOSAL = "There is no proposal {proposal_id}."
NO_SUCH_PROMPT = "There is no prompt {prompt_id}."
VOTING_CLOSED = "Voting and proposals for {week} have closed."
ALREADY_ADOPTED = "That proposal is already a service standard."
UNFILED = "Not filed yet"  # the touchpoint of a moment not filed yet

# --- posts the scheduler sends ---------------------------------------------------------------

POST_LABELS = {"prompt": "prompt", "votes_closed": "vote result", "digest": "digest"}
POST_LATE = "This {post} is late: the bot was offline on {due:%A} at {due:%H:%M}, when it was due."
ALREADY_OUT = ("This week's posts are already out, or another lead's " + code("/moments week")
               + " is sending them right now.")

# --- personal data: redaction patterns, export, erasure, retention ---------------------------

WHICH_PATTERN_TO_ADD = "Which pattern? For example: {example}."
TOO_MANY_PATTERNS = ("This workspace has {count} patterns, the most it can "
                     "have. Remove one with " + code("/moments redact remove NUMBER") + " first.")
WHICH_PATTERN_TO_REMOVE = ("Which pattern? Give it as written or its number from "
                           + code("/moments redact list") + ".")
NO_SUCH_PATTERN = ("This workspace has no pattern {pattern}. " + code("/moments redact list")
                   + " shows them with their numbers.")
BAD_RETENTION = "Retention is a whole number of months, 1 or more."
WHOSE_DATA = "Whose data? Name them, e.g. " + code("/moments privacy export @maria") + "."
