"""Cold-start filing of the retail template: invented feedback, each with the one touchpoint a
person on a shop's team would file it under.

BEFORE_CHANGE was written before the template's keywords were enriched, AFTER_CHANGE after it
(not tuned to). Both stand in for real shop and web-shop feedback: reviews, tweets, complaint
emails, survey comments, staff notes. Share filed right cold, measured:

- BEFORE_CHANGE: 64/76 (84.2%) with the old template, 76/76 after the enrichment.
- AFTER_CHANGE (39 rows, written after the first enrichment): 31/39 (79.5%) as
  first measured (29/39, 74.4%, with the old template); 37/39 after fixing the stem collisions
  they showed (pointed/points, offered/offer, and others of the kind: rang/range, chatted/chat,
  dealing/deal, loads/loading, style/styling) and adding "self service" and "wouldn't accept".

Every row files right now; the two that did not at first are marked where they stand.
"""

from __future__ import annotations

import pytest

from bot.filebatch import template_touchpoints
from bot.filing import KeywordFiler

RETAIL = template_touchpoints("retail")

BEFORE_CHANGE: list[tuple[str, str]] = [
    # discovery
    ("saw your ad on insta and had to check out the new collection", "discovery"),
    ("Your newsletter is the only marketing email I actually open, great deals every week",
     "discovery"),
    ("heard about u guys from a friend, so glad i did", "discovery"),
    ("the tiktok that went viral brought me here lol", "discovery"),
    ("Too many promo emails, like 3 a day, unsubscribing", "discovery"),
    ("love the window display this christmas 😍", "discovery"),
    ("the deals in the weekly flyer are actually worth it", "discovery"),
    # online
    ("website keeps crashing when I try to add to basket", "online"),
    ("app wont let me log in, password reset never comes through", "online"),
    ("the product photos look nothing like the actual colour", "online"),
    ("Search on the site is useless, typed black boots and got handbags", "online"),
    ("promo code didnt work on the app", "online"),
    ("the size guide was spot on, ordered my usual and it fits perfectly", "online"),
    ("site said in stock but when i went to order it was gone", "online"),
    ("Easy to navigate website, found what I needed in two minutes and paid with PayPal",
     "online"),
    ("the filters on the mobile site reset every time you scroll", "online"),
    ("ordered a sofa online and the listing showed the wrong dimensions", "online"),
    # in store
    ("store was a mess, clothes all over the floor", "store"),
    ("couldnt find the pasta sauce anywhere, aisles completely rearranged again", "store"),
    ("only two fitting rooms open on a saturday?? queue of 15 people", "store"),
    ("shelves empty again, third week no oat milk", "store"),
    ("Lovely bright shop, easy to browse, nice music playing", "store"),
    ("the car park is always full and the trolleys are filthy", "store"),
    ("they closed 20 mins before the opening hours on the door said", "store"),
    ("toilets were out of order and it smelled", "store"),
    ("the branch on high street is always so clean and well organised", "store"),
    # advice
    ("The guy in the electronics section really knew his stuff and talked me out of the "
     "expensive model", "advice"),
    ("asked three staff members where the screws were and none of them knew", "advice"),
    ("sales assistant was super pushy, kept trying to upsell me a warranty", "advice"),
    ("shoutout to Priya in the shoe dept who measured my son's feet and found the perfect fit",
     "advice"),
    ("no one on the floor to help, wandered around for 20 minutes", "advice"),
    ("the lady helped me pick a gift for my mum, so patient", "advice"),
    ("staff just stood chatting to each other and ignored us", "advice"),
    ("got a proper demo of the coffee machine before buying, really useful", "advice"),
    ("she recommended a different size and she was right", "advice"),
    ("employee rolled his eyes when I asked a question", "advice"),
    # checkout
    ("queue at the tills was out the door, only one till open", "checkout"),
    ("self checkout kept saying unexpected item in bagging area 🙄", "checkout"),
    ("got charged twice on my card for the same shop", "checkout"),
    ("cashier was lovely and chatted with my little one while scanning", "checkout"),
    ("they wouldnt take cash!!", "checkout"),
    ("forgot my loyalty card and the cashier added the points anyway", "checkout"),
    ("no queue at all at the registers, in and out in five minutes", "checkout"),
    ("the discount wasn't applied when I paid, had to ask for it back", "checkout"),
    ("charged 10p for a bag, nobody told me", "checkout"),
    ("the card machine was down so they could only take cash", "checkout"),
    # delivery
    ("parcel never turned up, tracking says delivered", "delivery"),
    ("courier threw the box over the fence 😡", "delivery"),
    ("arrived a day early, well packed, great", "delivery"),
    ("ordered on monday, still nothing on friday. where is my order??", "delivery"),
    ("the driver left it with a neighbour I've never met", "delivery"),
    ("box was soaking wet and the contents were crushed", "delivery"),
    ("Shipping cost more than the item itself", "delivery"),
    ("click and collect order was ready in an hour", "delivery"),
    ("they sent me the wrong colour", "delivery"),
    ("missed the delivery slot and didn't even call", "delivery"),
    ("my order came in 3 separate packages on 3 different days", "delivery"),
    # returns
    ("returned a jacket 3 weeks ago and still no refund", "returns"),
    ("swapped the jeans for a bigger size, no questions asked", "returns"),
    ("the kettle stopped working after a week, they replaced it on the spot", "returns"),
    ("you have to pay for return postage now? ridiculous", "returns"),
    ("they would only give store credit, not my money back", "returns"),
    ("headphones broke after 2 months and they refused the warranty claim", "returns"),
    ("the prepaid label in the box made it so easy", "returns"),
    ("didn't fit so sent it back, money came in 2 days", "returns"),
    ("refused my exchange because I'd lost the receipt", "returns"),
    ("dropped it off at the post office and had the money back in my account next day",
     "returns"),
    # customer support
    ("on hold for 45 minutes then cut off", "support"),
    ("emailed three times about my order, no reply", "support"),
    ("the chat bot is useless, just loops back to the FAQ", "support"),
    ("Customer service were amazing, sorted it in one call", "support"),
    ("complained on twitter and they DMd me within an hour and fixed it", "support"),
    ("nobody gets back to you, ever", "support"),
    ("raised a complaint 2 weeks ago and heard nothing back", "support"),
    ("the agent on the phone promised a callback that never came", "support"),
    ("opened a ticket, got an automated response, then silence", "support"),
]

AFTER_CHANGE: list[tuple[str, str]] = [
    # discovery
    ("ur insta stories are so cute, bought the dress from the reel 😍", "discovery"),
    ("The catalogue that came through the door had prices that were out of date", "discovery"),
    ("Unsubscribed three times and I still get your marketing emails", "discovery"),
    # online
    ("the app logs me out every time I switch tabs", "online"),
    ("Product page says 100% cotton but the label says polyester", "online"),
    ("love the new website, so much faster and the search actually works now", "online"),
    ("wish list disappeared after the update", "online"),
    # in store
    ("the shop is a maze, took me ages to find the kids section", "store"),
    ("floors were sticky and the bins overflowing by the entrance", "store"),
    ("the lights in the fitting rooms are so unflattering lol", "store"),
    ("half the aisle blocked by pallets, couldnt get my pram through", "store"),
    ("the new layout is so much easier to get around", "store"),
    # advice
    ("Tom spent 40 minutes with us comparing laptops and never once pushed the pricey one",
     "advice"),
    ("asked where the batteries were and she just pointed without looking up", "advice"),
    ("the staff in the paint department mixed the colour and gave great tips", "advice"),
    ("nobody offered to help even though we were clearly lost", "advice"),
    ("bra fitting service was brilliant, finally wearing the right size", "advice"),
    # checkout
    ("girl on the till was so slow and on her phone the whole time", "checkout"),
    ("the self-service machines are always broken", "checkout"),
    ("waited 25 mins to pay with 10 tills and 2 open", "checkout"),
    ("they wouldn't accept my voucher at the till", "checkout"),
    ("cashier double scanned my eggs, caught it on the receipt", "checkout"),
    # delivery
    ("DPD left my parcel in the recycling bin 😂", "delivery"),
    ("said next day delivery, took 6 days", "delivery"),
    ("the courier was a legend, carried the washing machine upstairs", "delivery"),
    ("received someone else's order, not mine", "delivery"),
    ("still stuck in the depot after a week, tracking hasnt updated", "delivery"),
    # returns
    ("Tried to return some shoes and the guy made me feel like a criminal", "returns"),
    ("Exchange was quick and easy, even without the box", "returns"),
    ("the zip broke the second time I wore it, they gave me a new one no fuss", "returns"),
    ("been 14 days since you received the parcel back and still no money", "returns"),
    ("the 30 day return policy is great, I changed my mind on the rug", "returns"),
    # customer support
    ("spent an hour in the queue on the phone to customer services", "support"),
    ("the online chat agent was brilliant, issue sorted in 5 mins", "support"),
    ("I have written to you four times now and no one has replied", "support"),
    ("the helpline number on the website just rings out", "support"),
    ("Your complaints team closed my case without telling me", "support"),
    # left out until "%" was read as a token ("20% off")
    ("Got a text about the 20% off weekend and drove straight over", "discovery"),
    # left out while a bare "bag" was a checkout keyword
    ("couldn't add anything to my bag on the website, just spinning wheel", "online"),
]



def test_the_tables_cover_every_touchpoint() -> None:
    slugs = {tp.slug for tp in RETAIL}
    for table in (BEFORE_CHANGE, AFTER_CHANGE):
        assert {slug for _, slug in table} <= slugs
    assert {slug for _, slug in BEFORE_CHANGE} == slugs


@pytest.mark.parametrize(("text", "slug"), BEFORE_CHANGE + AFTER_CHANGE)
def test_retail_feedback_files_cold(filer: KeywordFiler, text: str, slug: str) -> None:
    assert filer.guess(text, RETAIL).best == slug
