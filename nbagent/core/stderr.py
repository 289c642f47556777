"""A child process's stderr in nbagent's error messages, shared by the producers that run one
(MCP servers over stdio, ACP agents): its last characters (``stderr_tail``), an error message
ending with them (``with_tail``), and an exception said in one line (``describe``); and the
version nbagent tells such a process (``client_version``)."""

from __future__ import annotations

import contextlib
import os
from typing import IO, Any

__all__ = ["DISTRIBUTION", "STDERR_TAIL", "client_version", "describe", "stderr_tail", "with_tail"]

STDERR_TAIL = 2000
"""Characters of a process's stderr that an error message ends with."""


def stderr_tail(errlog: IO[Any] | None) -> str:
    """The last ``STDERR_TAIL`` characters of ``errlog`` (a seekable file the process writes
    its stderr to, text or bytes), stripped; "" when there is none or it cannot be read."""
    if errlog is None or errlog.closed:
        return ""
    with contextlib.suppress(OSError, ValueError):
        errlog.flush()
        size = errlog.seek(0, os.SEEK_END)
        # Up to 4 bytes a character: far enough back for the characters kept.
        errlog.seek(max(0, size - STDERR_TAIL * 4))
        data = errlog.read()
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
        return text[-STDERR_TAIL:].strip()
    return ""


def with_tail(text: str, errlog: IO[Any] | None, whose: str) -> str:
    """``text``, then the end of ``whose`` stderr (``"the server's"``) when it wrote any."""
    tail = stderr_tail(errlog)
    return f"{text}\n--- {whose} stderr (end) ---\n{tail}" if tail else text


def describe(exc: BaseException, *, data: bool = False) -> str:
    """An exception in one line: its type and message (with ``data``, a JSON-RPC error's
    ``data`` after it), one part per cause of an exception group (anyio's and the SDKs')."""
    group = getattr(exc, "exceptions", None)  # an ExceptionGroup (Python 3.10: anyio's backport)
    if isinstance(group, tuple | list) and group:
        return "; ".join(dict.fromkeys(describe(e, data=data) for e in group))
    text = str(exc) or type(exc).__name__
    details = getattr(exc, "data", None) if data else None
    if details:
        text += f" ({details})"
    return text if type(exc).__name__ in text else f"{type(exc).__name__}: {text}"


DISTRIBUTION = "jupyter-nbagent"
"""nbagent's distribution, as pip and PyPI name it (it imports as ``nbagent``; PyPI's
``nbagent`` is another project)."""


def client_version() -> str:
    """nbagent's version, as its client tells a server or an agent ("0" from a source tree
    on ``sys.path``, not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "0"
