"""The kind a cold filer (no confirmations yet) reads in a sentence: contrast, wishes, word forms.

Every sentence here is invented; none comes from the development data.
"""

from __future__ import annotations

import pytest

from bot.domain import MomentKind
from bot.filing import KeywordFiler

WOW, OW = MomentKind.WOW, MomentKind.OW


def _kind(text: str) -> MomentKind | None:
    return KeywordFiler().guess(text, []).kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # what follows "but" decides
        ("the room was a bit small but the staff were wonderful", WOW),
        ("the receptionist was friendly but we waited an hour", OW),
        ("lovely lobby, however the shower was broken", OW),
        ("pricey, but worth every penny", WOW),
        # a concession counts half up to the end of its clause
        ("although the queue was long, the nurse was amazing", WOW),
        ("although the waiter was polite, our order was wrong and cold", OW),
    ],
)
def test_the_clause_after_a_contrast_decides(text: str, kind: MomentKind) -> None:
    assert _kind(text) is kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # praise wished for is praise not given
        ("it would be nice if someone answered the phone", OW),
        ("I wish the checkout page was easier", OW),
        ("your staff should be more helpful at the desk", OW),
        ("the clinic could be a lot friendlier", OW),
        ("I need a clean towel in room 12", OW),
        # ... unless the clause states an intention, or is negated
        ("I would highly recommend this pharmacy", WOW),
        ("we would definitely come back", WOW),
        ("I want to thank the night porter", WOW),
        ("the staff could not have been nicer", WOW),
        # a habit in the past is no wish
        ("the barista would always remember our order, lovely", WOW),
    ],
)
def test_a_wish_is_not_praise(text: str, kind: MomentKind) -> None:
    assert _kind(text) is kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("please fix your booking page", None),
        ("the technician fixed it in ten minutes", WOW),
        ("can you upgrade my seat", None),
        ("they upgraded us to a suite", WOW),
        ("nobody at customer care picks up", OW),
        ("such a caring team on the ward", WOW),
        ("you don't care about your guests", OW),
    ],
)
def test_praise_in_a_participle_is_not_in_its_plain_word(text: str,
                                                         kind: MomentKind | None) -> None:
    """ "fixed" reports a repair, "fix" asks for one; "caring" is praise, "care" a department."""
    if kind is None:
        assert _kind(text) is not WOW  # a request: no praise read into it
    else:
        assert _kind(text) is kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I can't imagine a friendlier front desk", WOW),
        ("never had better care at a clinic", WOW),
        ("the pharmacist could not have been more helpful", WOW),
        ("the second visit wasn't any better", OW),
        ("the new menu is not better", OW),
    ],
)
def test_praise_that_could_not_be_bettered(text: str, kind: MomentKind) -> None:
    assert _kind(text) is kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a word of blame as a degree adverb before praise
        ("the soup was ridiculously good", WOW),
        ("checkout was insanely fast", WOW),
        # "zero" negates as "no" does
        ("zero help from the front desk", OW),
        # a clause that opens with a recommendation or a warning
        ("Try the lamb. Order the cheesecake too", WOW),
        ("Skip the breakfast buffet", OW),
        # idioms of praise and of warning
        ("the massage was out of this world", WOW),
        ("hats off to the night nurse", WOW),
        ("don't miss the rooftop bar", WOW),
        ("stay away from this garage", OW),
        ("their booking app is trash", OW),
    ],
)
def test_degree_words_imperatives_and_idioms(text: str, kind: MomentKind) -> None:
    assert _kind(text) is kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("the pharmacist was very profesional", WOW),
        ("our guide was so freindly", WOW),
        ("the handover was dissapointing", OW),
        # real words one letter from a cue are not taken for it
        ("they are closing the branch at six", None),
        ("a question relating to my invoice", None),
        ("can I upgrade my room", None),
        ("the porter was carrying our cases", None),
    ],
)
def test_a_cue_misspelt_by_one_slip_still_counts(text: str, kind: MomentKind | None) -> None:
    assert _kind(text) is kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I have never been treated so rudely", OW),
        ("never had such a warm welcome at a hotel", WOW),
        ("we never got our room keys", OW),
    ],
)
def test_never_of_the_unheard_of_negates_nothing(text: str, kind: MomentKind) -> None:
    assert _kind(text) is kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a downtoner halves the cue after it
        ("the nurses were wonderful, the ward a little noisy", WOW),
        ("the dentist was kind, the surgery a bit cramped", WOW),
        # a let-down named as the circumstance of a remedy
        ("thank you for fixing my double booking mess", WOW),
        ("the crew kept us smiling during the long delay", WOW),
        ("the concierge rebooked our cancelled tour, so kind", WOW),
        # ... but not a let-down that is the business's own doing
        ("thanks for cancelling my appointment without telling me", OW),
        # negation reaches over a coordination
        ("the staff were attentive and never pushy or rude", WOW),
        # "even if" concedes
        ("even if the lift was slow, the room was lovely", WOW),
        # idioms of praise
        ("the portion was just right", WOW),
        ("keep it up, front desk team", WOW),
    ],
)
def test_downtoners_remedies_and_coordination(text: str, kind: MomentKind) -> None:
    assert _kind(text) is kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a writer's own sarcasm marker
        ("really loving this #sarcasm", OW),
        ("really loving this", WOW),
        # asking after an update or for help is waiting on the business
        ("any update on the quote for my kitchen", OW),
        ("the quote for my kitchen", None),
        ("any help appreciated, my card was charged twice", OW),
        # what was due and not given
        ("would've appreciated a call before the visit was moved", OW),
        # idioms of the let-down
        ("my first and last stay at this resort", OW),
        ("they promised a callback tomorrow, good luck with that", OW),
        # "kind of" is a degree, not kindness
        ("what kind of clinic loses a patient's file", OW),
    ],
)
def test_sarcasm_markers_requests_and_idioms(text: str, kind: MomentKind) -> None:
    assert _kind(text) is kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Try room service breakfast", WOW),
        ("Check out the spa downstairs", WOW),
        ("stick with the house wine", WOW),
        ("skip breakfast at this hotel", OW),
        ("try again later, the line is busy", OW),
        ("check out the next morning took forever", OW),
        # idioms of a plus and a minus
        ("free parking is a real plus", WOW),
        ("the downside is the parking", OW),
        ("cocktails way over priced", OW),
        # "dated" is a let-down, a date is not
        ("perfect spot for a date night", WOW),
        ("the rooms are dated", OW),
    ],
)
def test_recommendations_pluses_and_minuses(text: str, kind: MomentKind) -> None:
    assert _kind(text) is kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I like the new self check-in kiosks", WOW),
        # repeated effort is a let-down
        ("been trying to reach the surgery since Monday", OW),
        ("I called several times about my prescription", OW),
        # thanks beside a question or a "please" are manners
        ("can someone please call me back about my refund? thanks", OW),
        ("thanks so much to the night nurse, she was wonderful", WOW),
    ],
)
def test_liking_repeated_effort_and_manners(text: str, kind: MomentKind) -> None:
    assert _kind(text) is kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("#nothappy", OW),
        ("#checkoutfail", OW),
        ("room 12 had a view of the bay #bestholidayever", WOW),
        # prose words are not taken apart
        ("the proprietor showed us the property", None),
        ("a talk about mankind at the museum", None),
    ],
)
def test_words_run_together_as_in_hashtags(text: str, kind: MomentKind | None) -> None:
    assert _kind(text) is kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("the receptionist offered little help", OW),
        ("the pharmacist gave us a little help with the forms, so kind", WOW),
        ("my card was swallowed by the machine. Help!", OW),
    ],
)
def test_scarcity_and_a_cry_for_help(text: str, kind: MomentKind) -> None:
    assert _kind(text) is kind


@pytest.mark.parametrize(
    "text",
    [
        "the new building is fully wheelchair compliant",
        "they gave me a locking cabinet for my bags",
        "the kid spilled some water on the table",
        "the nurse used two needles",
        "the waiter brought the menu",
        "my phone charger is in the car",
        "the dryer is in the laundry room",
        "we arrived earlier than planned",
    ],
)
def test_everyday_words_are_not_read_as_misspelt_or_graded_cues(text: str) -> None:
    assert _kind(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "the patient was discharged on Tuesday",
        "the doctor said the area would be tender for a few days",
        "booked my regular check-up",
    ],
)
def test_a_clinics_everyday_words_say_no_kind(text: str) -> None:
    assert _kind(text) is None
