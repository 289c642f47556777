"""Images as bundles: PNG, JPEG or WebP only (never SVG: it is a document that can run script
and load URLs), recognized by their magic numbers, with their size read from their headers,
within ``IMAGE_SIDE`` and ``IMAGE_BYTES`` (downscaled by PIL when the user's process has it
loaded, else replaced by a note)."""

from __future__ import annotations

import base64
import io
import struct
import sys
from dataclasses import dataclass
from typing import Any

from nbagent.core.data.limits import FIGURE_DPI, IMAGE_BYTES, IMAGE_SIDE
from nbagent.core.values import type_is

__all__ = ["IMAGE_MIMES", "Image", "figure_image", "image_from_bytes", "pil_image", "sniff"]

IMAGE_MIMES = ("image/png", "image/jpeg", "image/webp")
"""The only image types nbagent shows."""


@dataclass(frozen=True)
class Image:
    """An encoded image within the caps, or ``data`` None and ``note`` saying why not."""

    mime: str
    width: int
    height: int
    data: bytes | None
    note: str = ""

    def describe(self) -> str:
        kind = self.mime.removeprefix("image/").upper()
        size = f"{self.width}x{self.height}" if self.width else "unknown size"
        return f"{kind} image, {size}" + (f" ({self.note})" if self.note else "")

    def bundle(self) -> dict[str, Any] | None:
        """``{"data": {mime: base64}, "metadata": {mime: {width, height}}}``; None without data."""
        if self.data is None:
            return None
        return {
            "data": {self.mime: base64.b64encode(self.data).decode("ascii")},
            "metadata": {self.mime: {"width": self.width, "height": self.height}},
        }


def sniff(data: bytes) -> tuple[str, int, int] | None:
    """(mime, width, height) of PNG, JPEG or WebP bytes, from their headers; None for anything
    else (SVG, GIF, a PNG signature on something that is not one)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return ("image/png", width, height) if width and height else None
    if data.startswith(b"\xff\xd8\xff"):
        size = _jpeg_size(data)
        return ("image/jpeg", *size) if size else None
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        size = _webp_size(data)
        return ("image/webp", *size) if size else None
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length: standalone markers
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        # Start of frame (baseline, progressive, ...), not DHT (C4), JPG (C8) or DAC (CC).
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return (width, height) if width and height else None
        i += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


def image_from_bytes(data: bytes) -> Image | None:
    """Encoded image bytes within the caps (downscaled if need be); None when they are no
    PNG, JPEG or WebP."""
    found = sniff(data)
    if found is None:
        return None
    mime, width, height = found
    if max(width, height) <= IMAGE_SIDE and len(data) <= IMAGE_BYTES:
        return Image(mime, width, height, data)
    pil = sys.modules.get("PIL.Image")
    if pil is not None:
        try:
            with pil.open(io.BytesIO(data)) as img:
                img.load()
                return _encode_pil(img)
        except Exception:  # noqa: BLE001 - bytes PIL cannot read: shown as a note
            pass
    note = f"{len(data):,} bytes, over the cap of {IMAGE_SIDE} px and {IMAGE_BYTES:,} bytes"
    return Image(mime, width, height, None, note + ": not shown")


def pil_image(img: Any) -> Image | None:
    """A PIL Image, downscaled to the caps, as PNG (JPEG when PNG is over the byte cap)."""
    return _encode_pil(img) if type_is(img, "PIL", "Image") else None


def _encode_pil(img: Any) -> Image:
    width, height = img.size
    if max(width, height) > IMAGE_SIDE:
        img = img.copy()
        img.thumbnail((IMAGE_SIDE, IMAGE_SIDE))
    if img.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
        img = img.convert("RGBA")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    mime = "image/png"
    if buf.tell() > IMAGE_BYTES:  # a photo: JPEG is a fraction of the size
        for quality in (85, 70, 50):
            buf = io.BytesIO()
            img.convert("RGB").save(buf, format="JPEG", quality=quality)
            if buf.tell() <= IMAGE_BYTES:
                break
        mime = "image/jpeg"
    w, h = img.size
    data = buf.getvalue()
    if len(data) > IMAGE_BYTES:
        return Image(mime, w, h, None, f"{len(data):,} bytes even downscaled: not shown")
    note = f"downscaled from {width}x{height}" if (w, h) != (width, height) else ""
    return Image(mime, w, h, data, note)


def figure_image(fig: Any) -> Image | None:
    """A matplotlib Figure saved as PNG at ``FIGURE_DPI`` (scaled down when too large)."""
    if not type_is(fig, "matplotlib", "Figure"):
        return None
    width_in, height_in = fig.get_size_inches()
    dpi = min(float(FIGURE_DPI), IMAGE_SIDE / max(width_in, height_in, 1e-3))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return image_from_bytes(buf.getvalue())
