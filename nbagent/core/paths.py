"""This machine's absolute paths said without them (``private_paths``), for what a view shows
and a notebook saves (a tool's traceback, a server's command): a saved notebook is read on
other machines, and must not carry its author's home directory, virtual environment or
checkout.

- A file under a directory of ``sys.path`` reads as a module's path: ``httpx/_client.py``,
  ``nbagent/demo/__init__.py``, ``asyncio/tasks.py``.
- Otherwise, under the working directory (the notebook's): ``./weather_server.py``; under the
  virtual environment's prefix: ``<venv>/bin/python``; under the home directory: ``~/data``.

The longest directory that holds a path wins. Directories of one component (``/usr``,
``/tmp``) are never replaced but for the home directory (``/root``): they say nothing of the
machine's owner.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
from pathlib import PurePath

__all__ = ["private_paths", "shown_command"]

_SEPARATORS = "/\\" if os.sep == "\\" else "/"


def _prefixes() -> list[tuple[str, str]]:
    """``(directory, what it reads as)``, the longest directory first ("": the path under it
    reads relative to it, with no mark)."""
    found: dict[str, str] = {}

    def add(directory: str, label: str, least: int = 2) -> None:
        for d in {directory, os.path.realpath(directory)}:
            d = d.rstrip(_SEPARATORS)
            if os.path.isabs(d) and len(PurePath(d).parts) > least:
                found.setdefault(d, label)

    for entry in sys.path:
        if entry and os.path.isabs(entry):
            add(entry, "")
    with contextlib.suppress(OSError):  # the working directory was deleted
        add(os.getcwd(), ".")
    if sys.prefix != sys.base_prefix:
        add(sys.prefix, "<venv>")
    add(os.path.expanduser("~"), "~", least=1)  # /root too
    return sorted(found.items(), key=lambda kv: len(kv[0]), reverse=True)


def private_paths(text: str) -> str:
    """``text`` with every absolute path under a directory of this machine's said as the
    module docstring says (``~/data/sales.csv``, ``nbagent/demo/__init__.py``); the rest as it
    is. A directory is replaced only where a path goes on after it or ends: ``/home/ann``
    stays in ``/home/anna``."""
    if not text:
        return text
    for directory, label in _prefixes():
        text = _replace(text, directory, label)
    return text


def _replace(text: str, directory: str, label: str) -> str:
    parts: list[str] = []
    start = 0
    while (at := text.find(directory, start)) >= 0:
        end = at + len(directory)
        after = text[end : end + 1]
        if after and after in _SEPARATORS:
            parts += [text[start:at], f"{label}{after}" if label else ""]
            start = end + 1
        elif label and not (after and (after.isalnum() or after in "._-")):
            parts += [text[start:at], label]  # the directory itself, then the path ends
            start = end
        else:  # a longer name that begins like it: not this directory
            parts.append(text[start:end])
            start = end
    parts.append(text[start:])
    return "".join(parts)


def shown_command(argv: list[str]) -> str:
    """A command as a view shows it: its program by name only when given by its absolute
    path (``python``, not the interpreter's path), its arguments through ``private_paths``."""
    if not argv:
        return ""
    program = argv[0]
    if os.path.isabs(program):
        program = PurePath(program).name
    return private_paths(shlex.join([program, *argv[1:]]))
