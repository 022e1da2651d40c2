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
