"""Cold-start filing of the clinic template: invented patient and staff feedback from GP
practices, dental, physio, outpatient and urgent-care clinics, each with the touchpoint a human
would file it under.

Each table was written before the keyword changes it measures, and not tuned to afterwards:
TABLE_1 before the template was enriched (original template 60/73 right, enriched 72/73);
TABLE_2 after the first round of keywords (original 23/45, first round 31/45; a second round
then fixed the general gaps it showed, e.g. stems that collided: findings/find, caring/care);
TABLE_3 after the second round (original 30/42, second round 37/42); TABLE_4 after a third
(original 24/34, third round 27/34). LEFT_OUT rows are kept in the tables for that measure but
are strict expected failures: keywords that would file them right would pull others wrong.
"""

from __future__ import annotations

import pytest

from bot.filebatch import template_touchpoints
from bot.filing import KeywordFiler
from tests.bot.template_tables import left_out_rows_test

CLINIC = template_touchpoints("clinic")

TABLE_1: list[tuple[str, str]] = [
    # booking
    ("rang at 8am on the dot and was 27th in the queue, by the time I got through all the "
     "appointments were gone", "booking"),
    ("cant get a gp appt for love nor money, 3 weeks for a routine one 🙄", "booking"),
    ("Booked online in two minutes for the next morning, so easy", "booking"),
    ("The online booking system keeps crashing when I try to pick a time", "booking"),
    ("They cancelled my physio session the night before by text and the next free one is in "
     "a month", "booking"),
    ("got a reminder text the day before which was handy", "booking"),
    ("Tried the NHS app but no slots showing, told to ring back tomorrow", "booking"),
    ("managed to get a same day emergency dental appointment for my cracked tooth", "booking"),
    ("phone just rings out, nobody ever picks up", "booking"),
    ("Been on hold for 45 mins just to make an appointment", "booking"),
    ("rescheduled me three times, ridiculous", "booking"),
    ("Call centre put me through to triage and got me a slot with the nurse that afternoon",
     "booking"),
    # reception
    ("The receptionist was so rude, rolled her eyes when I asked a question", "reception"),
    ("lady on the front desk was lovely and sorted out my registration in minutes", "reception"),
    ("Had to fill in the same paperwork three times, they lost my forms", "reception"),
    ("checked in at the self check-in screen but it didn't recognise my date of birth",
     "reception"),
    ("The girl at the front wouldn't even look up from her phone when we walked in",
     "reception"),
    ("Registering as a new patient took forever, they wanted proof of address and photo ID",
     "reception"),
    ("reception staff shouted my personal details across the room for everyone to hear",
     "reception"),
    ("Warm welcome at the desk, they remembered my name", "reception"),
    ("the receptonist was a total dragon, gatekeeping like her life depended on it",
     "reception"),
    # waiting
    ("waited 2 hrs past my appointment time with no explanation", "waiting"),
    ("Sat in the waiting room for over an hour, nobody told us the doctor was running late",
     "waiting"),
    ("waiting area was filthy and freezing, broken chairs", "waiting"),
    ("Seen bang on time, no wait at all 👍", "waiting"),
    ("urgent care was packed, 4 hour wait to be seen", "waiting"),
    ("the kids corner kept my toddler happy while we waited", "waiting"),
    ("they kept us sat there for ages while people who came in after us got called first",
     "waiting"),
    ("no wifi, no water, tv blaring daytime telly for 90 minutes", "waiting"),
    # consultation
    ("Dr Patel really listened and didn't rush me, explained everything", "consultation"),
    ("The GP barely looked at me, typed on his computer the whole time and said it was "
     "probably viral", "consultation"),
    ("felt fobbed off, 10 mins and out the door with no answers", "consultation"),
    ("the dentist talked me through all my options before starting", "consultation"),
    ("physio took time to assess my knee properly and explained what was going on",
     "consultation"),
    ("She was so condescending, acted like I was making my symptoms up", "consultation"),
    ("finally a doctor who took my concerns seriously after years of being brushed off",
     "consultation"),
    ("the nurse practitioner was brilliant, very thorough and put me at ease", "consultation"),
    ("Phone consultation lasted 3 minutes and he hung up before I could ask anything",
     "consultation"),
    ("Misdiagnosed my broken wrist as a sprain", "consultation"),
    ("Her bedside manner is lovely, my anxious son felt really comfortable talking to her",
     "consultation"),
    ("the docter didnt even examine me just googled it in front of me", "consultation"),
    # treatment
    ("nurse who took my bloods was so gentle, didn't feel a thing", "treatment"),
    ("The filling was painless, couldn't believe it", "treatment"),
    ("flu jab done in 2 minutes 💉", "treatment"),
    ("the hygienist was really rough, my gums were bleeding for days", "treatment"),
    ("Stitches were done neatly and the scar is barely visible", "treatment"),
    ("prescribed antibiotics that gave me a horrible reaction", "treatment"),
    ("The massage and exercises the physio did really loosened my shoulder", "treatment"),
    ("root canal was quick and I felt no pain at all", "treatment"),
    ("they missed my vein three times trying to get blood", "treatment"),
    ("Had my ears syringed, quick and painless", "treatment"),
    ("Smear test was uncomfortable but the nurse kept chatting to me which helped",
     "treatment"),
    # results
    ("still waiting on my biopsy results 4 weeks later, chasing every day", "results"),
    ("got my blood test results through the app the next day, brilliant", "results"),
    ("Nobody called me about my abnormal smear, found out by letter months later", "results"),
    ("The x-ray report said fracture but nobody told me for a week", "results"),
    ("Doctor rang me personally to go through my scan results, really appreciated it",
     "results"),
    ("Lab results came back all clear 🙏", "results"),
    ("receptionist told me my results were 'normal' but wouldn't tell me anything else",
     "results"),
    # billing
    ("got a surprise bill for $400 months after my visit, insurance said it was out of network",
     "billing"),
    ("charged me a £25 fee for missing an appointment I had cancelled", "billing"),
    ("Front desk quoted one price and the invoice was double", "billing"),
    ("they bulk bill so I paid nothing, fantastic", "billing"),
    ("the dental treatment plan cost was explained up front with no hidden extras", "billing"),
    ("my copay was $50 for a 5 minute visit, absolute rip off", "billing"),
    ("took 3 months to get a refund for the overpayment", "billing"),
    ("urgent care billed my insurance under the wrong code and now I owe $1200", "billing"),
    # follow-up
    ("nurse phoned the day after my procedure to check how I was doing", "follow-up"),
    ("was told someone would call me in a week to discuss next steps, never happened",
     "follow-up"),
    ("requesting a repeat prescription is a nightmare, takes 5 days every time", "follow-up"),
    ("no aftercare advice given after my wisdom tooth extraction", "follow-up"),
    ("The physio emailed me a home exercise plan after the session, great touch", "follow-up"),
    ("they never chased up the referral to the specialist", "follow-up"),
]

TABLE_2: list[tuple[str, str]] = [
    # booking
    ("Their online system only lets you book 2 weeks ahead and every time it's full", "booking"),
    ("spent the whole morning redialling the surgery and gave up", "booking"),
    ("So pleased I could get my little one seen the same afternoon after ringing first thing",
     "booking"),
    ("Tried to change my dental check up date and the lady said the next opening is March 😩",
     "booking"),
    ("Appointment confirmation came through instantly by sms", "booking"),
    ("the app said I had an appt at 10 but the clinic had no record of it", "booking"),
    ("Impossible to get seen. Phoned 40 times this morning.", "booking"),
    # reception
    ("receptionists here are angels, so patient with my elderly mum", "reception"),
    ("Had to give my whole medical story at the front counter with a queue behind me",
     "reception"),
    ("couldn't find the place, no signs anywhere and nowhere to park", "reception"),
    ("The new patient registration form was 12 pages long", "reception"),
    ("lady who checked me in was friendly and chatty", "reception"),
    # waiting
    ("40 minute wait past my slot, not even an apology", "waiting"),
    ("Waiting room smelt of bleach and there was nowhere to sit", "waiting"),
    ("Only waited 5 mins before I was called in 👌", "waiting"),
    ("Urgent care: arrived at 6pm, finally seen at 11pm", "waiting"),
    ("Toilets in the waiting area were out of order all day", "waiting"),
    # consultation
    ("Dr Nguyen is the best GP I've ever had, never makes you feel like a nuisance",
     "consultation"),
    ("He spent the whole appointment looking at his screen and never asked how I was feeling",
     "consultation"),
    ("the dentist explained exactly what was wrong using the x-rays on screen", "consultation"),
    ("My physio actually figured out what was causing the pain after 3 other people missed it",
     "consultation"),
    ("was told it's just anxiety without any tests, feel completely ignored", "consultation"),
    ("video call with the doctor was quick and she sorted everything", "consultation"),
    ("Lovely locum, very patient with all my questions", "consultation"),
    # treatment
    ("the injection in my knee has made a huge difference already", "treatment"),
    ("Nurse did my dressing change and it was so quick", "treatment"),
    ("Numbing didn't work and they carried on drilling anyway 😡", "treatment"),
    ("best tooth extraction I've had, didn't feel it", "treatment"),
    ("given the wrong dose of my tablets by the pharmacist next door", "treatment"),
    ("travel vaccines all done in one go, nurse was great with my needle phobia", "treatment"),
    # results
    ("Waited three weeks to hear about my MRI and had to ring them myself", "results"),
    ("Got a text saying 'results normal, no action' - would have liked a bit more info",
     "results"),
    ("the hospital letter with my scan findings went to my old address", "results"),
    ("my cholesterol came back high and the doctor rang me to talk it through", "results"),
    ("nobody bothered to tell me my swab was positive", "results"),
    # billing
    ("they charged my card twice for the same visit", "billing"),
    ("Was told physio would be covered but got an invoice for $180", "billing"),
    ("No gap payment for the skin check, great value", "billing"),
    ("private GP fees are steep but worth it", "billing"),
    ("still waiting for my insurance to reimburse the clinic", "billing"),
    # follow-up
    ("the surgeon's team rang me twice in the first week after my op to see how the wound was "
     "healing", "follow-up"),
    ("Sent home with no idea what to do next or who to call if it got worse", "follow-up"),
    ("My repeat meds took two weeks to be signed off", "follow-up"),
    ("Physio sent a check-in message a week after my last session to see how my back was",
     "follow-up"),
    ("never got the referral to dermatology they promised", "follow-up"),
]

TABLE_3: list[tuple[str, str]] = [
    # booking
    ("Their phones are a joke, 50 mins listening to the same recorded message", "booking"),
    ("Booked my daughter's vaccination online at midnight and got a slot for the next day",
     "booking"),
    ("The practice only releases appointments on the day so you're stuck ringing every morning",
     "booking"),
    ("Why is there no way to book a smear online?? have to call", "booking"),
    ("Got a text cancelling my scan two hours before, no alternative offered", "booking"),
    # reception
    ("Absolutely shocking attitude from the woman behind the glass", "reception"),
    ("front desk team were super efficient getting my insurance details sorted", "reception"),
    ("Took 3 attempts to register my newborn, they kept losing the paperwork", "reception"),
    ("Receptionist asked what was wrong with me in front of a full waiting room", "reception"),
    ("Hard to find the clinic, the entrance is round the back and there's no sign", "reception"),
    # waiting
    ("An hour and 20 past my time and still sitting here 🙃", "waiting"),
    ("The TV in the waiting room was stuck on the news at full volume", "waiting"),
    ("Didn't have to wait at all, walked straight in", "waiting"),
    ("They let us know the doctor was running 30 mins behind which I appreciated", "waiting"),
    ("Nowhere to sit in the waiting area and people coughing everywhere", "waiting"),
    # consultation
    ("Dr Lee took her time and never made me feel rushed, even with a list of problems",
     "consultation"),
    ("The orthopaedic consultant spoke over me and wouldn't let me finish a sentence",
     "consultation"),
    ("My GP said it was 'just my age' and sent me away", "consultation"),
    ("the chiro explained the whole plan and what to expect over the next few weeks",
     "consultation"),
    ("Honestly the most knowledgeable doctor I've ever seen, diagnosed it in 5 mins after years "
     "of problems", "consultation"),
    ("The phone appointment felt like a box ticking exercise", "consultation"),
    # treatment
    ("The hygienist was so gentle with my sensitive teeth", "treatment"),
    ("needle went in badly and I've got a massive bruise on my arm now", "treatment"),
    ("Physio's hands-on work on my back was amazing, walked out pain free", "treatment"),
    ("Wrong vaccine given to my son, absolutely unacceptable", "treatment"),
    ("My crown fell out a week after it was fitted", "treatment"),
    ("the cortisone injection did nothing for my shoulder", "treatment"),
    # results
    ("Blood work results were posted to the portal but no one explained what they meant",
     "results"),
    ("Rang for my results and the receptionist read them out over the phone, not impressed",
     "results"),
    ("GP rang same day with my ECG results, really reassuring", "results"),
    ("Still no word on my ultrasound from a month ago", "results"),
    ("the lab lost my urine sample so the results never came", "results"),
    # billing
    ("They sent my account to collections without ever sending me a bill", "billing"),
    ("Paid $250 cash and they still charged my insurance", "billing"),
    ("Dental check up cost way more than quoted", "billing"),
    ("No way to pay by card, cash only in 2024?!", "billing"),
    ("Medicare rebate was processed on the spot, so easy", "billing"),
    # follow-up
    ("the nurse called me two days after my stitches came out to see how I was healing",
     "follow-up"),
    ("Was meant to be reviewed in 2 weeks but no one has been in touch", "follow-up"),
    ("They sent a lovely letter summarising everything we discussed and the plan going forward",
     "follow-up"),
    ("Asked for a sick note and it took a week and three phone calls", "follow-up"),
    ("After my knee op they organised physio and a follow up scan without me having to ask",
     "follow-up"),
]

TABLE_4: list[tuple[str, str]] = [
    # booking
    ("pt says she tried for 3 days to get through on the phones before coming in", "booking"),
    ("online booking down again 🙄", "booking"),
    ("Mr D thanked us for squeezing his son in at lunchtime", "booking"),
    ("Lovely that you can now book physio through the website", "booking"),
    ("appts for blood tests are booked out 3 weeks", "booking"),
    # reception
    ("Patient complimented Jo on reception for being so calm with a difficult visitor",
     "reception"),
    ("pt unhappy she was asked for her reason for visit at the desk in front of others",
     "reception"),
    ("couldn't work out where to go when I arrived, sent to three different desks", "reception"),
    ("the check in kiosk was broken again so long line at the desk", "reception"),
    # waiting
    ("pt left after 90 min without being seen", "waiting"),
    ("sooo long in the waiting room 😤", "waiting"),
    ("The chairs are rock hard and the room smells like damp", "waiting"),
    ("Running 50 mins late today, several complaints about the wait", "waiting"),
    # consultation
    ("pt felt Dr S did not take her pain seriously", "consultation"),
    ("GP was fab, gave me loads of time and really got to the bottom of it", "consultation"),
    ("the specialist used so much jargon I left more confused than before", "consultation"),
    ("felt like she actually cared about me as a person, not just a number", "consultation"),
    # treatment
    ("B12 injection done quickly and no bruising", "treatment"),
    ("Mrs K said the nurse was very gentle dressing her leg ulcer", "treatment"),
    ("tooth pulled yesterday and still bleeding loads", "treatment"),
    ("my physio exercises in the clinic gym were too hard too soon", "treatment"),
    ("the anaesthetic wore off halfway through 😭", "treatment"),
    # results
    ("pt angry no one contacted her about her mammogram recall", "results"),
    ("Got my results in a letter full of medical terms I couldn't understand", "results"),
    ("still haven't heard about my bloods from last Tuesday", "results"),
    ("test came back clear, nurse rang me personally 🙌", "results"),
    # billing
    ("pt disputing $90 no show charge", "billing"),
    ("They charged for a full consultation when it was a 5 min prescription renewal", "billing"),
    ("quote for the implant was reasonable and they offered a payment plan", "billing"),
    ("Insurance refused to pay because the clinic submitted it late", "billing"),
    # follow-up
    ("pt asking why her referral to ENT hasn't been sent yet", "follow-up"),
    ("received a text the day after asking how my ankle was feeling 👍", "follow-up"),
    ("Nobody told me how to look after the stitches once I got home", "follow-up"),
    ("repeat prescription request sat in the system for a week", "follow-up"),
]


# Rows that do not assert (xfail), with where the filer puts them today and why.
LEFT_OUT: dict[str, str] = {
    # the treatment words (wisdom tooth, extraction) outweigh "aftercare"
    "no aftercare advice given after my wisdom tooth extraction": "treatment",
    # "check up" is the visit itself (consultation); only "next opening" says booking
    "Tried to change my dental check up date and the lady said the next opening is March 😩":
        "consultation",
    # no word about results at all: the swab is what was done (treatment)
    "nobody bothered to tell me my swab was positive": "treatment",
    # names two touchpoints; the waiting room's name outweighs the receptionist
    "Receptionist asked what was wrong with me in front of a full waiting room": "waiting",
    # names the consultation, which is what was charged for
    "They charged for a full consultation when it was a 5 min prescription renewal":
        "consultation",
}

ALL_ROWS = TABLE_1 + TABLE_2 + TABLE_3 + TABLE_4



def test_every_touchpoint_is_in_every_table() -> None:
    slugs = {tp.slug for tp in CLINIC}
    for table in (TABLE_1, TABLE_2, TABLE_3, TABLE_4):
        assert {slug for _, slug in table} == slugs
    assert set(LEFT_OUT) <= {text for text, _ in ALL_ROWS}


@pytest.mark.parametrize(("text", "slug"), [row for row in ALL_ROWS if row[0] not in LEFT_OUT])
def test_clinic_feedback_files_cold(filer: KeywordFiler, text: str, slug: str) -> None:
    assert filer.guess(text, CLINIC).best == slug


test_the_rows_left_out_still_file_wrong = left_out_rows_test(
    CLINIC, [row for row in ALL_ROWS if row[0] in LEFT_OUT])


def test_the_named_touchpoint_files_each_sentence_without_asking(filer: KeywordFiler) -> None:
    for tp in CLINIC:
        guess = filer.guess(f"the {tp.name.lower()} today", CLINIC)
        assert guess.best == tp.slug and guess.confidence >= filer.threshold, tp.slug
