"""A run's text from its blocks: the blocks of one kind joined in display order, a paragraph
break where another block (or a message that came whole) stands between two; a picture or a
sound the model made (a ``media`` block) stands in the text where it came and breaks nothing:
the text around it is what the model wrote, as it came."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["join_paragraphs", "joined_text"]


def joined_text(blocks: Iterable[tuple[str, bool, bool, str]], kind: str) -> str:
    """The text of a run's top-level blocks of one ``kind``, in display order, from each
    block's ``(type, nested, whole, text)``: ``Transcript.text`` and the exports' answer.
    Another block between two (but a ``media`` one), or a message that came whole (each is an
    answer of its own), makes a paragraph break; a nested block (a sub-agent's, inside its tool
    call) is left out."""
    return join_paragraphs(_parts(blocks, kind))


def _parts(blocks: Iterable[tuple[str, bool, bool, str]], kind: str) -> Iterable[str | None]:
    for block_type, nested, whole, text in blocks:
        if nested or block_type == "media":
            continue
        if block_type != kind or whole:
            yield None
        if block_type == kind:
            yield text


def join_paragraphs(parts: Iterable[str | None]) -> str:
    """The text of a run's blocks of one kind, in order; ``None`` stands for a block of
    another kind between them. Parts with another block between are separate paragraphs (the
    text of two model calls around a tool call); adjacent parts are joined as they are."""
    out: list[str] = []
    apart = False
    for part in parts:
        if part is None:
            apart = bool(out)
            continue
        if not part:
            continue
        if apart and not out[-1].endswith("\n\n"):
            out.append("\n" if out[-1].endswith("\n") or part.startswith("\n") else "\n\n")
        out.append(part)
        apart = False
    return "".join(out)
