"""``agent.prompt(text, context=[...])``: each context item as ACP prompt content, as far as the
agent's ``promptCapabilities`` allow, decided before anything is sent.

- a path (``str`` or ``os.PathLike``, as ``open`` reads it) → a resource link, which every ACP
  agent takes; a text file the agent may take embedded (``embeddedContext``) and of at most
  ``MAX_EMBED_BYTES`` → the file's text as an embedded resource;
- an image (a matplotlib ``Figure``, a PIL image, PNG/JPEG/GIF/WebP bytes) → an image block,
  only for an agent that takes images;
- a pandas ``DataFrame`` or ``Series`` → a text sample: its shape, dtypes and first rows,
  at most ``MAX_SAMPLE_CHARS`` characters;
- an ACP content block of the SDK → as it is, if the agent takes its kind.

What the agent cannot take raises ``ValueError`` naming the item; what nbagent cannot convert
raises ``TypeError``; a path to nothing ``FileNotFoundError``. Nothing is dropped silently."""

from __future__ import annotations

import base64
import dataclasses
import io
import mimetypes
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["MAX_EMBED_BYTES", "MAX_SAMPLE_CHARS", "SAMPLE_ROWS", "prompt_content"]

MAX_EMBED_BYTES = 256 * 1024
"""A text file larger than this goes as a link even to an agent that takes embedded context."""
SAMPLE_ROWS = 10
"""The rows of a DataFrame's sample."""
MAX_SAMPLE_CHARS = 8000
"""A DataFrame's sample is cut here: the prompt stays small whatever the frame's width."""
MAX_DTYPES = 50
"""Columns whose dtype a sample lists; the rest are counted."""

_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclasses.dataclass(frozen=True)
class _Allows:
    """What the agent's ``promptCapabilities`` let a prompt carry beside text and links."""

    image: bool
    audio: bool
    embedded: bool


def prompt_content(text: str, context: Any, capabilities: Any) -> list[Any]:
    """The prompt's content blocks: ``text``, then one block per ``context`` item (a list or
    tuple of items, or one item). ``capabilities``: the agent's ``AgentCapabilities``."""
    from acp import text_block

    caps = getattr(capabilities, "prompt_capabilities", None)
    allows = _Allows(
        image=bool(getattr(caps, "image", False)),
        audio=bool(getattr(caps, "audio", False)),
        embedded=bool(getattr(caps, "embedded_context", False)),
    )
    items: Sequence[Any] = context if isinstance(context, (list, tuple)) else [context]
    if context is None:
        items = []
    blocks: list[Any] = [text_block(text)]
    blocks += [_block(item, allows, f"context[{i}]") for i, item in enumerate(items)]
    return blocks


def _block(item: Any, allows: _Allows, where: str) -> Any:
    if _is_sdk_block(item):
        return _checked(item, allows, where)
    if isinstance(item, (str, os.PathLike)):
        return _path_block(item, allows, where)
    if isinstance(item, (bytes, bytearray, memoryview)):
        data = bytes(item)
        mime = _image_type(data)
        if mime is None:
            raise TypeError(
                f"{where}: bytes that are not a PNG, JPEG, GIF or WebP image "
                "(nbagent sends bytes only as an image)"
            )
        return _image(data, mime, allows, where, "image bytes")
    kind = _library_kind(item)
    if kind == "figure":
        buffer = io.BytesIO()
        item.savefig(buffer, format="png", bbox_inches="tight")
        return _image(buffer.getvalue(), "image/png", allows, where, "a matplotlib figure")
    if kind == "pil":
        buffer = io.BytesIO()
        item.save(buffer, format="PNG")
        return _image(buffer.getvalue(), "image/png", allows, where, "a PIL image")
    if kind == "frame":
        from acp import text_block

        return text_block(frame_sample(item))
    raise TypeError(
        f"{where}: nbagent cannot send a {type(item).__module__}.{type(item).__qualname__} "
        "as context; it sends paths (str or Path), images (a matplotlib Figure, a PIL image, "
        "PNG or JPEG bytes), pandas DataFrames and Series, and ACP content blocks"
    )


def _is_sdk_block(item: Any) -> bool:
    module = type(item).__module__
    return (module == "acp" or module.startswith("acp.")) and hasattr(item, "type")


def _checked(block: Any, allows: _Allows, where: str) -> Any:
    """An SDK content block, if the agent takes its kind."""
    needs = {"image": allows.image, "audio": allows.audio, "resource": allows.embedded}
    if not needs.get(block.type, True):
        capability = "embeddedContext" if block.type == "resource" else block.type
        raise ValueError(
            f"{where}: this agent does not take {block.type} content "
            f"(its promptCapabilities.{capability} is false)"
        )
    return block


def _path_block(item: str | os.PathLike[str], allows: _Allows, where: str) -> Any:
    from acp.helpers import embedded_text_resource, resource_block, resource_link_block

    path = Path(item).expanduser()
    if not path.exists():
        raise FileNotFoundError(
            f"{where}: {str(item)!r} is no file or directory ({path.resolve()}); a str in "
            "context= is a path: put text in the prompt itself"
        )
    real = path.resolve()
    uri = real.as_uri()
    mime = mimetypes.guess_type(real.name)[0]
    if real.is_dir():
        return resource_link_block(real.name or str(real), uri, description="a directory")
    size = real.stat().st_size
    if allows.embedded and size <= MAX_EMBED_BYTES:
        text = _text_of(real)
        if text is not None:
            return resource_block(embedded_text_resource(uri, text, mime_type=mime or "text/plain"))
    return resource_link_block(real.name, uri, mime_type=mime, size=size)


def _text_of(path: Path) -> str | None:
    """The file's text, or None for a file that is not UTF-8 text (then linked, not embedded)."""
    try:
        data = path.read_bytes()
        return None if b"\x00" in data else data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _image_type(data: bytes) -> str | None:
    for signature, mime in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _image(data: bytes, mime: str, allows: _Allows, where: str, what: str) -> Any:
    from acp.helpers import image_block

    if not allows.image:
        raise ValueError(
            f"{where} ({what}): this agent does not take images (its "
            "promptCapabilities.image is false); save it to a file and pass the path instead"
        )
    return image_block(base64.b64encode(data).decode("ascii"), mime)


def _library_kind(item: Any) -> str | None:
    """Which library object ``item`` is, by its class's module (none of them imported here)."""
    cls = type(item)
    module = cls.__module__.split(".")[0]
    if module == "matplotlib" and hasattr(item, "savefig"):
        return "figure"
    if module == "PIL" and hasattr(item, "save") and hasattr(item, "mode"):
        return "pil"
    if module == "pandas" and cls.__name__ in ("DataFrame", "Series"):
        return "frame"
    return None


def frame_sample(frame: Any) -> str:
    """A pandas DataFrame or Series as a bounded text sample: its shape, each column's dtype
    (the first ``MAX_DTYPES``) and its first ``SAMPLE_ROWS`` rows."""
    is_series = type(frame).__name__ == "Series"
    shape = frame.shape
    if is_series:
        size = f"{shape[0]:,} rows, dtype {frame.dtype}"
        head = f"[context: a pandas Series{f' {frame.name!r}' if frame.name is not None else ''}"
        lines = [f"{head}, {size}]"]
    else:
        lines = [f"[context: a pandas DataFrame, {shape[0]:,} rows, {shape[1]:,} columns]"]
        dtypes = list(frame.dtypes.items())
        lines.append("columns and dtypes:")
        lines += [f"  {name}: {dtype}" for name, dtype in dtypes[:MAX_DTYPES]]
        if len(dtypes) > MAX_DTYPES:
            lines.append(f"  … and {len(dtypes) - MAX_DTYPES:,} more columns")
    shown = min(SAMPLE_ROWS, shape[0])
    lines.append(f"first {shown} rows:" if shown < shape[0] else "all rows:")
    rows = frame.head(SAMPLE_ROWS)
    lines.append(rows.to_string() if is_series else rows.to_string(max_cols=30, max_colwidth=60))
    text = "\n".join(lines)
    if len(text) > MAX_SAMPLE_CHARS:
        text = text[:MAX_SAMPLE_CHARS] + f"\n… (the sample cut at {MAX_SAMPLE_CHARS:,} characters)"
    return text
