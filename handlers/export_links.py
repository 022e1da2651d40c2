"""Short-lived signed download links for `/moments export` (Teams has no file upload for bots
in channels): GET /export/<token> on `moments serve` answers the CSV.

The token carries who asked and for which team, signed and with an expiry, so any replica can
serve it; the download runs the export again as that person, so the service checks the lead
role again and the file is as fresh as the click.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable

from aiohttp import web

from bot import words as say
from bot.config import Settings
from bot.errors import UserError
from bot.markup import plain
from bot.services import Actor, Services

TTL_SECONDS = 15 * 60
_PROCESS_KEY = secrets.token_bytes(32)  # no configured secret: links work on this process only


def _key(settings: Settings) -> bytes:
    material = settings.microsoft_app_password or settings.encryption_key
    if not material:
        return _PROCESS_KEY
    return hashlib.sha256(b"moments-export:" + material.encode()).digest()


class ExportLinks:
    def __init__(self, settings: Settings, *, now: Callable[[], float] = time.time) -> None:
        self._key = _key(settings)
        self._base = settings.public_url
        self._now = now

    @property
    def available(self) -> bool:
        return bool(self._base)

    def link(self, *, workspace_id: int, team_id: int, actor: Actor) -> str:
        claims = {"w": workspace_id, "t": team_id, "u": actor.user_id, "n": actor.display_name,
                  "a": actor.is_admin, "x": actor.external, "e": int(self._now()) + TTL_SECONDS}
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        return f"{self._base}/export/{body}.{self._sign(body)}"

    def read(self, token: str) -> tuple[int, int, Actor] | None:
        """The token's workspace, team and person; None when forged or expired."""
        body, _, signature = token.partition(".")
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except ValueError:
            return None
        if int(claims["e"]) < self._now():
            return None
        actor = Actor(str(claims["u"]), str(claims["n"]), is_admin=bool(claims["a"]),
                      external=bool(claims["x"]))
        return int(claims["w"]), int(claims["t"]), actor

    def _sign(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()[:32]


def add_export_route(app: web.Application, settings: Settings, services: Services) -> None:
    links = ExportLinks(settings)

    async def download(request: web.Request) -> web.StreamResponse:
        found = links.read(request.match_info["token"])
        if found is None:
            return web.Response(status=404, text=say.EXPORT_LINK_EXPIRED)
        workspace_id, team_id, actor = found
        try:
            export = services.reports.export_moments(workspace_id=workspace_id, team_id=team_id,
                                                     actor=actor)
        except UserError as err:
            return web.Response(status=403, text=plain(err.message))
        return web.Response(body=export.csv().encode(), content_type="text/csv", charset="utf-8",
                            headers={"Content-Disposition":
                                     f'attachment; filename="{export.filename}"'})

    app.router.add_get("/export/{token}", download)
