"""The work after a Slack request's ack: queued on the listener pool, its claim marked done
when it ends and its replies are answered (``handlers/slack/sender.py``), or released for a
replay when the database was away.

The context keys below are how the inbox (``handlers/slack/inbox.py``), Bolt's middleware and
the listeners pass a request's claim along.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from handlers.observability import request_scope
from handlers.slack.sender import REPLIES, Replies

log = logging.getLogger(__name__)
FINISH = "moments_finish_request"  # context: marks this request's claim done
RELEASE = "moments_release_request"  # context: releases this request's claim for a replay
CLAIM = "moments_claim"  # context: (key, claimed at) of the claim this request holds (at: None on a replay)
TAKEN_ON = "moments_taken_on"  # context: a listener acknowledged the request (its work is queued or done)
REPLAY = "moments_replay_of"  # context: the key of a claim this process took over to replay
REQUEST_ID_KEY = "moments_request_id"  # context: the request id the HTTP server gave the request
ACKED = "moments_acked"  # context: answered already (Inbox.take); the listener's work runs in this thread
# set while the work of a request whose copy is kept runs: a failure because the database is
# away is then not told to the person (``door.friendly``) but replayed once it is back
KEPT: contextvars.ContextVar[bool] = contextvars.ContextVar("moments_kept", default=False)

def database_away(err: BaseException) -> bool:
    """The database could not be reached (refused, dropped, restarting), as opposed to an error
    in what was asked of it: the same work can succeed once it is back."""
    seen: BaseException | None = err
    for _ in range(10):  # the cause chain, bounded
        if seen is None:
            return False
        if isinstance(seen, sa.exc.DBAPIError):
            return seen.connection_invalidated or isinstance(
                seen, (sa.exc.OperationalError, sa.exc.InterfaceError))
        if isinstance(seen, (sa.exc.DisconnectionError, sa.exc.TimeoutError, ConnectionError)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def postpone(err: BaseException) -> bool:
    """Whether a failure of the work running now is left for a replay rather than told: its
    request's copy is kept, and the database was away (see ``after_ack``)."""
    return KEPT.get() and database_away(err)


def after_ack(fn: Callable[..., None]) -> Callable[..., None]:
    """A listener that acknowledges at once and queues ``fn`` on the listener pool, with the
    arguments Bolt gave the listener; when ``fn`` ends, however it ends, and the replies it handed
    to the sender are answered, its request's claim is marked done (an error was already
    answered by ``door.friendly``; running it again would not help). The thread does not wait for
    those replies: it goes on to the next request's work.

    Bolt's own lazy listeners would do the same, but first deep-copy the request (its body, its
    context and the Web API client in it) and parse its body again: about a third of the CPU of
    an acknowledgement. In a long-running process the work can use the request's own objects.
    Bolt passes a listener the arguments its signature names: here, ``fn``'s own plus ``ack``
    and ``context``."""
    wanted = list(inspect.signature(fn).parameters)
    names = list(dict.fromkeys(["ack", "context", *wanted]))

    def run(work: dict[str, Any], context: Any) -> None:
        release = context.get(RELEASE)
        kept = KEPT.set(release is not None)
        finish = context.get(FINISH)
        replies = Replies()
        collecting = REPLIES.set(replies)
        try:
            with request_scope(context.get(REQUEST_ID_KEY)):
                fn(**work)
        except Exception as err:
            if release is not None and database_away(err):
                # acknowledged, and its copy is kept: run again once the database is back,
                # rather than ask the person to (the moment it made, if any, is found by its key)
                log.warning("Slack listener %s could not reach the database (%s); its request "
                            "will be replayed", getattr(fn, "__name__", "?"), type(err).__name__)
                finish = release
            else:
                log.exception("Slack listener %s failed", getattr(fn, "__name__", "?"))
        finally:
            REPLIES.reset(collecting)
            KEPT.reset(kept)
            if finish is not None:
                replies.close(finish)

    def listener(**kwargs: Any) -> None:
        ack, context = kwargs["ack"], kwargs["context"]
        work = {k: kwargs[k] for k in wanted}
        here = bool(context.get(ACKED))  # answered already, and this is a thread of the pool
        if not here:
            # queued before the ack: if the pool refuses (the process is stopping), the listener
            # fails, the answer is a 500 and the claim is given back (Inbox.dispatch)
            context.listener_runner.listener_executor.submit(run, work, context)
        ack()
        context[TAKEN_ON] = True
        if here:
            run(work, context)

    listener.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
    listener.__name__ = getattr(fn, "__name__", "listener")
    return listener


def collecting(fn: Callable[..., None]) -> Callable[..., None]:
    """A Bolt lazy listener (clicks and forms, after ``door.ack_only`` or a form's check) whose
    replies are handed to the sender while it runs, as ``after_ack`` does for events and
    commands: they go out in order and the thread goes on to the next click. Nothing is marked
    done after (a click's claim is Bolt's own); the replies' failures are logged by the sender."""

    @functools.wraps(fn)  # (Bolt passes what the signature names, and knows a lazy one by name)
    def lazy(**kwargs: Any) -> None:
        collecting = REPLIES.set(Replies())
        try:
            fn(**kwargs)
        finally:
            REPLIES.reset(collecting)

    return lazy
