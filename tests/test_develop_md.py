"""DEVELOP.md stays a short guide to the contracts, not a history: under ``MAX_BYTES``, citing
no issue numbers, and every file it points at exists (module docstrings are the reference it
points to, so a pointer to a moved or deleted file is a fact lost)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEVELOP = ROOT / "DEVELOP.md"
MAX_BYTES = 30 * 1024
POINTER = re.compile(r"`((?:nbagent|js|tests|docs|docs_hooks|benchmarks)/[\w./-]*)`")


def test_develop_md_is_short() -> None:
    size = len(DEVELOP.read_bytes())
    assert size < MAX_BYTES, f"DEVELOP.md is {size} bytes, over {MAX_BYTES}: point at docstrings"


def test_develop_md_cites_no_issue() -> None:
    found = re.findall(r"issue \d+", DEVELOP.read_text(encoding="utf-8"), re.IGNORECASE)
    assert not found, f"DEVELOP.md says what the code is, not its history: {found}"


def test_every_file_develop_md_points_at_exists() -> None:
    pointers = set(POINTER.findall(DEVELOP.read_text(encoding="utf-8")))
    assert pointers, "DEVELOP.md points at no file of the repository"
    missing = sorted(p for p in pointers if not (ROOT / p.rstrip("/")).exists())
    assert not missing, f"DEVELOP.md points at files that do not exist: {missing}"
