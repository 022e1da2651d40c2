from __future__ import annotations

import io
import json

import pytest

from bot.filebatch import file_jsonl, template_touchpoints
from bot.journeys import UnknownTemplateError, load_template


def run(lines: list[str], *, template: str = "airline", learn: list[str] | None = None) -> tuple[
    int, list[dict[str, object]]
]:
    out = io.StringIO()
    count = file_jsonl(lines, out, template=template, learn_lines=learn)
    return count, [json.loads(line) for line in out.getvalue().splitlines()]


def test_good_lines_get_kind_touchpoint_and_confidence() -> None:
    count, rows = run([
        json.dumps({"id": "a1", "text": "My suitcase never arrived, terrible"}) + "\n",
        json.dumps({"id": 2, "text": "Thank you so much for the upgrade"}) + "\n",
        json.dumps({"id": 3, "text": "Hello"}) + "\n",
    ])  # fmt: skip
    assert count == 3
    assert rows[0] == {"id": "a1", "kind": "ow", "touchpoint": "baggage", "confidence": rows[0]["confidence"]}
    assert 0.6 <= float(rows[0]["confidence"]) <= 1.0  # type: ignore[arg-type]
    assert rows[1]["id"] == 2 and rows[1]["kind"] == "wow"
    assert rows[2] == {"id": 3, "kind": None, "touchpoint": None, "confidence": 0.0}


def test_an_explicit_tag_is_full_confidence() -> None:
    _, rows = run(['{"id": 1, "text": "lovely moment #boarding"}'])
    assert rows[0]["touchpoint"] == "boarding" and rows[0]["confidence"] == 1.0


def test_malformed_lines_get_an_error_line_and_never_stop_the_run() -> None:
    lines = [
        '{"id": 1, "text": "flight delayed 3 hours"}',
        '{"id": 2, "text": "broken json',  # the id is still readable
        "not json at all",
        '["a", "list"]',
        '{"id": 5}',
        '{"id": 6, "text": 42}',
        "",  # blank lines are not records
        '{"id": 7, "text": "lost luggage again"}',
    ]
    count, rows = run(lines)
    assert count == 7 and len(rows) == 7
    assert [r["id"] for r in rows] == [1, 2, None, None, 5, 6, 7]
    assert [("error" in r) for r in rows] == [False, True, True, True, True, True, False]
    assert rows[0]["touchpoint"] == "disruption" and rows[-1]["touchpoint"] == "baggage"
    for row in rows[1:6]:
        assert row["touchpoint"] is None and row["kind"] is None and row["confidence"] == 0.0
        assert isinstance(row["error"], str) and row["error"]


def test_unicode_text_round_trips() -> None:
    _, rows = run([json.dumps({"id": "ø", "text": "Tack så mycket 🙏 för väskan 🧳"})])
    assert rows[0]["id"] == "ø" and rows[0]["touchpoint"] == "baggage"


def test_learn_lines_are_fed_first() -> None:
    text = "the tarmac bus to the stand took ages"
    learn = [
        json.dumps({"text": t, "touchpoint": slug, "kind": kind})
        for t, slug, kind in [
            ("waited for the tarmac bus", "boarding", "ow"),
            ("the tarmac bus was freezing", "boarding", "ow"),
            ("bags came off the belt soaked", "baggage", "ow"),
            ("two hours late because of the crew", "disruption", "ow"),
            ("she found him a quiet seat near the front", "flight", "wow"),
        ]
        * 2
    ]
    learn += ["garbage", '{"text": 5}', '{"text": "fine", "touchpoint": null, "kind": "meh"}']
    _, cold = run([json.dumps({"id": 1, "text": text})])
    _, warm = run([json.dumps({"id": 1, "text": text})], learn=learn)
    assert cold[0]["touchpoint"] != "boarding"
    assert warm[0]["touchpoint"] == "boarding"


def test_other_templates_work() -> None:
    _, rows = run(['{"id": 1, "text": "the waiter was rude"}'], template="restaurant")
    assert rows[0]["touchpoint"] == "service" and rows[0]["kind"] == "ow"


def test_unknown_template_fails_before_reading() -> None:
    def lines() -> list[str]:
        raise AssertionError("read the input")

    with pytest.raises(UnknownTemplateError, match="airline"):
        file_jsonl(iter(lines, None), io.StringIO(), template="spaceship")


def test_template_touchpoints_are_numbered_in_journey_order() -> None:
    tps = template_touchpoints("hotel")
    assert [tp.id for tp in tps] == list(range(1, len(tps) + 1))
    assert [tp.slug for tp in tps] == [t.slug for t in load_template("hotel").touchpoints]
    assert {tp.team_id for tp in tps} == {0}
    assert all(tp.active and tp.keywords and tp.emoji for tp in tps)


def test_learn_lines_that_are_not_filings_are_reported_and_the_rest_still_learned() -> None:
    warnings = io.StringIO()
    learn = ['{"text": "the hub shuttle left", "touchpoint": "boarding", "kind": "ow"}',
             "not json", "", '{"text": 5}', '["text"]']
    out = io.StringIO()
    assert file_jsonl([json.dumps({"id": 1, "text": "hub shuttle"})], out, template="airline",
                      learn_lines=learn, warn=warnings) == 1
    assert warnings.getvalue().splitlines() == [
        f'learn line {n} skipped: not a JSON object with a "text" string' for n in (2, 4, 5)
    ]
