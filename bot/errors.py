"""Errors a person can act on, and the one place a failure becomes a friendly reply.

A ``UserError`` is shown as its ``message``. Anything else is logged with its traceback and
answered with ``OOPS``: never a stack trace in chat. A door says which failures it handles
itself (``passes``: raised, not answered; the Slack door replays a request the database was
away for) and where to log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bot import words
from bot.views import Reply

log = logging.getLogger(__name__)

OOPS = words.OOPS  # the doors and tests import it from here too


class UserError(Exception):
    """Something the person asked for cannot be done; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(UserError):
    """The person lacks the role (lead or admin) the action needs."""


class NotFound(UserError):
    """The thing referred to does not exist in this workspace."""


def never(err: Exception) -> bool:
    """No failure passes: every one is answered."""
    return False


@contextmanager
def friendly(tell: Callable[[Reply], None], *, what: str = "request",
             passes: Callable[[Exception], bool] = never,
             logger: logging.Logger = log) -> Iterator[None]:
    """Run the block; a failure in it is told to the person through ``tell`` as a Reply.

    ``what`` names the work in the log ("<what> failed"); ``passes``: failures raised to the
    caller instead of answered; ``logger``: the door's log. A ``tell`` that fails itself is
    logged as a warning: the person cannot be told, and nothing else is raised."""
    try:
        yield
    except UserError as err:
        reply = Reply(err.message, error=True)
    except Exception as err:
        if passes(err):
            raise
        logger.exception("%s failed", what)
        reply = Reply(OOPS, error=True)
    else:
        return
    try:
        tell(reply)
    except Exception:
        logger.warning("could not tell the person about an error", exc_info=True)


def friendly_call(fn: Callable[..., Reply], *args: Any, what: str = "request",
                  passes: Callable[[Exception], bool] = never,
                  logger: logging.Logger = log) -> Reply:
    """``fn(*args)``, or the friendly Reply for its failure (see ``friendly``)."""
    told: list[Reply] = []
    with friendly(told.append, what=what, passes=passes, logger=logger):
        return fn(*args)
    return told[0]
