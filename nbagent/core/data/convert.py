"""A tool's return value as display bundles and the text the model reads (``to_display``),
and bundles from elsewhere checked again (``clean_display``).

A bundle is Jupyter's display data: ``{"data": {mime: value}, "metadata": {mime: {...}}}``,
with ``text/plain`` always, and one of ``application/vnd.nbagent.table+json`` (with
``text/markdown``), ``image/png|jpeg|webp`` (base64, with ``width``/``height`` metadata),
``text/markdown`` or ``text/html`` (a table, sanitized); an MCP tool's sound is
``audio/wav|mpeg|ogg|webm|flac|aac|mp4`` (base64, ``nbagent.core.data.audio``).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from nbagent.core.data.audio import BUNDLE_AUDIO_MIMES, audio_data_ok
from nbagent.core.data.html import page_table_html
from nbagent.core.data.images import (
    IMAGE_MIMES,
    Image,
    figure_image,
    image_from_bytes,
    pil_image,
    sniff,
)
from nbagent.core.data.limits import (
    IMAGE_BYTES,
    IMAGE_SIDE,
    MARKDOWN_CHARS,
    MAX_BUNDLES,
    TEXT_CHARS,
)
from nbagent.core.data.tables import TABLE_MIME, array_text, table_markdown, table_of
from nbagent.core.values import short_repr, type_is

__all__ = ["DataDisplay", "clean_display", "image_size", "to_display"]

_PLAIN = (str, int, float, bool, dict, type(None))


@dataclass(frozen=True)
class DataDisplay:
    """What a rich tool result becomes: bundles to show, text for the model and old views."""

    bundles: list[dict[str, Any]]
    text: str


def to_display(value: Any) -> DataDisplay | None:
    """The bundles of a DataFrame, Series, array, Figure, image, image bytes, an object with
    ``_repr_markdown_``/``_repr_png_``/``_repr_jpeg_``/``_repr_html_`` (a table), or a tuple or
    list of them; None for anything else (plain JSON values included). Never raises."""
    if isinstance(value, _PLAIN):
        return None
    try:
        if isinstance(value, (list, tuple)):
            if not 0 < len(value) <= MAX_BUNDLES or isinstance(value[0], _PLAIN):
                return None
            parts = [_one(v) for v in value]
            if any(p is None for p in parts):
                return None
            done = [p for p in parts if p is not None]
            return DataDisplay([b for b, _ in done], "\n\n".join(t for _, t in done))
        one = _one(value)
    except Exception:  # noqa: BLE001 - a library's failure: the caller falls back to repr
        return None
    return None if one is None else DataDisplay([one[0]], one[1])


def _cut(text: str, limit: int = TEXT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bundle(data: dict[str, Any], metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"data": data, "metadata": metadata or {}}


def _one(obj: Any) -> tuple[dict[str, Any], str] | None:
    """(bundle, model text) of one object, or None."""
    table = table_of(obj)
    if table is not None:
        md = table_markdown(table)
        is_array = type_is(obj, "numpy", "ndarray")
        plain = _cut(array_text(obj) if is_array else short_repr(obj, TEXT_CHARS))
        return _bundle({TABLE_MIME: table, "text/markdown": md, "text/plain": plain}), (
            plain if is_array else md
        )
    if type_is(obj, "numpy", "ndarray"):  # 0-D or 3-D and more: numpy's summary
        text = _cut(array_text(obj))
        return _bundle({"text/plain": text}), text
    image = figure_image(obj) or pil_image(obj)
    if image is None and isinstance(obj, (bytes, bytearray, memoryview)):
        image = image_from_bytes(bytes(obj))
        if image is None:
            return None
    if image is None:
        image = _repr_image(obj)
    if image is not None:
        return _image_bundle(image, obj)
    md = _call_repr(obj, "_repr_markdown_")
    if isinstance(md, str) and len(md) <= MARKDOWN_CHARS:
        plain = short_repr(obj, TEXT_CHARS)
        return _bundle({"text/markdown": md, "text/plain": plain}), md
    html = _call_repr(obj, "_repr_html_")
    cleaned = page_table_html(html) if isinstance(html, str) else None
    if cleaned is not None:
        plain = short_repr(obj, TEXT_CHARS)
        return _bundle({"text/html": cleaned, "text/plain": plain}), plain
    return None


def _call_repr(obj: Any, name: str) -> Any:
    """``obj._repr_*_()`` looked up on its type (an object answering every attribute, a mock
    or a proxy, is not taken at its word); its result, or None."""
    method = getattr(type(obj), name, None)
    if not callable(method):
        return None
    try:
        result = method(obj)
    except Exception:  # noqa: BLE001 - IPython ignores a failing _repr_*_ too
        return None
    return result[0] if isinstance(result, tuple) and result else result  # (data, metadata)


def _repr_image(obj: Any) -> Image | None:
    for name in ("_repr_png_", "_repr_jpeg_"):
        data = _call_repr(obj, name)
        if isinstance(data, str):
            try:
                data = base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                continue
        if isinstance(data, (bytes, bytearray)):
            image = image_from_bytes(bytes(data))
            if image is not None:
                return image
    return None


def _image_bundle(image: Image, obj: Any) -> tuple[dict[str, Any], str]:
    described = image.describe()
    name = "bytes" if isinstance(obj, (bytes, bytearray, memoryview)) else short_repr(obj, 200)
    text = f"{name}: {described}" + ("" if image.data is None else ", shown to the user")
    bundle = image.bundle()
    if bundle is None:
        return _bundle({"text/plain": text}), text
    bundle["data"]["text/plain"] = text
    return bundle, text


def clean_display(display: Any) -> list[dict[str, Any]] | None:
    """Bundles from a source (or a saved state) checked again: known mime types with values of
    the right shape, images and sounds that are what they claim within the caps, HTML
    re-sanitized."""
    if not isinstance(display, list):
        return None
    out = []
    for bundle in display[:MAX_BUNDLES]:
        data = bundle.get("data") if isinstance(bundle, dict) else None
        if not isinstance(data, dict):
            continue
        clean: dict[str, Any] = {}
        metadata: dict[str, Any] = {}
        for mime in ("text/plain", "text/markdown"):
            if isinstance(data.get(mime), str):
                clean[mime] = _cut(data[mime], MARKDOWN_CHARS)
        if _is_table(data.get(TABLE_MIME)):
            clean[TABLE_MIME] = data[TABLE_MIME]
        html = (
            page_table_html(data["text/html"]) if isinstance(data.get("text/html"), str) else None
        )
        if html is not None:
            clean["text/html"] = html
        for mime in IMAGE_MIMES:
            size = image_size(mime, data.get(mime))
            if size is not None:
                clean[mime] = data[mime]
                metadata[mime] = {"width": size[0], "height": size[1]}
        clean.update((m, data[m]) for m in BUNDLE_AUDIO_MIMES if audio_data_ok(m, data.get(m)))
        if clean:
            out.append(_bundle(clean, metadata))
    return out or None


def image_size(mime: str, b64: Any) -> tuple[int, int] | None:
    """(width, height) of a base64 image that is what ``mime`` says, within the caps."""
    if not isinstance(b64, str) or len(b64) > IMAGE_BYTES * 4 // 3 + 4:
        return None
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        return None
    found = sniff(raw)
    if found is None or found[0] != mime or max(found[1], found[2]) > IMAGE_SIDE:
        return None
    return found[1], found[2]


def _is_table(table: Any) -> bool:
    if not isinstance(table, dict):
        return False
    columns, head, tail = table.get("columns"), table.get("head"), table.get("tail")
    shape = table.get("shape")
    return (
        isinstance(columns, list)
        and all(isinstance(c, dict) and isinstance(c.get("name"), str) for c in columns)
        and isinstance(shape, list)
        and all(isinstance(n, int) for n in shape)
        and all(
            isinstance(rows, list)
            and all(isinstance(r, list) and all(isinstance(c, str) for c in r) for r in rows)
            for rows in (head, tail)
        )
        and isinstance(table.get("omitted_rows", 0), int)
    )
