"""Every sentence the bot says, in one place.

Replies, errors, button labels and card titles are kept here as plain strings; a translation
replaces this module's strings and nothing else. A string with ``{name}`` fields is filled with
``str.format`` where it is used (the field names are part of the catalogue: keep them).
Formatting uses the core's own markup (``bot/markup.py``), so no platform syntax appears here:
where a door shows a piece its own way (Teams' ``moments results``, the console's ``/as NAME``),
the door fills it into a field. A sentence two doors (or a door and the core) say is one entry.
Sections follow the feature that speaks; add a new feature's words under its own heading.
"""

from __future__ import annotations

from bot.markup import bold, code

# --- errors any command can give ------------------------------------------------------------

OOPS = "Sorry, something went wrong on my side and nothing was saved. Please try again."
STALE_BUTTON = "That button is out of date. Run the command again."
SETUP_HINT = code("/moments setup")
OOPS_TRY_AGAIN = "Sorry, something went wrong on my side. Please try again."  # nothing to say was saved
NO_TENANT = ("I can't tell which organisation this message comes from, so I can't act on it. "
             "Please try again from Teams.")
RESTARTED = ("Sorry, the bot restarted before it could finish your " + code("/moments") + " command. If it "
             "didn't take effect, please run it again.")
DB_DOWN = "I can't reach my database right now, so nothing was saved. Please try again in a minute."
ONE_WORKSPACE_ONLY = "This server installs into one workspace only."  # the Slack install page
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

# --- what people type that the core cannot read (times, weeks, timezones, templates) --------

UNKNOWN_TIMEZONE = ("I don't know the timezone “{name}”. Use an IANA name such as "
                    "Europe/Stockholm, America/New_York or UTC.")
NOT_A_WEEK = "“{week}” is not a week. Write it like 2026-W47."
NOT_A_WEEKLY_TIME = ("“{slot}” is not a weekly time. Write it like " + code("mon 09:00") + " or "
                     + code("fri-16:30") + ".")
NO_SUCH_TEMPLATE = "There is no journey template called {name!r}. Choose one of: {names}."
MESSAGE_CUT = ("✂️ The message was longer than a moment may be ({limit:,} characters), "
               "so I kept its beginning.")

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
# a moment's text in place of a message's (stored with the moment)
UNCHECKED = "(not kept: the text could not be checked against this workspace's redaction patterns)"
DELETED = "(the original message was deleted)"
NO_TEXT = "(no text)"
UNREADABLE = "(the message could not be read)"

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

# --- the command table and its help ----------------------------------------------------------

HELP_TITLE = bold("Moments: turn customer moments into better service")
FOR_LEADS = " (leads)"
FOR_ADMINS = " (admins)"
# each command: what follows its name in the help, and what it does
COMMAND_HELP: dict[str, tuple[str, str]] = {
    "/wow": ("what delighted a customer",
             "credit a colleague with @name, tag a touchpoint with #slug"),
    "/ow": ("what let a customer down",
            "blameless: it belongs to a touchpoint, never to a person"),
    "mine": ("", "your recent moments"),
    "edit": ("ID text", "reword one of your moments"),
    "retract": ("[ID]", "take back one of your moments (your last one)"),
    "file": ("ID touchpoint", "move a moment to another touchpoint (or " + code("none") + ")"),
    "priorities": ("", "step 1: where it hurts most now"),
    "prompt": ("", "step 2: this week's question (leads open it early)"),
    "propose": ("[#touchpoint] [anon] text", "answer this week's question"),
    "vote": ("ID", "step 3: “this would delight”"),
    "results": ("", "the votes so far"),
    "close": ("", "close this week's vote"),
    "adopt": ("ID [wording]", "step 4: make a proposal the service standard"),
    "standards": ("", "what we do; step 5 turns old ones basic and asks for fresh ideas"),
    "stats": ("", "this week's WOWs and OWs, only for you"),
    "digest": ("[2026-W47]", "the weekly digest"),
    "week": ("", "run the weekly cycle now"),
    "export": ("", "the team's moments as a CSV file, sent only to you"),
    "setup": ("name=… template=airline tz=Europe/Stockholm basic-after=12 focus=2",
              "set up this channel's team (in Slack, on its own it opens a form)"),
    "touchpoints": ("[add|rename|retire|move …]",
                    "the customer journey; leads change it (" + code("edit") + " opens a form)"),
    "team": ("[NAME]", "the team what you tell me in private goes to"),
    "leads": ("[add|remove @name]", "who leads the team; leads change it"),
    "forget-me": ("", "erase what Moments keeps about you"),
    "org": ("setup #channel | digest [2026-W47] | off",
            "the organisation channel: every team's week side by side"),
    "privacy": ("export|delete @name", "a person's data"),
    "redact": ("list|add|remove …", "your workspace's own personal-data patterns; admins change them"),
}

# --- commands: what they answer --------------------------------------------------------------

WHICH_NUMBER = "Which {what}? Give its number, e.g. {example}."
PROPOSAL = "proposal"  # the thing WHICH_NUMBER and TOO_LONG ask about
STANDARD = "standard"  # what TOO_LONG calls a lead's own wording of a standard
EXAMPLE_PROPOSE = "/moments propose Greet every guest by name"
EXAMPLE_EDIT_ID = "/moments edit 12 the new text"
EXAMPLE_FILE_ID = "/moments file 12 check-in"
EXAMPLE_RETRACT_ID = "/moments retract 12"
EXAMPLE_VOTE_ID = "/moments vote 3"
EXAMPLE_ADOPT_ID = "/moments adopt 3"
SETUP_NOT_KEY_VALUE = ("I read setup options as key=value; “{word}” isn't one. "
                       "Example: " + code('/moments setup name="Gate crew" template=airline') + ".")
UNKNOWN_SETUP_OPTION = ("Unknown setup option {option}. Options: name, template, tz, "
                        "basic-after, focus, prompt, close, digest, quiet.")
NO_SUCH_JOURNEY = "There is no “{template}” journey. Templates: {templates}."
TEAM_KEEPS_JOURNEY = ("This channel's team already follows the {template} journey, "
                      "and a team keeps its journey: edit it with " + code("/moments touchpoints")
                      + ", or set up a new team in another channel.")
NOT_A_WHOLE_NUMBER = "{name} must be a whole number."
USAGE_TOUCHPOINTS = ("Usage: " + code("/moments touchpoints [add SLUG Name | rename SLUG New name | "
                                      "retire SLUG | move SLUG PLACE]") + ".")
LEADS_OF = "Leads of {team}: {names}."
NO_LEADS_YET = "nobody yet (admins can act)"
NO_LEADS = "none"
USAGE_LEADS = ("Usage: " + code("/moments leads add @name") + " or "
               + code("/moments leads remove @name") + ".")
USAGE_FILE = "Usage: " + code("/moments file ID touchpoint") + " (or " + code("none") + ")."
TYPE_YOUR_IDEA = "Type your idea: " + code("/moments propose [#touchpoint] [anon] what we could do") + "."
NO_OPEN_PROMPT = "There is no open prompt to answer. " + code("/moments prompt") + " shows this week's."
ANONYMOUSLY = "anonymously"
BY_PERSON = "by {name}"
PROPOSAL_ADDED = "💡 Proposal {proposal_id} added {who}. Colleagues can vote with {vote}."
MOMENT_RETRACTED = "Moment #{moment_id} retracted. It no longer counts anywhere."
VOTES_NOW = "{count} vote now"
VOTES_NOW_PLURAL = "{count} votes now"
ALREADY_VOTED = "You already voted for proposal {proposal_id} ({votes}). One vote each."
VOTE_COUNTS = "👍 Your “would delight” vote for proposal {proposal_id} counts ({votes})."
NO_PROMPT_YET = "There hasn't been a prompt yet. " + code("/moments prompt") + " opens one."
NO_OPEN_VOTE = "There is no open vote to close."
NOTHING_TO_POST = "Nothing to post this week."

# --- forgetting a person, and a person's data ------------------------------------------------

ERASED_KINDS = {"moments": "moments", "credits": "credits", "votes": "votes", "proposals": "proposals",
                "standards": "standards"}
ERASED_COUNT = "{count} {kind}"
NOTHING_STORED = "nothing was stored about you"
ERASED = "{head} Removed or anonymised: {detail}. Standards your team adopted stay, without your name."
FORGOTTEN = "Done: I have forgotten you."
FORGET_ME_WARNING = ("This deletes every moment you reported and your votes, and takes your name off "
                     "credits, proposals and standards in this workspace. It cannot be undone. "
                     "Confirm with " + code("/moments forget-me confirm") + " or the button.")
FORGET_ME_BUTTON = "Yes, forget me"
STORED_ABOUT = "Everything Moments stores about {user_id}:\n"
USAGE_PRIVACY = ("Usage: " + code("/moments privacy export @name") + " or "
                 + code("/moments privacy delete @name") + ".")
PERSON_ERASED = "Done: {person}'s data is erased."

# --- the workspace's redaction patterns ------------------------------------------------------

NO_PATTERNS = ("This workspace has no redaction patterns of its own yet; emails, phone "
               "numbers, card numbers and booking references are always redacted. "
               "Admins add one with {example}.")
PATTERN_LINE = "{number}. {pattern}"
PATTERNS = ("Redacted from new moments and proposals as well as emails, phones, cards "
            "and booking references:\n{lines}\nAdmins: " + code("/moments redact remove NUMBER") + ".")
PATTERN_KNOWN = "{pattern} is already one of this workspace's patterns; nothing changed."
PATTERN_ADDED = ("🔒 Added {pattern}: from now on it is replaced with "
                 "[redacted] in new and edited moments and proposals. Moments already "
                 "stored stay as they are.")
PATTERN_REMOVED = "Removed {pattern}; new moments are no longer redacted with it."
USAGE_REDACT = ("Usage: " + code("/moments redact list") + ", admins: " + code("/moments redact add PATTERN")
                + " or " + code("/moments redact remove PATTERN-or-NUMBER") + ".")

# --- a workspace's own redaction patterns: why one can't be used (bot/redact.py) -------------

PATTERN_TIMED_OUT = ("I couldn't check this text against the workspace's own redaction patterns in "
                     "time, so nothing was saved. An admin may need to simplify a pattern "
                     "(" + code("/moments redact list") + ").")
MAKE_PATTERN_SPECIFIC = "Make it specific to the data, e.g. {example} for employee numbers."
PATTERN_TOO_LONG = "That pattern is {length:,} characters long; keep it to {limit} or fewer."
PATTERN_BACKTICK = "A pattern can't contain a backtick or a line break."
PATTERN_INVALID = ("{pattern} isn't a valid pattern ({error}). Patterns are Python regular "
                   "expressions, e.g. {example}.")
PATTERN_NESTED_REPEAT = ("{pattern} repeats something that itself repeats, which can make "
                         "checking a long moment very slow. Write it without a repeat inside a "
                         "repeat, e.g. " + code("(ab)+") + " rather than " + code("(a+b)+") + ".")
PATTERN_SLOW = "{pattern} takes too long on text that nearly matches it, which would stall the bot. {advice}"
PATTERN_MATCHES_EMPTY = "{pattern} matches empty text, so it would match everywhere. {advice}"
PATTERN_MATCHES_SINGLE = ("{pattern} matches a single letter, digit or space, so it would "
                          "redact ordinary words. {advice}")
PATTERN_MATCHES_ORDINARY = ("{pattern} matches ordinary text ({sample}), so it would redact far too "
                            "much. {advice}")

# --- replies about moments (bot/text.py) -----------------------------------------------------

WOW_LABEL = "🌟 WOW"
OW_LABEL = "🩹 OW"
ALREADY_LOGGED = "{kind} #{moment_id} is already logged: “{text}”"
LOGGED = "{kind} #{moment_id} logged: “{text}”"
CREDITED = "Credited: {names} — thank you!"
FILED_HOW_NAMED = "you named it"
FILED_HOW_SURE = "{confidence:.0%} sure"
FILED_HOW_CHOSEN = "as you chose"
FILED_UNDER = "Filed under {touchpoint} ({how})."
WRONG_PLACE = "Wrong place? {command} moves it."
WHICH_TOUCHPOINT = "Which touchpoint was it? Pick one:"
NONE_OF_THESE = "None of these"
LEFT_UNFILED = "Left unfiled. " + code("/moments file ID <touchpoint>") + " files it later."
STAYS_UNFILED = "Moment #{moment_id} stays unfiled. Thanks for saying so."
REFILED = "Moment #{moment_id} filed under {touchpoint}. Thanks, I'll learn from it."
ME_TOO_COUNTED = "➕ Your “me too” is on moment #{moment_id}."
NO_MOMENTS_YET = ("You haven't logged any moments here yet. Try " + code("/wow") + " or "
                  + code("/ow") + ".")
YOUR_RECENT_MOMENTS = "Your recent moments"
NOT_FILED = "not filed"
MINE_LINE = "#{moment_id} {kind} {where}: {text}"

# --- the weekly cycle's posts (bot/text.py) --------------------------------------------------

NO_OWS_KEEP_GOING = "{team}: no OWs in the last four weeks. Keep the WOWs coming!"
WHERE_IT_HURTS = "{team}: where it hurts most now"
PROMPT_TITLE = "{team}, week {week}: how could we turn these OWs into WOWs?"
VOTING_STATE_CLOSED = "closed"
VOTING_STATE_CLOSES = "closes {when}"
PROPOSE_HINT = ("Propose a response with " + code("/moments propose [#touchpoint] [anon] text")
                + ". Voting {state}.")
PROPOSALS = "Proposals"
PROPOSALS_HINT = "{proposals} (vote for each one that would delight a customer):"
ANONYMOUS = "anonymous"
ADOPTED_MARK = " ✅ adopted"
VOTES = "{count} vote"
VOTES_PLURAL = "{count} votes"
VOTE_BUTTON = "Vote: {text}"
ADOPT_BUTTON = "Adopt: {text}"
PROPOSE_BUTTON = "💡 Propose a response"
PROPOSAL_RECEIVED = ("✍️ Thanks! Your proposal [{proposal_id}] is in{how}; the team can vote on it "
                     "until the vote closes.")
PROPOSAL_RECEIVED_ANONYMOUSLY = " anonymously"
VOTING_CLOSED_FOR = "Voting closed for {week}."
NO_PROPOSALS = "No proposals this time. The same touchpoints stay in focus."
LEAD_CAN_ADOPT = "A lead can adopt the winner as a service standard."
NEW_STANDARD = ("📏 New service standard at {touchpoint}: {text} "
                "(adopted by {adopted_by}). Everyone follows it from today.")
NO_STANDARDS = "{team} has no service standards yet. They come from the weekly vote."
STANDARDS_TITLE = "{team}: service standards"
LEVEL_DELIGHT = "delight"
LEVEL_BASIC = "basic (customers expect it)"
STANDARD_LINE = "{touchpoint}: {text} — {level}, since {since:%d %b %Y}"

# --- the weekly digest (bot/text.py) ---------------------------------------------------------

DIGEST_TITLE = "{team}: weekly digest, {week}"
DIGEST_COUNTS = "🌟 {wows} WOW · 🩹 {ows} OW"
NEW_STANDARDS = "New service standards"
NEW_STANDARD_LINE = "{touchpoint}: {text} (adopted by {adopted_by})"
BY_TOUCHPOINT = "WOW / OW by touchpoint"
BY_TOUCHPOINT_HINT = "{title} (change from last week)"
NO_MOMENTS_TWO_WEEKS = "No moments this week or last."
NOT_FILED_YET = "❔ {count} moment(s) not filed yet."
SHOUT_OUTS = "Shout-outs"
ME_TOO_EXTRA = " (+{count} me too)"
SHOUT_OUT_LINE = "{who}: “{text}” — reported by {reporter}{extra}"
STANDARDS_HELPED = "Did our standards help?"
STANDARDS_HELPED_HINT = "{title} (share of OWs at the touchpoint, before → since)"
NOW_BASIC = "Now basic: customers expect these; fresh ideas wanted"
TOUCHPOINT_WEEK = "{touchpoint}: {wows} WOW ({wows_change}), {ows} OW ({ows_change})"
NO_MOMENTS = "no moments"
SHARE_OF = "{share:.0%} of {count}"

# --- the journey and team settings (bot/text.py) ---------------------------------------------

JOURNEY_TITLE = "{team}: customer journey ({template})"
FRESH_IDEAS_WANTED = " — fresh ideas wanted"
RETIRED_LIST = "Retired: {touchpoints}"
TOUCHPOINT_ADDED = "Added touchpoint {name} #{slug} at the end of the journey."
TOUCHPOINT_RENAMED = "#{slug} is now called {name}. Its history stays."
TOUCHPOINT_RETIRED = "Retired {name}. New moments won't be filed there; its history stays."
TEAM_SET_UP = "Team set up"
SETTINGS_SAVED = "Settings saved"
QUIET_ON = ", quiet on {days}"
SETTINGS = ("{head}: {team} — {template} journey, timezone {timezone}, "
            "standards turn basic after {basic_after} weeks, "
            "{focus} focus touchpoint(s) a week; prompt {prompt_at}, votes close "
            "{votes_close_at}, digest {digest_at}{quiet}. "
            + code("/moments touchpoints") + " shows the journey.")

# --- exporting the team's moments ------------------------------------------------------------

EXPORTED = ("📄 {team}: {count} moment as a CSV file ({filename}). The text is as stored, already "
            "redacted; only WOWs name the colleagues they credit.")
EXPORTED_PLURAL = ("📄 {team}: {count} moments as a CSV file ({filename}). The text is as stored, "
                   "already redacted; only WOWs name the colleagues they credit.")
EXPORT_WRITTEN = "Written to "
EXPORT_DOWNLOAD = "Download the CSV"
EXPORT_NO_LINK = ("I can't offer the file here: this server has no public address for downloads "
                  "(MOMENTS_PUBLIC_URL). Ask whoever runs Moments to set it.")
EXPORT_EXPIRES = "The link works for {minutes} minutes and is yours: don't pass it on."
EXPORT_LINK_EXPIRED = "This export link is out of date. Run /moments export again."  # a web page: plain
EXPORT_PERSONAL_ONLY = ("The export is yours alone, so I send it in our personal chat only: "
                        "ask me there with " + code("/moments export") + ".")

# --- forms and cards the doors draw (Slack modals and blocks, Teams cards) -------------------

CANCEL = "Cancel"
SAVE = "Save"
KIND = "Kind"
WOW_OPTION = "🌟 WOW: a customer was delighted"
OW_OPTION = "🩹 OW: a customer was let down"
WHAT_HAPPENED = "What happened"
TOUCHPOINT = "Touchpoint"
LET_MOMENTS_DECIDE = "Let Moments decide"
LEAVE_EMPTY_TO_FILE = "Leave it empty and Moments files it (and asks when unsure)."
LEAVE_EMPTY_TO_PICK = "Leave it empty and Moments picks the closest."
LOG_AS_A_MOMENT = "Log as a moment"
LOG_IT = "Log it"
TELL_US_WHAT_HAPPENED = "Tell us what happened."
KEEP_IT_UNDER = "Keep it under {limit:,} characters."
THIS_WEEKS_TOUCHPOINTS = "This week's touchpoints"
HOW_COULD_WE = "How could we turn these OWs into WOWs?"
YOUR_PROPOSAL = "Your proposal"
WHAT_NEXT_TIME = "What should we do next time?"
ANONYMOUS_LABEL = "Anonymous"
DONT_SHOW_MY_NAME = "Don't show my name"
PROPOSE_A_RESPONSE = "Propose a response"
PROPOSE = "Propose"
WRITE_A_PROPOSAL_BUTTON = "✍️ Propose a response"
WHICH_TOUCHPOINT_SHORT = "Which touchpoint?"
CHANGE_TOUCHPOINT = "Change touchpoint"
BEST_GUESSES = "Best guesses"
OTHER_TOUCHPOINTS = "Other touchpoints"
PROMPT_HEADER = "{team}, week {week}"
VOTING_CLOSED_NOW = "Voting closed."
VOTING_CLOSES = "Voting closes {when}."
VOTE_FOR_EACH = "vote for each one that would delight a customer"
WOULD_DELIGHT_BUTTON = "👍 Would delight ({votes})"
ADOPT_AS_STANDARD_BUTTON = "📏 Adopt [{proposal_id}] as standard"
VOTE_FOR_ANOTHER = "👍 Vote for another…"
ADOPT_ANOTHER = "📏 Adopt another as standard…"
MORE_PROPOSALS = "…and {count} more not shown here: " + code("/moments results") + " lists every proposal."
MORE_NOT_SHOWN = "… {count} more not shown here. {more}"
PROMPT_SHOWS_IT_ALL = code("/moments prompt") + " shows it all."
DIGEST_SHOWS_IT_ALL = code("/moments digest") + " shows it all."
HELP_LISTS_COMMANDS = code("/moments help") + " lists the commands."

# --- the team's settings and touchpoints forms (Slack) ---------------------------------------

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SLOT_HINT = "A day and a local time, e.g. mon 09:00 or fri-16:30."
TEAM_NAME = "Team name"
TEAM_NAME_EXAMPLE = "Gate crew"
CUSTOMER_JOURNEY = "Customer journey"
CUSTOMER_JOURNEY_HINT = ("The touchpoints the team starts with. A team keeps its journey; leads edit its "
                         "touchpoints later.")
TIMEZONE = "Timezone"
TIMEZONE_HINT = "An IANA name, e.g. Europe/Stockholm, America/New_York or UTC."
PROMPT_OPENS = "Weekly prompt opens"
VOTES_CLOSE = "Votes close"
WEEKLY_DIGEST = "Weekly digest"
QUIET_DAYS = "Quiet days"
QUIET_DAYS_HINT = "Nothing is posted on these days."
BASIC_AFTER = "Standards turn basic after (weeks)"
BASIC_AFTER_HINT = ("After this long a delight standard is what customers expect; "
                    "Moments asks for fresh ideas.")
FOCUS_COUNT = "Focus touchpoints a week"
FOCUS_COUNT_HINT = "How many touchpoints each weekly prompt asks about."
SET_UP_MOMENTS = "Set up Moments"
TEAM_SETTINGS = "Team settings"
SET_UP = "Set up"
WHOLE_NUMBER_FROM = "A whole number from {low} to {high}."
GIVE_TEAM_A_NAME = "Give the team a name."
PICK_ONE_OF = "Pick one of: {choices}."
EDIT_TOUCHPOINTS_INTRO = ("Rename a touchpoint, retire it (its moments and standards stay in the history), "
                          "or add a new one at the end.")
SHOWING_FIRST = "Showing the first {shown} of {total} touchpoints; {command} changes the others."
RETIRE = "Retire"
STOP_FILING_AT = "Stop filing new moments at #{slug}"
ADD_TOUCHPOINT_ID = "Add a touchpoint: id"
ADD_TOUCHPOINT_ID_HINT = "Lowercase letters, digits and hyphens; people tag moments with it (#bag-drop)."
ADD_TOUCHPOINT_NAME = "Add a touchpoint: name"
ADD_TOUCHPOINT_NAME_EXAMPLE = "Bag drop"
EDIT_TOUCHPOINTS = "Edit touchpoints"
EDIT_TOUCHPOINTS_BUTTON = "✏️ Edit touchpoints"
NAME_OR_RETIRE = "Give it a name, or tick Retire."
TOUCHPOINT_EXISTS_RETIRED = "#{slug} already exists (retired)."
NEW_TOUCHPOINT_NEEDS_ID = "Give the new touchpoint an id too, e.g. bag-drop."
NOTHING_CHANGED = "Nothing changed."
SETUP_IN_TEAM_CHANNEL = "Run {command} in the team's channel: the team lives there."

# --- Slack: App Home, shortcuts and buttons --------------------------------------------------

WELCOME_HOME = (bold("Welcome to Moments") + " 👋\nLog what delights a customer with " + code("/wow")
                + " (credit a colleague with @name) and what lets one down with " + code("/ow")
                + " (blameless). React to any message with :wow: or :ow:, or use the message shortcut "
                + bold("Log as a moment") + ". Once you log a moment in a team's channel, your team's "
                "week shows up here.")
YOUR_MOMENTS_HEADER = "{team}: your Moments"
NO_MOMENT_LOGGED_YET = "You haven't logged a moment yet. Try " + code("/wow") + " or " + code("/ow") + "."
COLLEAGUES_THANKED_YOU = "Colleagues thanked you"
HELP_LISTS_EVERYTHING = code("/moments help") + " lists everything Moments can do."
DIGEST_SHOWS_THE_WEEK = code("/moments digest") + " shows the week."
OWN_POST = ("That's one of Moments' own posts, so I can't log it as a moment. To log what happened, "
            "use " + code("/wow") + " or " + code("/ow") + ", or “Log as a moment” on a colleague's message.")
CHECK_THE_FORM = "{note} Check the form before you log it."
VOTING_ON_PROMPT_CLOSED = "Voting on that prompt has closed."

# --- Teams: cards, the message action and the greeting ---------------------------------------

MOVE_IT = "Move it"
ADOPT_AS_STANDARD = "📏 Adopt as standard"
PROPOSE_SHORT_BUTTON = "💡 Propose"
PROPOSALS_HEADING = "Proposals: " + VOTE_FOR_EACH
ADOPTED_AFTER_DOT = " · ✅ adopted"
TOUCHPOINT_WEEK_FACT = "{wows} WOW ({wows_change}) · {ows} OW ({ows_change})"
MORE_WITH_HOW = "…and {count} more: {how}."
MORE_ITEMS = "…and {count} more{rest}."
LISTS_THEM_ALL = "{command} lists them all"
VOTES_FOR_ONE = "{command} votes for one"
ADOPTS_ONE = "{command} adopts one"
TELL_US_WHAT_WE_COULD_DO = "Tell us what we could do."
TOUCHPOINT_EMPTY_PICKS = "Touchpoint (empty: Moments picks the closest)"
TOUCHPOINT_EMPTY_FILES = "Touchpoint (empty: Moments files it)"
STANDARDS_HELPED_SHORT_HINT = "{title} (share of OWs, before → since)"
CHART_ALT = "Bar chart: WOW and OW per touchpoint, {week}"
NEW_STANDARD_AT = "📏 New service standard at {touchpoint}"
ADOPTED_BY_LEVEL = "Adopted by {adopted_by} · {level}. Everyone follows it from today."
FROM_PERSONS_MESSAGE = "From {name}'s message."
FROM_A_MESSAGE = "From a message."
WOW_CREDITS_OW_BLAMELESS = (" A WOW credits its author; an OW is blameless: it goes to a touchpoint, "
                            "never to a person.")
WHAT_WAS_IT = "What was it?"
NOTHING_TO_LOG = ("There's no text in that message (only an image or a file), so there's nothing "
                  "to log. Type what happened instead: {wow} or {ow}.")
GREETING = ("Hi! Tell me about a moment of truth: {wow} when a customer was delighted (credit a "
            "colleague with @name), {ow} when one was let down. {help} lists everything.")

# --- the console (a local chat in the terminal) ----------------------------------------------

CONSOLE_HELP = ("Console extras: {as_name} switch person ({as_admin} for an admin) ·\n"
                "{wait_days} or {wait_weeks} wind the clock · {channel} move to another channel\n"
                "(one with no team yet keeps what you report until it is set up) · "
                "a number picks a choice ·\n"
                "{quit} leaves. Plain messages starting {wow} or {ow} are logged too, as in a Slack channel.")
CONSOLE_WELCOME = ("Moments console — you are {name}. Type /moments help for commands, "
                   "/help for console extras.")
CONSOLE_NOT_A_MOMENT = "I log messages that start with WOW: or OW:. Type /moments help for the commands."
CONSOLE_WHO_ARE_YOU = "Who are you? {as_name} (or {as_admin})."
CONSOLE_YOU_ARE_NOW = "You are now {name}{admin}."
CONSOLE_ADMIN = " (admin)"
CONSOLE_HOW_LONG = "How long? {wait_days} or {wait_weeks} (up to 999)."
CONSOLE_LATER = "⏩ {amount} {unit} later…"
CONSOLE_DAY = "day"
CONSOLE_DAYS = "days"
CONSOLE_WEEK = "week"
CONSOLE_WEEKS = "weeks"
CONSOLE_PICK_A_NUMBER = "Pick a number from 1 to {count}."
CONSOLE_NOTHING_TO_CHOOSE = "There is nothing to choose right now."
CONSOLE_TO_CHANNEL = "(to #{channel})"

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

# --- Organisation: the organisation channel, its weekly digest, standards that spread ---------

ORG_ADMINS_ONLY = ("Only workspace admins can {doing}. The organisation channel shows every "
                   "team's figures side by side, so an admin picks it.")
ORG_SET = ("🌍 The organisation digest goes to {channel} every week, {slot} ({timezone}): the "
           "touchpoints that hurt most across all teams of a journey, the teams side by side, and "
           "the standards adopted anywhere and how far they spread. Teams see each other's "
           "figures and standards there, never their moments or who reported them.")
ORG_INVITE = "If I'm not in that channel yet, invite me there so I can post."
ORG_NONE = ("This workspace has no organisation channel yet. An admin picks one with "
            "{command}.")
ORG_SHOWN = ("🌍 The organisation digest goes to {channel} {slot} ({timezone}), covering {teams} "
             "team(s). Next: {next}.")
ORG_PAUSED_NOTE = "It is paused: the bot could not post there. Set it up again to resume."
ORG_REMOVED = "The organisation channel is switched off; team digests go on as before."
ORG_NOTHING_TO_REMOVE = "There is no organisation channel to switch off."
ORG_USAGE = ("Usage: {setup} (in the channel, or naming it), {status}, {digest} or {off}. "
             "Options for setup: tz=Europe/Stockholm at=\"fri 17:00\".")
ORG_UNKNOWN_OPTION = "Unknown option {option}. Options for setup: tz, at."
ORG_WHICH_CHANNEL = ("Which channel? Run {command} in the organisation channel itself, or "
                     "name it.")
ORG_A_TEAM_CHANNEL = ("{channel} is the channel of the team {team}. The organisation digest "
                      "needs a channel of its own (say #all-sites), so the team's own posts "
                      "stay readable.")

ORG_DIGEST_TITLE = "{organisation}: organisation digest, {week}"
ORG_UNNAMED = "Your organisation"
ORG_JOURNEY_TITLE = "{title} journey: {teams} team(s), 🌟 {wows} WOW · 🩹 {ows} OW"
ORG_NO_TEAMS = "No teams have been set up yet."
ORG_HURTS_TITLE = "Where it hurts most across the teams"
ORG_HURTS_NONE = "No OWs this week in any team. Keep the WOWs coming!"
ORG_HURTS_LINE = "{touchpoint}: {ows} OW ({delta} on last week) in {hurting} of {teams} teams"
ORG_SIDE_TITLE = "Teams side by side (WOW / OW this week)"
ORG_SIDE_NONE = "No moments this week in any team."
ORG_SIDE_CELL = "{team} {wows}/{ows}"
ORG_SPREAD_TITLE = "Standards and how far they spread (share of OWs there, before → since)"
ORG_SPREAD_NONE = "No standards adopted yet. They come from each team's weekly vote."
ORG_SPREAD_LINE = ("{touchpoint}: {text} — first adopted by {origin}; followed by {count} of "
                   "{siblings} teams{new}")
ORG_SPREAD_NEW = "; new this week: {teams}"
ORG_SPREAD_TEAM = "{team}{first}: {before} → {since}"
ORG_SPREAD_FIRST = " (first)"
ORG_SHARE = "{share:.0%} of {n}"
ORG_NO_MOMENTS = "no moments"
ORG_MORE_TEAMS = "…and {count} more team(s) in the figures above."

CANDIDATE_BY = "🌍 {team} adopted this"
FIRST_ADOPTED = " First adopted by {team}."
CHART_TITLE = "{title} · {week}"
CHART_TEAM_AXIS = "Moments this week"
ORG_CHART_ALT = "Bar charts, one per team: WOW and OW per touchpoint, {week}"
