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
ORG_HELP = "the organisation channel: every team's week side by side"
ORG_HELP_USAGE = "setup #channel | digest [2026-W47] | off"

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
CHART_ALT = "Bar charts, one per team: WOW and OW per touchpoint, {week}"
