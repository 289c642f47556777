"""The client's file methods (``fs/read_text_file``, ``fs/write_text_file``): served only inside
the session's directories, by real path, so that ``..`` and symlinks that lead out are refused
with an error the agent reads."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = ["FileRefused", "inside", "read_lines"]


class FileRefused(Exception):
    """A file method refused: its message is what the agent is told."""


def inside(path: str, roots: Sequence[Path], *, notebooks: bool = True) -> Path:
    """The real path of ``path`` if it is absolute and lies in one of ``roots`` (real paths);
    a file that does not exist yet by its parent's real path. Else ``FileRefused``."""
    given = Path(path)
    if not given.is_absolute():
        raise FileRefused(f"{path}: only absolute paths are served")
    real = given.resolve() if given.exists() else given.parent.resolve() / given.name
    if not any(real == root or real.is_relative_to(root) for root in roots):
        where = ", ".join(str(r) for r in roots)
        raise FileRefused(f"{path}: outside the directories this session may use ({where})")
    if not notebooks and real.suffix == ".ipynb":
        raise FileRefused(
            f"{path}: nbagent does not let agents write notebooks behind the user's back "
            "(the author allows it with nbagent.acp(..., allow_notebook_edits=True))"
        )
    return real


def read_lines(real: Path, line: int | None, limit: int | None) -> str:
    """The file's text, from 1-based ``line`` (None: the first), ``limit`` lines at most."""
    try:
        text = real.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileRefused(f"{real}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileRefused(f"{real}: {exc}") from None
    if line is None and limit is None:
        return text
    lines = text.splitlines(keepends=True)
    start = max((line or 1) - 1, 0)
    end = None if limit is None else start + max(limit, 0)
    return "".join(lines[start:end])
