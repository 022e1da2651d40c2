"""The digest charts: WOW and OW per touchpoint for the week, as PNGs readable on a phone; the
team's (``digest_chart``) and the organisation's, one panel a team (``org_chart``).

Drawn with Pillow straight onto a bitmap (a few milliseconds), not with matplotlib (130-320 ms
a chart, holding the GIL, which stalled every other post in flight on the weekly tick). The
layout is matplotlib's old one, measured in points: a 5-inch-wide figure, 0.75 inch a
touchpoint; title and legend above the plot; WOW and OW bars side by side per touchpoint with
their counts after them; integer ticks; DejaVu Sans, the system's (see ``_font_files``).
"""

from __future__ import annotations

import io
import math
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.org_views import JourneyGroup
from bot.views import DigestView

if TYPE_CHECKING:
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

WOW_COLOUR = "#0072B2"  # blue and orange: told apart with every common colour-vision deficiency
OW_COLOUR = "#E69F00"
OW_EDGE = "#7A5200"  # the hatching keeps OW apart from WOW in greyscale too
INK = "#000000"
FONT = 15  # points; the PNG is shown about half size on a phone, so this reads as ~8 pt there
LABEL_WIDTH = 14  # characters per line of a touchpoint name, so long names wrap instead of
# squeezing the bars
WIDTH_IN, BASE_IN, ROW_IN = 5.0, 2.2, 0.75  # figure width; height without rows, and per row
WOW_LABEL, OW_LABEL = "WOW (delighted)", "OW (let down)"
AXIS_X, AXIS_Y = "Moments this week", "Touchpoint"

CARD_BUDGET = 15_000  # bytes of PNG in a Teams card: base64 adds a third; a card tops out at 28 KB
CARD_PIXELS = 1024  # Teams shows inline card images up to 1024 x 1024


def compact_chart(view: DigestView) -> bytes | None:
    """The same chart small enough to travel inside a Teams card as a data URI: drawn for a
    480-pixel-wide phone screen, in 16 colours (the chart's five and greys for the text's
    edges), fewer when that is what it takes. None when the week had no moments or the chart
    will not fit the card (then the card's own table says it all)."""
    for dpi, greys in ((96, 11), (80, 3), (64, 3)):
        picture = _picture(view, dpi)
        if picture is None:
            return None
        if max(picture.size) > CARD_PIXELS:
            continue
        for level in (6, 9):
            png = _png(picture, greys, level)
            if len(png) <= CARD_BUDGET:
                return png
    return None


def digest_chart(view: DigestView, dpi: int = 160) -> bytes | None:
    """None when the week had no moments: an empty chart says nothing."""
    picture = _picture(view, dpi)
    return None if picture is None else _png(picture, 11, 6)


def _png(picture: PILImage.Image, greys: int, level: int) -> bytes:
    """A 4-bit palette PNG: the chart has five colours, and greys only where text is smoothed,
    so mapping each pixel to the nearest of them (no dithering) loses nothing that shows."""
    from PIL import Image

    out = io.BytesIO()
    picture.quantize(palette=_palette(greys), dither=Image.Dither.NONE).save(
        out, "PNG", compress_level=level, bits=4)
    return out.getvalue()


@lru_cache(maxsize=4)
def _palette(greys: int) -> PILImage.Image:
    from PIL import Image, ImageColor

    colours = [(255, 255, 255), (0, 0, 0)] + [ImageColor.getrgb(c)[:3] for c in
                                               (WOW_COLOUR, OW_COLOUR, OW_EDGE)]
    colours += [(g, g, g) for g in (round(255 * (i + 1) / (greys + 1)) for i in range(greys))]
    flat = [value for rgb in colours for value in rgb]
    palette = Image.new("P", (1, 1))
    palette.putpalette(flat + flat[:3] * (256 - len(colours)))
    return palette


@dataclass(frozen=True, slots=True)
class _Row:
    label: str
    wows: int
    ows: int


def _picture(view: DigestView, dpi: int) -> PILImage.Image | None:
    rows = tuple(_Row(textwrap.fill(t.touchpoint.name, LABEL_WIDTH, max_lines=2, placeholder="…"),
                      t.wows, t.ows) for t in view.touchpoints if t.wows or t.ows)
    if not rows:
        return None
    return _Canvas(dpi).draw(f"{view.team} · {view.week}", rows)


def ticks(top: float, bins: int = 5) -> list[int]:
    """Integer ticks from 0 at a 1-2-5 step, at most ``bins`` steps up to ``top`` (what
    matplotlib's MaxNLocator(integer=True, nbins=5) gave)."""
    for power in range(0, 12):
        for mantissa in (1, 2, 5):
            step = mantissa * 10 ** power
            if top / step <= bins:
                return list(range(0, math.floor(top) + 1, step))
    return [0]


@lru_cache(maxsize=1)
def _font_files() -> tuple[str, str] | None:
    """DejaVu Sans and its bold where the system keeps its fonts (Debian's fonts-dejavu-core,
    on most Linux systems already): Pillow looks in the platform's font folders by file name.
    None without them: the charts then use Pillow's own scalable font."""
    from PIL import ImageFont

    try:
        found = tuple(str(ImageFont.truetype(name, size=10).path)
                      for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
    except OSError:
        return None
    return found[0], found[1]


_loaded = threading.local()  # FreeType faces are for one thread at a time: each has its own


def _font(pixels: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    fonts: dict[tuple[int, bool], ImageFont.FreeTypeFont | ImageFont.ImageFont]
    fonts = _loaded.__dict__.setdefault("fonts", {})
    if (pixels, bold) not in fonts:
        files = _font_files()
        if files is None:  # Pillow's own scalable font: the chart still reads, if less alike
            fonts[pixels, bold] = ImageFont.load_default(size=pixels)
        else:
            fonts[pixels, bold] = ImageFont.truetype(files[1] if bold else files[0], size=pixels)
    return fonts[pixels, bold]


class _Canvas:
    """One chart at one resolution; lengths below are in points (1/72 inch) unless named px."""

    def __init__(self, dpi: int) -> None:
        from PIL import Image

        self.scale = dpi / 72
        self.picture = Image.new("RGB", (1, 1))

    def px(self, points: float) -> int:
        return round(points * self.scale)

    def font(self, points: float, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        return _font(max(1, self.px(points)), bold)

    def draw(self, title: str, rows: Sequence[_Row]) -> PILImage.Image:
        from PIL import Image, ImageDraw

        width, height = self.px(WIDTH_IN * 72), self.px((BASE_IN + ROW_IN * len(rows)) * 72)
        picture = self.picture = Image.new("RGB", (width, height), "white")
        pen = ImageDraw.Draw(picture)
        self._title(pen, title, width)
        self._legend(pen)
        small, label_font = self.font(FONT - 2), self.font(FONT - 1)
        labels = [pen.multiline_textbbox((0, 0), r.label, font=label_font, align="right") for r in rows]
        left = self.px(8 + (FONT - 1) * 1.2 + 6) + max(b[2] - b[0] for b in labels) + self.px(7)
        right, top = width - self.px(12), self.px(62)
        bottom = height - self.px(8 + (FONT - 1) * 1.2 + 4 + (FONT - 2) * 1.2 + 7)
        most = max(max(r.wows, r.ows) for r in rows)
        scale_x = (right - left) / (most * 1.18 + 0.6)  # room for the count after the longest bar
        pitch = (bottom - top) / len(rows)
        for n, (row, box) in enumerate(zip(rows, labels, strict=True)):
            middle = top + (n + 0.5) * pitch
            bar = 0.4 * pitch
            self._bar(pen, left, middle - bar, row.wows, scale_x, bar, WOW_COLOUR, hatched=False)
            self._bar(pen, left, middle, row.ows, scale_x, bar, OW_COLOUR, hatched=True)
            pen.line([(left - self.px(3.5), middle), (left, middle)], fill=INK, width=self.px(0.8))
            pen.multiline_text((left - self.px(7) - box[2], middle - (box[3] + box[1]) / 2),
                               row.label, font=label_font, fill=INK, align="right")
        axis = max(1, self.px(0.8))
        pen.line([(left, top - self.px(4)), (left, bottom), (right, bottom)], fill=INK, width=axis)
        for value in ticks((right - left) / scale_x):
            x = left + value * scale_x
            pen.line([(x, bottom), (x, bottom + self.px(3.5))], fill=INK, width=axis)
            pen.text((x, bottom + self.px(5)), str(value), font=small, fill=INK, anchor="ma")
        pen.text(((left + right) / 2, height - self.px(8)), AXIS_X, font=label_font, fill=INK,
                 anchor="md")
        self._vertical(picture, AXIS_Y, label_font, x=self.px(8), middle=(top + bottom) / 2)
        return picture

    def _title(self, pen: ImageDraw.ImageDraw, title: str, width: int,
               start: float | None = None) -> None:
        """A long team name shrinks to fit the width, then is shortened."""
        start = width * 0.03 if start is None else start
        limit, size = width * 0.97, FONT + 1
        while pen.textlength(title, font=self.font(size, bold=True)) > limit - start and size > 10:
            size -= 1
        font = self.font(size, bold=True)
        while pen.textlength(title, font=font) > limit - start and len(title) > 12:
            team, week = title.rsplit(" · ", 1)
            title = f"{team.rstrip('…')[:-1]}… · {week}"
        pen.text((start, self.px(6)), title, font=font, fill=INK, anchor="la")

    def _legend(self, pen: ImageDraw.ImageDraw, size: float = FONT - 2, at: float = 40,
                start: float = 0.02 * WIDTH_IN * 72 + 6) -> None:
        font, middle = self.font(size), self.px(at)
        x = float(self.px(start))
        swatch_w, swatch_h = self.px(1.6 * size), self.px(0.7 * size)
        for text, colour, hatched in ((WOW_LABEL, WOW_COLOUR, False), (OW_LABEL, OW_COLOUR, True)):
            box = (x, middle - swatch_h / 2, x + swatch_w, middle + swatch_h / 2)
            self._box(pen, box, colour, hatched)
            x += swatch_w + self.px(0.8 * size)
            pen.text((x, middle), text, font=font, fill=INK, anchor="lm")
            x += pen.textlength(text, font=font) + self.px(1.2 * size)

    def _bar(self, pen: ImageDraw.ImageDraw, left: float, y: float, count: int, scale_x: float,
             height: float, colour: str, *, hatched: bool) -> None:
        end = left + count * scale_x
        if count:
            self._box(pen, (left, y, end, y + height), colour, hatched)
        pen.text((end + self.px(4), y + height / 2), str(count), font=self.font(FONT - 2), fill=INK,
                 anchor="lm")

    def _box(self, pen: ImageDraw.ImageDraw, box: tuple[float, float, float, float], colour: str,
             hatched: bool) -> None:
        from PIL import Image, ImageDraw

        x0, y0 = round(box[0]), round(box[1])
        width, height = round(box[2]) - x0, round(box[3]) - y0
        if width < 1 or height < 1:
            return
        if not hatched:
            pen.rectangle((x0, y0, x0 + width - 1, y0 + height - 1), fill=colour)
            return
        tile = Image.new("RGB", (width, height), colour)  # drawn apart: the lines end at its edges
        draw, line = ImageDraw.Draw(tile), max(1, self.px(0.8))
        for reach in range(0, width + height, max(2, self.px(9))):  # "/" lines: x + y = reach
            draw.line([(reach - height, height), (reach, 0)], fill=OW_EDGE, width=line)
        draw.rectangle((0, 0, width - 1, height - 1), outline=OW_EDGE, width=line)
        self.picture.paste(tile, (x0, y0))

    def _vertical(self, picture: PILImage.Image, text: str,
                  font: ImageFont.FreeTypeFont | ImageFont.ImageFont, *, x: int, middle: float) -> None:
        from PIL import Image, ImageDraw

        box = ImageDraw.Draw(picture).textbbox((0, 0), text, font=font)
        mask = Image.new("L", (int(box[2]) + 2, int(box[3]) + 2), 0)
        ImageDraw.Draw(mask).text((0, 0), text, font=font, fill=255)
        mask = mask.rotate(90, expand=True)
        picture.paste(INK, (x, int(middle - mask.size[1] / 2)), mask)


ORG_TEAMS = 6  # panels side by side; more teams than this are in the digest's text
ORG_ROWS = 8  # touchpoints, the busiest of the week, in journey order


def org_chart(group: JourneyGroup, week: str, dpi: int = 110) -> bytes | None:
    """The organisation digest's chart: one panel per team, side by side, each with WOW and OW
    per touchpoint (the same touchpoints, matched by slug, on every panel's axis), in the team
    chart's colours and hatching. None when no team had a moment that week."""
    picture = _org_picture(group, week, dpi)
    return None if picture is None else _png(picture, 11, 6)


def compact_org_chart(group: JourneyGroup, week: str, budget: int = CARD_BUDGET) -> bytes | None:
    """The organisation chart small enough for a Teams card (see ``compact_chart``)."""
    for dpi, greys in ((96, 11), (80, 3), (64, 3), (48, 3)):
        picture = _org_picture(group, week, dpi)
        if picture is None:
            return None
        if max(picture.size) > CARD_PIXELS:
            continue
        for level in (6, 9):
            png = _png(picture, greys, level)
            if len(png) <= budget:
                return png
    return None


@dataclass(frozen=True, slots=True)
class _OrgRow:
    label: str
    counts: tuple[tuple[int, int], ...]  # (WOWs, OWs) per team shown, in the panels' order


def _org_picture(group: JourneyGroup, week: str, dpi: int) -> PILImage.Image | None:
    if not group.rows:
        return None
    from bot import words

    busiest = sorted(group.rows, key=lambda r: -(r.wows + r.ows))[:ORG_ROWS]
    teams = range(min(len(group.teams), ORG_TEAMS))
    rows = [_OrgRow(textwrap.fill(r.touchpoint.name, LABEL_WIDTH, max_lines=2, placeholder="…"),
                    tuple((r.teams[t].wows, r.teams[t].ows) for t in teams))
            for r in group.rows if r in busiest]  # journey order, top to bottom
    names = [textwrap.shorten(group.teams[t], 22, placeholder="…") for t in teams]
    return _OrgCanvas(dpi).draw_org(
        words.CHART_TITLE.format(title=group.template.title(), week=week), names, rows,
        words.CHART_TEAM_AXIS)


class _OrgCanvas(_Canvas):
    """Teams side by side: one panel each, sharing the touchpoint axis and the scale."""

    def draw_org(self, title: str, teams: Sequence[str], rows: Sequence[_OrgRow],
                 axis_label: str) -> PILImage.Image:
        from PIL import Image, ImageDraw

        width = self.px((1.6 + 2.3 * len(teams)) * 72)
        height = self.px((2.2 + 0.6 * len(rows)) * 72)
        picture = self.picture = Image.new("RGB", (width, height), "white")
        pen = ImageDraw.Draw(picture)
        start = 0.01 * 72 * (1.6 + 2.3 * len(teams)) + 4  # points from the left edge
        self._title(pen, title, width, start=self.px(start))
        self._legend(pen, size=FONT - 4, at=36, start=start)
        small, label_font = self.font(FONT - 4), self.font(FONT - 3)
        labels = [pen.multiline_textbbox((0, 0), r.label, font=label_font, align="right") for r in rows]
        left = self.px(8) + max(b[2] - b[0] for b in labels) + self.px(7)
        right, top = width - self.px(12), self.px(92)
        bottom = height - self.px(8 + (FONT - 3) * 1.2 + 8 + (FONT - 4) * 1.2 + 8)
        gap = self.px(14)
        panel = (right - left - gap * (len(teams) - 1)) / len(teams)
        most = max(max(c) for r in rows for c in r.counts)
        scale_x = panel / (most * 1.3 + 0.6)  # room for the count after the longest bar
        pitch = (bottom - top) / len(rows)
        bar, axis = 0.4 * pitch, max(1, self.px(0.8))
        for n, (row, box) in enumerate(zip(rows, labels, strict=True)):
            middle = top + (n + 0.5) * pitch
            pen.multiline_text((left - self.px(7) - box[2], middle - (box[3] + box[1]) / 2),
                               row.label, font=label_font, fill=INK, align="right")
        for t, name in enumerate(teams):
            x0 = left + t * (panel + gap)
            pen.text((x0, top - self.px(6)), name, font=self.font(FONT - 2), fill=INK, anchor="ld")
            for n, row in enumerate(rows):
                middle = top + (n + 0.5) * pitch
                wows, ows = row.counts[t]
                self._count_bar(pen, x0, middle - bar, wows, scale_x, bar, WOW_COLOUR, False, small)
                self._count_bar(pen, x0, middle, ows, scale_x, bar, OW_COLOUR, True, small)
                pen.line([(x0 - self.px(3.5), middle), (x0, middle)], fill=INK, width=axis)
            pen.line([(x0, top - self.px(2)), (x0, bottom), (x0 + panel, bottom)], fill=INK,
                     width=axis)
            for value in ticks(panel / scale_x, bins=3):
                x = x0 + value * scale_x
                pen.line([(x, bottom), (x, bottom + self.px(3.5))], fill=INK, width=axis)
                pen.text((x, bottom + self.px(5)), str(value), font=small, fill=INK, anchor="ma")
        pen.text(((left + right) / 2, height - self.px(8)), axis_label, font=label_font, fill=INK,
                 anchor="md")
        return picture

    def _count_bar(self, pen: ImageDraw.ImageDraw, left: float, y: float, count: int,
                   scale_x: float, height: float, colour: str, hatched: bool,
                   font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> None:
        """A bar and its count; nothing at all for none (the panel's gap says it)."""
        if not count:
            return
        end = left + count * scale_x
        self._box(pen, (left, y, end, y + height), colour, hatched)
        pen.text((end + self.px(3), y + height / 2), str(count), font=font, fill=INK, anchor="lm")
