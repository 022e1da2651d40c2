"""The organisation in Slack: `/moments org setup #channel` keeps the channel's id, and the
organisation digest's chart goes up beside it (as the team digest's does in ``notify.py``)."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_sdk.errors import SlackApiError

from bot import words
from bot.org_views import OrgDigestView
from bot.views import Post

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


def attach_org_charts(client: Any, post: Post) -> None:
    """One chart a journey (teams side by side) under the organisation digest."""
    from handlers.charts import org_chart

    view = post.reply.view
    if not isinstance(view, OrgDigestView):
        return
    for group in view.groups:
        png = org_chart(group, view.week)
        if png is None:
            continue
        try:
            client.files_upload_v2(channel=post.channel, content=png,
                                   filename=f"moments-org-{group.template}-{view.week}.png",
                                   title=words.ORG_CHART_ALT.format(week=view.week))
        except SlackApiError as err:
            log.warning("organisation chart not uploaded to %s: %s", post.channel,
                        err.response.get("error"))
