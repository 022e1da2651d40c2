"""The organisation in Slack: `/moments org setup #channel` keeps the channel's id, and the
organisation digest carries its charts (as the team digest carries its own, ``notify.py``)."""

from __future__ import annotations

import logging
import re
from typing import Any

from bot import words
from bot.org_views import OrgDigestView
from handlers.uploads import Chart

log = logging.getLogger(__name__)
CHANNEL_ID = re.compile(r"<#([CG][A-Z0-9]+)(\|[^>|]*)?>")


def command_text(body: dict[str, Any]) -> str:
    """The command's text; in `/moments org ...` a named channel (``<#C123|all-sites>``, as
    Slack escapes it) becomes ``#C123|all-sites``: the id the organisation digest is posted to,
    and the name it is shown by."""
    raw = body.get("text")
    raw = raw if isinstance(raw, str) else ""
    if body.get("command") == "/moments" and raw.strip().lower().startswith("org"):
        return CHANNEL_ID.sub(lambda m: f"#{m.group(1)}{m.group(2) or ''}", raw)
    return raw


def org_charts(view: OrgDigestView) -> list[Chart]:
    """One chart a journey (teams side by side), carried in the organisation digest's post
    (``notify.py`` uploads them unshared and shows them in image blocks)."""
    from handlers.charts import org_chart

    charts = []
    for group in view.groups:
        png = org_chart(group, view.week)
        if png is not None:
            charts.append(Chart(png, f"moments-org-{group.template}-{view.week}.png",
                                words.CHART_TITLE.format(title=group.template.title(), week=view.week),
                                words.ORG_CHART_ALT.format(week=view.week)))
    return charts
