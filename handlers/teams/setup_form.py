"""The setup form as an Adaptive Card: team name, journey and timezone, prefilled with the core's
guesses (``SetupOffer``), so "Set up" needs no typing. Drawn under the bot's welcome and under a
moment kept before setup; its submit (``listeners/setup.py``) sets the conversation up as
``/moments setup`` does."""

from __future__ import annotations

from bot import words
from bot.views import SET_UP, Action, Reply, SetupOffer
from handlers.teams import cards, ids


def setup_card(reply: Reply, offer: SetupOffer) -> cards.Card:
    """The reply's words, then the form; the submit carries the core's "set up" action."""
    body = [
        *cards.lines(cards.markdown(reply.text)),
        {"type": "Input.Text", "id": ids.SETUP_NAME, "label": words.FIRST_FORM_NAME,
         "value": offer.name[:80], "maxLength": 80, "isRequired": True,
         "errorMessage": words.FIRST_FORM_NAME_MISSING},
        {"type": "Input.ChoiceSet", "id": ids.SETUP_TEMPLATE, "label": words.FIRST_FORM_TEMPLATE,
         "style": "compact", "value": offer.template, "isRequired": True,
         "choices": [{"title": name.title(), "value": name} for name in offer.templates]},
        {"type": "Input.Text", "id": ids.SETUP_TIMEZONE, "label": words.FIRST_FORM_TIMEZONE,
         "value": offer.timezone, "maxLength": 64},
    ]
    return cards.card(body, [cards.submit(words.FIRST_FORM_SUBMIT, Action.of(SET_UP), inputs="auto")])
