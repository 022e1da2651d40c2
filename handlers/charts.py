"""The digest chart: WOW and OW per touchpoint for the week, as a PNG readable on a phone."""

from __future__ import annotations

import io

from bot.views import DigestView

WOW_COLOUR = "#0072B2"  # blue and orange: told apart with every common colour-vision deficiency
OW_COLOUR = "#E69F00"


def digest_chart(view: DigestView) -> bytes | None:
    """None when the week had no moments: an empty chart says nothing."""
    rows = [t for t in view.touchpoints if t.wows or t.ows]
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = rows[::-1]  # the journey reads top to bottom
    labels = [t.touchpoint.name for t in rows]
    height = 0.38
    fig, ax = plt.subplots(figsize=(6.0, 1.9 + 0.55 * len(rows)), dpi=160)
    ys = range(len(rows))
    wow = ax.barh([y + height / 2 for y in ys], [t.wows for t in rows], height,
                  color=WOW_COLOUR, label="WOW (delighted)")
    ow = ax.barh([y - height / 2 for y in ys], [t.ows for t in rows], height,
                 color=OW_COLOUR, hatch="///", edgecolor="#7a5200", linewidth=0.6, label="OW (let down)")
    for bars in (wow, ow):
        ax.bar_label(bars, labels=[str(int(b.get_width())) if b.get_width() else "" for b in bars],
                     padding=3, fontsize=11)
    ax.set_yticks(list(ys), labels, fontsize=12)
    ax.set_xlabel("Moments this week", fontsize=12)
    ax.set_ylabel("Touchpoint", fontsize=12)
    ax.set_title(f"{view.team}: WOW and OW, {view.week}", fontsize=13, loc="left")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(max(t.wows, t.ows) for t in rows) * 1.2 + 0.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="x", labelsize=11)
    # Below the axis, so the legend never covers a bar.
    ax.legend(loc="upper center", bbox_to_anchor=(0.4, -0.12 - 0.3 / len(rows)), ncol=2, fontsize=11,
              frameon=False)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()
