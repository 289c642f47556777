"""A small RFC 6902 JSON Patch applier, for AG-UI's ``ACTIVITY_DELTA`` (an activity's content
changed by a patch): ``apply_patch(doc, patch)`` returns the patched copy or raises
``PatchError`` with a one-line reason. Linear in the document and the patch (one copy of the
document, then each operation walks its pointer), and bounded: at most ``MAX_OPS`` operations,
pointers of at most ``MAX_DEPTH`` tokens; ``test`` compares with ``==``."""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["MAX_DEPTH", "MAX_OPS", "PatchError", "apply_patch"]

MAX_OPS = 1000
"""Operations one patch may hold (an activity's patch is a handful)."""
MAX_DEPTH = 64
"""Reference tokens one pointer may hold."""


class PatchError(ValueError):
    """A patch that cannot apply: not a list of operations, an unknown op, a bad pointer, a
    path that is not there, a failed ``test``."""


def _tokens(pointer: Any) -> list[str]:
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise PatchError(f"bad JSON pointer {pointer!r}")
    if not pointer:
        return []
    parts = pointer[1:].split("/", MAX_DEPTH)
    if len(parts) > MAX_DEPTH:
        raise PatchError(f"JSON pointer deeper than {MAX_DEPTH}")
    return [p.replace("~1", "/").replace("~0", "~") for p in parts]


def _index(container: list[Any], token: str, adding: bool) -> int:
    if adding and token == "-":
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token[0] == "0"):
        raise PatchError(f"bad array index {token!r}")
    i = int(token)
    if i > len(container) or (i == len(container) and not adding):
        raise PatchError(f"array index {i} out of range")
    return i


def _parent(doc: Any, tokens: list[str]) -> Any:
    """The container the last token names a member of."""
    node = doc
    for token in tokens[:-1]:
        node = _child(node, token)
    return node


def _child(node: Any, token: str) -> Any:
    if isinstance(node, dict):
        if token not in node:
            raise PatchError(f"no member {token!r}")
        return node[token]
    if isinstance(node, list):
        return node[_index(node, token, False)]
    raise PatchError(f"cannot look up {token!r} in a {type(node).__name__}")


def _get(doc: Any, tokens: list[str]) -> Any:
    return doc if not tokens else _child(_parent(doc, tokens), tokens[-1])


def _remove(doc: Any, tokens: list[str]) -> Any:
    if not tokens:
        raise PatchError("cannot remove the whole document")
    parent, last = _parent(doc, tokens), tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"no member {last!r} to remove")
        return parent.pop(last)
    if isinstance(parent, list):
        return parent.pop(_index(parent, last, False))
    raise PatchError(f"cannot remove from a {type(parent).__name__}")


def _add(doc: Any, tokens: list[str], value: Any, replace: bool = False) -> Any:
    """``doc`` with ``value`` at ``tokens`` (the new document when the pointer is the root)."""
    if not tokens:
        return value
    parent, last = _parent(doc, tokens), tokens[-1]
    if isinstance(parent, dict):
        if replace and last not in parent:
            raise PatchError(f"no member {last!r} to replace")
        parent[last] = value
    elif isinstance(parent, list):
        i = _index(parent, last, not replace)
        if replace:
            parent[i] = value
        else:
            parent.insert(i, value)
    else:
        raise PatchError(f"cannot add to a {type(parent).__name__}")
    return doc


def apply_patch(doc: Any, patch: Any) -> Any:
    """``doc`` (left as it is) with ``patch`` applied: a new document."""
    if not isinstance(patch, list):
        raise PatchError(f"a patch is a list of operations, not {type(patch).__name__}")
    if len(patch) > MAX_OPS:
        raise PatchError(f"a patch of {len(patch)} operations (at most {MAX_OPS})")
    doc = copy.deepcopy(doc)
    for n, op in enumerate(patch, 1):
        if not isinstance(op, dict):
            raise PatchError(f"operation {n} is not an object")
        kind = op.get("op")
        path = _tokens(op.get("path"))
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError(f"operation {n} ({kind}) has no value")
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op["value"]))
        elif kind == "replace":
            doc = _add(doc, path, copy.deepcopy(op["value"]), replace=True)
        elif kind == "remove":
            _remove(doc, path)
        elif kind in ("move", "copy"):
            source = _tokens(op.get("from"))
            if kind == "move" and path[: len(source)] == source and path != source:
                raise PatchError(f"operation {n} moves a value into itself")
            value = _remove(doc, source) if kind == "move" else copy.deepcopy(_get(doc, source))
            doc = _add(doc, path, value)
        elif kind == "test":
            if _get(doc, path) != op["value"]:
                raise PatchError(f"operation {n} (test of {op.get('path')!r}) failed")
        else:
            raise PatchError(f"operation {n} has an unknown op {kind!r}")
    return doc
