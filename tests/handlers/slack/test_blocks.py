"""Block Kit within Slack's limits, and user text that cannot ping anyone."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.domain import MomentKind
from bot.views import (
    VOTE,
    Action,
    Choice,
    DigestView,
    FocusView,
    HomeView,
    MomentView,
    PromptView,
    ProposalView,
    Reply,
    TouchpointRef,
    TouchpointWeek,
)
from handlers.slack import blocks as kit
from handlers.slack.home import home_view
from handlers.slack.markup import escape, mrkdwn, plain

AT = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def sections_ok(blocks: list[dict]) -> bool:
    return all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section" and b.get("text"))


def touchpoints(n: int) -> tuple[TouchpointRef, ...]:
    return tuple(TouchpointRef(f"tp-{i}", f"Touchpoint number {i} with a long descriptive name", "🧭")
                 for i in range(n))


def test_a_digest_with_80_touchpoints_stays_within_50_blocks_and_3000_characters() -> None:
    weeks = tuple(TouchpointWeek(t, 3, 4, 1, 2) for t in touchpoints(80))
    shout = tuple(MomentView(i, MomentKind.WOW, "<!channel> " + "x" * 400, None, "Sam", ("Ana",), AT)
                  for i in range(60))
    view = DigestView("Gate crew", "2026-W47", (), weeks, shout, (), 240, 320)
    from bot import text as render

    blocks = kit.reply_blocks(render.digest(view))
    assert len(blocks) <= 50 and sections_ok(blocks)
    assert blocks[0]["type"] == "header"
    text = json.dumps(blocks, ensure_ascii=False)
    assert "Touchpoint number 79" in text or "more not shown" in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text


def test_a_prompt_with_many_proposals_is_cut_with_a_pointer_and_buttons_fit() -> None:
    focus = tuple(FocusView(t, "hurts", ("a" * 500,)) for t in touchpoints(3))
    proposals = tuple(ProposalView(i, focus[0].touchpoint, "p" * 900, "Sam", i) for i in range(120))
    view = PromptView(7, "Gate crew", "2026-W47", focus, proposals, AT, False)
    choices = tuple(Choice("Vote " + "v" * 200, Action.of(VOTE, proposal=p.id)) for p in proposals)
    blocks = kit.reply_blocks(Reply("prompt", choices, view=view, public=True))
    assert len(blocks) == 50 and "more not shown" in json.dumps(blocks)
    assert sections_ok(blocks)
    for b in blocks:
        for e in b.get("elements", []) + ([b["accessory"]] if b.get("accessory") else []):
            if e.get("type") == "button":
                assert len(e["text"]["text"]) <= 75


def test_long_replies_are_split_into_sections_and_buttons_into_rows_of_25() -> None:
    reply = Reply("line\n" * 2000, tuple(Choice(f"Choice {i} " + "x" * 90, Action.of(VOTE, proposal=i))
                                           for i in range(60)))
    blocks = kit.reply_blocks(reply)
    assert len(blocks) <= 50 and sections_ok(blocks)
    rows = [b for b in blocks if b["type"] == "actions"]
    assert rows and all(len(r["elements"]) <= 25 for r in rows)


def test_home_tab_stays_within_100_blocks() -> None:
    weeks = tuple(TouchpointWeek(t, 1, 1, 0, 0) for t in touchpoints(200))
    digest = DigestView("Gate crew", "2026-W47", (), weeks, (), (), 1, 1)
    mine = tuple(MomentView(i, MomentKind.OW, "<!here> " + "y" * 300, None, "Sam", (), AT) for i in range(5))
    view = home_view(HomeView("Gate crew", mine, digest, None, ()))
    assert view["type"] == "home" and len(view["blocks"]) <= 100 and sections_ok(view["blocks"])
    assert "<!here>" not in json.dumps(view)


def test_markup_in_and_out() -> None:
    assert plain("<@U1|ana> &amp; <!channel> <!subteam^S1|@crew> <#C1|gate> <https://x.io|site>") \
        == "@U1 & [channel] [crew] #gate site"
    assert escape("<!here> & <@U1>") == "&lt;!here&gt; &amp; &lt;@U1&gt;"
    assert mrkdwn("thanks @U02ANA7 and @U999", mention=("U02ANA7",)) == "thanks <@U02ANA7> and @U999"


def test_action_values_round_trip() -> None:
    action = Action.of(VOTE, proposal=12)
    assert kit.decode(kit.encode(action, prompt=3)) == (action, {"prompt": "3"})
