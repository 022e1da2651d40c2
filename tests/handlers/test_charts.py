"""The digest charts, read back from their pixels: one pair of bars per touchpoint that had moments,
in the journey's order, each as long as its count, OW hatched so it reads in greyscale too; the
organisation's, one panel a team on one scale."""

from __future__ import annotations

import io

from PIL import Image

from bot.org_views import JourneyGroup, OrgTouchpointRow, TeamCount
from bot.views import DigestView, TouchpointRef, TouchpointWeek
from handlers.charts import (
    CARD_BUDGET,
    CARD_PIXELS,
    ORG_TEAMS,
    OW_COLOUR,
    OW_EDGE,
    WOW_COLOUR,
    compact_chart,
    compact_org_chart,
    digest_chart,
    org_chart,
    ticks,
)


def rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def view(*counts: tuple[str, int, int]) -> DigestView:
    rows = tuple(TouchpointWeek(TouchpointRef(name.lower(), name), wows, ows, 0, 0)
                 for name, wows, ows in counts)
    return DigestView("Gate crew", "2026-W47", (), rows, (), (), 1, 1)


def bars(png: bytes, colour: str) -> list[tuple[int, int]]:
    """(top row, length in pixels) of each bar of the colour, top to bottom."""
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = picture.size
    pixels = picture.load()
    assert pixels is not None
    target = rgb(colour)
    found: list[tuple[int, int]] = []
    previous = 0
    for y in range(height):
        length = max((run for run in _runs([pixels[x, y] == target for x in range(width)])), default=0)
        if length > 2 and previous <= 2:
            found.append((y, length))
        elif length > 2:
            found[-1] = (found[-1][0], max(found[-1][1], length))
        previous = length
    return found


def _runs(flags: list[bool]) -> list[int]:
    """Lengths of stretches that start with the colour and go on through hatching."""
    runs, start, last = [], None, None
    for x, flag in enumerate(flags):
        if flag and start is None:
            start = x
        if flag:
            last = x
        if not flag and start is not None and last is not None and x - last > 12:
            runs.append(last - start + 1)
            start = last = None
    if start is not None and last is not None:
        runs.append(last - start + 1)
    return runs


def test_each_bar_is_as_long_as_its_count_in_the_journeys_order() -> None:
    png = digest_chart(view(("Check-in", 2, 6), ("Boarding", 4, 3), ("Lounge", 0, 0)))
    assert png is not None and png.startswith(b"\x89PNG")
    wows, ows = bars(png, WOW_COLOUR), bars(png, OW_COLOUR)
    # two touchpoints with moments; the lounge had none and gets no bars (the legend's swatch
    # is the first of each colour)
    assert len(wows) == 3 and len(ows) == 3
    (_, wow_a), (_, wow_b) = wows[1:]
    (_, ow_a), (_, ow_b) = ows[1:]
    assert abs(wow_b / wow_a - 2) < 0.05  # Boarding's 4 WOW against Check-in's 2
    assert abs(ow_a / ow_b - 2) < 0.05  # Check-in's 6 OW against Boarding's 3
    assert wows[1][0] < ows[1][0] < wows[2][0] < ows[2][0]  # WOW above OW, check-in first


def test_new_figures_draw_a_new_chart() -> None:
    before = digest_chart(view(("Check-in", 2, 6)))
    after = digest_chart(view(("Check-in", 2, 7)))
    assert before is not None and after is not None and before != after
    assert digest_chart(view(("Check-in", 2, 6))) == before


def test_ow_is_hatched_and_wow_is_not() -> None:
    png = digest_chart(view(("Check-in", 5, 5)))
    assert png is not None
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    (wow_top, _), (ow_top, _) = bars(png, WOW_COLOUR)[1], bars(png, OW_COLOUR)[1]
    row = [picture.getpixel((x, ow_top + 6)) for x in range(picture.size[0])]
    assert row.count(rgb(OW_EDGE)) >= 4  # the diagonal lines cross the OW bar
    row = [picture.getpixel((x, wow_top + 6)) for x in range(picture.size[0])]
    assert rgb(OW_EDGE) not in row


def test_a_week_without_moments_draws_nothing() -> None:
    assert digest_chart(view(("Check-in", 0, 0))) is None
    assert compact_chart(view(("Check-in", 0, 0))) is None


def test_the_count_axis_has_a_few_whole_number_ticks() -> None:
    assert ticks(7.7) == [0, 2, 4, 6]
    assert ticks(3.0) == [0, 1, 2, 3]
    assert ticks(280.3) == [0, 100, 200]
    assert ticks(0.9) == [0]


def journey(*teams: tuple[str, tuple[tuple[int, int], ...]]) -> JourneyGroup:
    """An airline journey of these teams, each with (WOWs, OWs) at check-in and at boarding."""
    touchpoints = (TouchpointRef("check-in", "Check-in"), TouchpointRef("boarding", "Boarding"))
    rows = tuple(OrgTouchpointRow(tp, tuple(TeamCount(name, *counts[n]) for name, counts in teams))
                 for n, tp in enumerate(touchpoints))
    return JourneyGroup("airline", tuple(name for name, _ in teams), (), rows, ())


def runs_at(picture: Image.Image, y: int, colour: str) -> list[tuple[int, int]]:
    """(left, length) of each unbroken stretch of the colour along one row of pixels."""
    target, found, start = rgb(colour), [], None
    for x in range(picture.size[0] + 1):
        inside = x < picture.size[0] and picture.getpixel((x, y)) == target
        if inside and start is None:
            start = x
        elif not inside and start is not None:
            found.append((start, x - start))
            start = None
    return found


def test_the_organisation_chart_has_a_panel_a_team_with_its_bars_to_scale() -> None:
    png = org_chart(journey(("Arlanda", ((2, 1), (1, 0))), ("Landvetter", ((4, 0), (0, 2))),
                            ("Kastrup", ((1, 3), (3, 3)))), "2026-W47")
    assert png is not None
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG"
    picture = picture.convert("RGB")
    # the first row of pixels with a WOW bar in more than one place: check-in's, across the panels
    rows = (runs_at(picture, y, WOW_COLOUR) for y in range(picture.size[1]))
    check_in = next(r for r in rows if len([length for _, length in r if length > 2]) > 1)
    (a_left, a), (l_left, lv), (k_left, k) = [(x, n) for x, n in check_in if n > 2]
    assert a_left < l_left < k_left  # the teams side by side, in the digest's order
    assert abs(lv / a - 2) < 0.1 and abs(a / k - 2) < 0.1  # 4, 2 and 1 WOW, on one scale


def test_the_organisation_chart_widens_with_teams_and_grows_with_touchpoints() -> None:
    def size(*teams: tuple[str, tuple[tuple[int, int], ...]]) -> tuple[int, int]:
        png = org_chart(journey(*teams), "2026-W47")
        assert png is not None
        return Image.open(io.BytesIO(png)).size

    one = size(("Arlanda", ((2, 1), (1, 0))))
    three = size(*[(f"Site {n}", ((2, 1), (1, 0))) for n in range(3)])
    many = size(*[(f"Site {n}", ((2, 1), (1, 0))) for n in range(ORG_TEAMS + 3)])
    assert one[0] < three[0] < many[0] and one[1] == three[1] == many[1]
    assert many == size(*[(f"Site {n}", ((2, 1), (1, 0))) for n in range(ORG_TEAMS)])  # the rest
    # are in the digest's text
    assert org_chart(JourneyGroup("airline", ("Arlanda",), (), (), ()), "2026-W47") is None


def test_the_organisation_chart_fits_a_teams_card() -> None:
    png = compact_org_chart(journey(*[(f"Site {n}", ((n, 2), (3, n))) for n in range(ORG_TEAMS)]),
                            "2026-W47")
    assert png is not None and len(png) <= CARD_BUDGET
    assert max(Image.open(io.BytesIO(png)).size) <= CARD_PIXELS
