"""Slack's request signatures, checked with one short log line for a refusal and nothing of the
request in it.

Bolt's own check logs the whole body of a refused request at INFO. A refused request is often a
genuine one: a server clock a few minutes off, or a signing secret rotated in Slack but not yet
here, refuses every request, and every moment's text would then be written to the log. So the
door checks signatures here, in the door's short way in (``SlackDoorApp.acknowledge``) and in
place of Bolt's middleware for everything else, and says why it refused, never what.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk.signature import SignatureVerifier

from handlers.observability import METRICS

log = logging.getLogger(__name__)
FRESH_FOR = 5 * 60  # seconds, as Slack's reference and slack_sdk's verifier allow


def refusal(verifier: SignatureVerifier | None, body: str, timestamp: str | None,
            signature: str | None) -> str | None:
    """Why a request's signature does not hold, in a few words; None if it holds."""
    if verifier is None:
        return "no signing secret is set (SLACK_SIGNING_SECRET)"
    if not timestamp or not signature:
        return "not signed"
    try:
        stamp = int(timestamp)
    except ValueError:
        return "a timestamp that is no number"
    skew = time.time() - stamp
    if abs(skew) > FRESH_FOR:
        return f"a stale timestamp ({skew:+.0f} s off: is this server's clock right?)"
    if not verifier.is_valid(body, timestamp, signature):
        return "a wrong signature (is SLACK_SIGNING_SECRET the app's current one?)"
    return None


def refused(why: str) -> BoltResponse:
    """The answer to a request whose signature does not hold, and its one log line."""
    log.warning("refused a Slack request (401): %s", why)
    METRICS.inc("slack_requests_refused_total", reason=why.split(" (", 1)[0])
    return BoltResponse(status=401, body='{"error": "invalid request"}',
                        headers={"content-type": "application/json"})


def verifier_for(signing_secret: str) -> SignatureVerifier | None:
    return SignatureVerifier(signing_secret) if signing_secret.strip() else None


class RequestVerification(Middleware):
    """Bolt's check of HTTP requests (Socket Mode's need none), logging as ``refused`` does."""

    def __init__(self, signing_secret: str) -> None:
        self._verifier = verifier_for(signing_secret)

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse:  # noqa: A002 - Bolt's name
        if req.mode == "socket_mode":
            return next()
        why = refusal(self._verifier, req.raw_body, _header(req, "x-slack-request-timestamp"),
                      _header(req, "x-slack-signature"))
        return next() if why is None else refused(why)


def _header(req: BoltRequest, name: str) -> str | None:
    values = req.headers.get(name) or []
    return values[0] if values else None
