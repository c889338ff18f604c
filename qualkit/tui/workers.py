"""Running slow store work off the UI thread: on a connection of its own, reporting by message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.message import Message
from textual.message_pump import MessagePump

from qualkit.errors import QualkitError


def run_on_own_connection(
    target: MessagePump,
    path: Any,
    task: Callable[[Any], Any],
    *,
    done: Callable[[Any], Message],
    failed: Callable[[str], Message],
    what: str,
) -> None:
    """Call ``task(store)`` with a fresh ``Store`` (SQLite connections stay in their thread) and
    post ``done(result)``, or ``failed(message)``; call it from a thread worker."""
    from qualkit.store import Store

    try:
        with Store.open(path) as store:
            result = task(store)
    except QualkitError as exc:
        target.post_message(failed(str(exc)))
        return
    except Exception as exc:  # a bug must not kill the workbench; show it instead
        target.post_message(failed(f"{what} failed: {exc!r}"))
        return
    target.post_message(done(result))
