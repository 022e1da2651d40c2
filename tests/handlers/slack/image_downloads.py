"""What Slack does with an image block's ``image_url`` while it handles chat.postMessage: it
downloads the picture there and then, and refuses the whole message when it cannot ("invalid_blocks",
"downloading image failed [json-pointer:/blocks/N/image_url]"), as the stand-ins of the Web API do
(tests/handlers/slack/stand_in.py, recorder.py, bench/weekly.py)."""

from __future__ import annotations

import urllib.request
from typing import Any

PNG = b"\x89PNG\r\n\x1a\n"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy


def image_urls(blocks: Any) -> list[tuple[int, str]]:
    """(position, URL) of each image block that shows its picture by URL."""
    return [(n, str(b["image_url"])) for n, b in enumerate(blocks or [])
            if isinstance(b, dict) and b.get("type") == "image" and "image_url" in b]


def download(url: str, timeout: float = 5.0) -> bytes | None:
    """The picture at ``url`` if it is a PNG that came with 200 and image/png; None otherwise."""
    try:
        with _OPENER.open(url, timeout=timeout) as resp:
            body = resp.read()
            if (resp.status == 200 and resp.headers.get_content_type() == "image/png"
                    and body.startswith(PNG)):
                return bytes(body)
    except (OSError, ValueError):
        pass
    return None


def refusal(blocks: Any, fetched: list[tuple[str, bytes | None]]) -> dict[str, Any] | None:
    """Slack's answer when an image_url of ``blocks`` cannot be downloaded (None: every one
    could); each download tried is added to ``fetched``."""
    for n, url in image_urls(blocks):
        png = download(url)
        fetched.append((url, png))
        if png is None:
            return {"ok": False, "error": "invalid_blocks",
                    "errors": [f"downloading image failed [json-pointer:/blocks/{n}/image_url]"]}
    return None
