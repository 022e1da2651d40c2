"""The digest chart: WOW and OW per touchpoint for the week, as a PNG readable on a phone."""

from __future__ import annotations

import io
import textwrap
from typing import Any

from bot.org_views import JourneyGroup
from bot.views import DigestView

WOW_COLOUR = "#0072B2"  # blue and orange: told apart with every common colour-vision deficiency
OW_COLOUR = "#E69F00"
OW_EDGE = "#7A5200"  # the hatching keeps OW apart from WOW in greyscale too
FONT = 15  # points; the PNG is shown about half size on a phone, so this reads as ~8 pt there
LABEL_WIDTH = 14  # characters per line of a touchpoint name, so long names wrap instead of
# squeezing the bars


CARD_BUDGET = 15_000  # bytes of PNG in a Teams card: base64 adds a third; a card tops out at 28 KB
CARD_PIXELS = 1024  # Teams shows inline card images up to 1024 x 1024


def compact_chart(view: DigestView) -> bytes | None:
    """The same chart small enough to travel inside a Teams card as a data URI: drawn for a
    480-pixel-wide phone screen and reduced to a 16-colour palette (the chart has fewer). None
    when the week had no moments or the chart will not fit the card (then the card's own
    table says it all)."""
    from PIL import Image

    for dpi, colours in ((96, 16), (80, 8), (64, 8)):
        png = digest_chart(view, dpi=dpi)
        if png is None:
            return None
        picture = Image.open(io.BytesIO(png))
        if max(picture.size) > CARD_PIXELS:
            continue
        out = io.BytesIO()
        picture.convert("RGB").quantize(colors=colours).save(out, "PNG", optimize=True)
        if len(out.getvalue()) <= CARD_BUDGET:
            return out.getvalue()
    return None


def digest_chart(view: DigestView, dpi: int = 160) -> bytes | None:
    """None when the week had no moments: an empty chart says nothing."""
    rows = [t for t in view.touchpoints if t.wows or t.ows]
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    rows = rows[::-1]  # barh draws bottom-up; reversed, the journey reads top to bottom
    labels = [textwrap.fill(t.touchpoint.name, LABEL_WIDTH, max_lines=2, placeholder="…") for t in rows]
    height = 0.4
    fig, ax = plt.subplots(figsize=(5.0, 2.2 + 0.75 * len(rows)), dpi=dpi)
    ys = range(len(rows))
    wows = [t.wows for t in rows]
    ows = [t.ows for t in rows]
    wow = ax.barh([y + height / 2 for y in ys], wows, height, color=WOW_COLOUR, label="WOW (delighted)")
    ow = ax.barh([y - height / 2 for y in ys], ows, height, color=OW_COLOUR, hatch="//",
                 edgecolor=OW_EDGE, linewidth=[0.8 if n else 0 for n in ows],  # no sliver at zero
                 label="OW (let down)")
    for bars, counts in ((wow, wows), (ow, ows)):
        ax.bar_label(bars, labels=[str(n) for n in counts], padding=4, fontsize=FONT - 2)
    ax.set_yticks(list(ys), labels, fontsize=FONT - 1)
    ax.set_xlabel("Moments this week", fontsize=FONT - 1)
    ax.set_ylabel("Touchpoint", fontsize=FONT - 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.set_xlim(0, max(max(wows), max(ows)) * 1.18 + 0.6)  # room for the count after the longest bar
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="x", labelsize=FONT - 2)
    # Title and legend above the plot, aligned with the figure's left edge: read first, never
    # covering a bar, never cut off by long touchpoint names.
    title = fig.suptitle(f"{view.team} · {view.week}", x=0.03, ha="left", fontsize=FONT + 1,
                         fontweight="bold")
    _fit_width(fig, title)
    fig.legend(handles=[wow, ow], loc="upper left", bbox_to_anchor=(0.02, 1 - 0.42 / fig.get_figheight()),
               ncol=2, fontsize=FONT - 2, frameon=False, handlelength=1.6, columnspacing=1.2)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.72 / fig.get_figheight()))
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def _fit_width(fig: Any, text: Any, smallest: int = 10) -> None:
    """Shrink a long team name's title until it fits the width, then shorten it."""
    renderer = fig.canvas.get_renderer()
    limit = fig.bbox.width * 0.97
    while text.get_window_extent(renderer).x1 > limit and text.get_fontsize() > smallest:
        text.set_fontsize(text.get_fontsize() - 1)
    while text.get_window_extent(renderer).x1 > limit and len(text.get_text()) > 12:
        team, week = text.get_text().rsplit(" · ", 1)
        text.set_text(f"{team.rstrip('…')[:-1]}… · {week}")


ORG_TEAMS = 6  # panels side by side; more teams than this are in the digest's text
ORG_ROWS = 8  # touchpoints, the busiest of the week, in journey order


def org_chart(group: JourneyGroup, week: str, dpi: int = 110) -> bytes | None:
    """The organisation digest's chart: one panel per team, side by side, each with WOW and OW
    per touchpoint (the same touchpoints, matched by slug, on every panel's axis), in the team
    chart's colours and hatching. None when no team had a moment that week."""
    if not group.rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from bot import words

    busiest = sorted(group.rows, key=lambda r: -(r.wows + r.ows))[:ORG_ROWS]
    rows = [r for r in group.rows if r in busiest][::-1]  # journey order, top to bottom
    teams = list(range(min(len(group.teams), ORG_TEAMS)))
    labels = [textwrap.fill(r.touchpoint.name, LABEL_WIDTH, max_lines=2, placeholder="…") for r in rows]
    most = max(max(r.teams[t].wows, r.teams[t].ows) for r in rows for t in teams)
    height = 0.4
    fig, axes = plt.subplots(1, len(teams), sharey=True, squeeze=False, dpi=dpi,
                             figsize=(1.6 + 2.3 * len(teams), 2.2 + 0.6 * len(rows)))
    ys = range(len(rows))
    handles: list[Any] = []
    for t, ax in zip(teams, axes[0], strict=True):
        wows = [r.teams[t].wows for r in rows]
        ows = [r.teams[t].ows for r in rows]
        wow = ax.barh([y + height / 2 for y in ys], wows, height, color=WOW_COLOUR,
                      label="WOW (delighted)")
        ow = ax.barh([y - height / 2 for y in ys], ows, height, color=OW_COLOUR, hatch="//",
                     edgecolor=OW_EDGE, linewidth=[0.8 if n else 0 for n in ows], label="OW (let down)")
        handles = [wow, ow]
        for bars, counts in ((wow, wows), (ow, ows)):
            ax.bar_label(bars, labels=[str(n) if n else "" for n in counts], padding=3,
                         fontsize=FONT - 4)
        ax.set_title(textwrap.shorten(group.teams[t], 22, placeholder="…"), fontsize=FONT - 2,
                     loc="left")
        ax.set_xlim(0, most * 1.3 + 0.6)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=3))
        ax.tick_params(axis="x", labelsize=FONT - 4)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].set_yticks(list(ys), labels, fontsize=FONT - 3)
    fig.supxlabel(words.CHART_TEAM_AXIS, fontsize=FONT - 3)
    fig.suptitle(words.CHART_TITLE.format(title=f"{group.template.title()}", week=week), x=0.02,
                 ha="left", fontsize=FONT, fontweight="bold")
    fig.legend(handles=handles, loc="upper left", ncol=2, fontsize=FONT - 4, frameon=False,
               bbox_to_anchor=(0.01, 1 - 0.36 / fig.get_figheight()))
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.62 / fig.get_figheight()))
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def compact_org_chart(group: JourneyGroup, week: str, budget: int = CARD_BUDGET) -> bytes | None:
    """The organisation chart small enough for a Teams card (see ``compact_chart``)."""
    from PIL import Image

    for dpi, colours in ((96, 16), (80, 16), (64, 8), (48, 8)):
        png = org_chart(group, week, dpi=dpi)
        if png is None:
            return None
        picture = Image.open(io.BytesIO(png))
        if max(picture.size) > CARD_PIXELS:
            continue
        out = io.BytesIO()
        picture.convert("RGB").quantize(colors=colours).save(out, "PNG", optimize=True)
        if len(out.getvalue()) <= budget:
            return out.getvalue()
    return None
