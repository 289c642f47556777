"""Ports on 127.0.0.1 for the servers the tests start, and whether a server holds its own.

``free_port()`` asks the system for a port nothing listens on, then lets it go; until the
server binds it, another process may take it (under load, one lane's server answered another
lane's requests with a 404). So a server is up once *its* process listens on its port
(``listening``), not once something there answers.
"""

from __future__ import annotations

import contextlib
import socket

import psutil

__all__ = ["free_port", "listening"]


def free_port() -> int:
    """A port on 127.0.0.1 nothing listened on a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening(pid: int, port: int) -> bool:
    """Whether process ``pid`` itself listens on ``port`` (an accepted connection may be
    another server's, which took the port between ``free_port()`` and this one's bind)."""
    with contextlib.suppress(psutil.Error):
        return any(
            c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port
            for c in psutil.Process(pid).net_connections(kind="tcp")
        )
    return False
