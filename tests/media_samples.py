"""Small pictures and sounds for the media tests: real encodings made by PIL and the standard
library (each a few hundred bytes), and a PNG of any size (a real header, then padding: what
nbagent reads of it is its header and its length)."""

from __future__ import annotations

import base64
import io
import struct
import zlib

from PIL import Image

from tests.mcp_servers import silent_wav


def image(fmt: str, size: tuple[int, int] = (4, 3), color: str = "orange") -> bytes:
    """An image of ``fmt`` (PNG, JPEG, GIF, WEBP) of ``size``."""
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format=fmt)
    return buf.getvalue()


def png_of(n: int, size: tuple[int, int] = (1024, 1024)) -> bytes:
    """``n`` bytes that start as a PNG of ``size`` does (its signature and header chunk)."""
    ihdr = struct.pack(">IIBBBBB", size[0], size[1], 8, 2, 0, 0, 0)
    head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr
    head += struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return head + b"\0" * (n - len(head))


def wav(seconds: float = 0.01, rate: int = 24_000) -> bytes:
    """A mono 16-bit WAV of silence, at the rate OpenAI streams speech."""
    return silent_wav(seconds, rate)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


PNG = image("PNG")
JPEG = image("JPEG")
GIF = image("GIF")
WEBP = image("WEBP")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
