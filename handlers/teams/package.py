"""`moments teams-package`: the Teams app package (manifest.json and two icons, zipped).

The icons are drawn here (a star on Moments' colour, as PNG via zlib), so no binary files live in
the repository.
"""

from __future__ import annotations

import json
import math
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot import words
from bot.config import Settings
from handlers.teams import ids

MANIFEST_VERSION = "1.30"  # the newest Microsoft publishes a schema for
SCHEMA = f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
ACCENT = (0x2B, 0x5C, 0xB8)  # Moments blue
COMMANDS = (  # (title, description): the bot's command menu; Teams shows up to 10 a scope
    ("wow", "A customer was delighted: wow what happened (credit a colleague with @name)"),
    ("ow", "A customer was let down: ow what happened (blameless, filed on a touchpoint)"),
    ("home", words.MANIFEST_HOME),
    ("moments help", "Everything Moments can do"),
    ("moments stats", "This week's WOWs and OWs by touchpoint"),
    ("moments priorities", "Step 1: where it hurts most now"),
    ("moments prompt", "Step 2: this week's question, with a proposal form"),
    ("moments standards", "Our service standards"),
    ("moments mine", "Your recent moments"),
    ("moments digest", "The weekly digest"),
    ("journey", words.MANIFEST_JOURNEY),
    ("moments setup", "Leads: set up a team in this channel, e.g. name=\"Gate crew\" template=airline"),
)
# the home is personal (it lives in the personal chat); the team's own tools live in its channel
PERSONAL_ONLY = frozenset({"home", "moments mine"})
CHANNEL_ONLY = frozenset({"journey", "moments setup"})


def command_lists() -> list[dict[str, Any]]:
    """One menu for the personal chat and one for channels and group chats, 10 commands each."""
    def menu(skip: frozenset[str]) -> list[dict[str, str]]:
        return [{"title": title, "description": description[:128]} for title, description in COMMANDS
                if title not in skip]
    return [{"scopes": ["personal"], "commands": menu(CHANNEL_ONLY)},
            {"scopes": ["team", "groupChat"], "commands": menu(PERSONAL_ONLY)}]


def manifest(settings: Settings, *, version: str = "1.0.0") -> dict[str, Any]:
    app_id = settings.microsoft_app_id
    if not app_id:
        raise ValueError("MICROSOFT_APP_ID is not set: register the bot in Azure first (docs/teams.md).")
    site = settings.public_url if settings.public_url.startswith("https://") else "https://example.com"
    host = urlparse(settings.public_url).hostname
    scopes = ["personal", "team", "groupChat"]  # "groupchat" was refused from 1.17 on
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {"name": "Moments", "websiteUrl": site, "privacyUrl": site, "termsOfUseUrl": site},
        "name": {"short": "Moments", "full": "Moments: moments of truth for frontline teams"},
        "description": {
            "short": "Log WOW and OW customer moments; turn the best responses into standards.",
            "full": ("Moments brings Jan Carlzon's Moments of Truth to frontline teams. Tell Moments "
                     "when a customer was delighted (WOW, crediting a colleague) or let down (OW, "
                     "blameless). Each moment is filed on a touchpoint of your customer journey. "
                     "Every week the team proposes better responses where it hurts most, votes on "
                     "what would delight, and a lead adopts the winner as a service standard."),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [{
            "botId": app_id,
            "scopes": scopes,
            "supportsFiles": False,
            "isNotificationOnly": False,
            "commandLists": command_lists(),
        }],
        "composeExtensions": [{
            "botId": app_id,
            "commands": [{
                "id": ids.LOG_COMMAND,
                "type": "action",
                "title": "Log as a moment",
                "description": "Log this message as a WOW or an OW moment",
                "context": ["message"],
                "fetchTask": True,
            }],
        }],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host] if host else [],
    }


def write_teams_package(settings: Settings, path: Path) -> Path:
    """Writes the zip and returns its path: ``path`` itself when it names a .zip file, else
    moments-teams.zip inside the folder ``path`` (created when it does not exist yet)."""
    target = path if path.suffix.lower() == ".zip" and not path.is_dir() else path / "moments-teams.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest(settings), indent=2, ensure_ascii=False))
        zf.writestr("color.png", star_png(192, background=(*ACCENT, 255), ink=(255, 255, 255, 255)))
        zf.writestr("outline.png", star_png(32, background=(0, 0, 0, 0), ink=(255, 255, 255, 255)))
    return target


# icons


def star_png(size: int, *, background: tuple[int, int, int, int], ink: tuple[int, int, int, int]) -> bytes:
    """A five-pointed star centred on a square; RGBA PNG."""
    centre, outer, inner = size / 2, size * 0.42, size * 0.17
    points = [(centre + (outer if i % 2 == 0 else inner) * math.sin(i * math.pi / 5),
               centre - (outer if i % 2 == 0 else inner) * math.cos(i * math.pi / 5)) for i in range(10)]
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter: none
        for x in range(size):
            rows.extend(ink if _inside(x + 0.5, y + 0.5, points) else background)
    return _png(size, size, bytes(rows))


def _inside(x: float, y: float, polygon: list[tuple[float, float]]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + \
        chunk(b"IEND", b"")
