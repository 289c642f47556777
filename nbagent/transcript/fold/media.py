"""How the reducer folds a picture or a sound the model made (``Media``, a ``media`` block:
``nbagent/transcript/media.py``): a new block where it came, counted as one delta (the model
produced it); a later part of the same id (a partial image's successor) replaces its fields in
place, one ``set``, which the controller merges with the next when both wait for one flush.
As the run ends, the parts over what a saved run keeps are marked so (``MEDIA_SAVED_BYTES``
each, ``MEDIA_RUN_SAVED_BYTES`` together, in order): one small ``set`` each, their data left
for the page, which may not have drawn it yet (the last part and the run's end often share a
flush)."""

from __future__ import annotations

import nbagent.core.events as E
from nbagent.core.data.limits import MEDIA_RUN_SAVED_BYTES, MEDIA_SAVED_BYTES
from nbagent.transcript.fold.state import FoldState, Op, set_op
from nbagent.transcript.media import ALT_CHARS, MediaBlock, media_fields

__all__ = ["MediaFold"]


class MediaFold(FoldState):
    """The media handler of the reducer, and the saved bound at the run's end."""

    def _on_media(self, ev: E.Media) -> list[Op]:
        fields = media_fields(ev.mime, ev.data, ev.url)
        alt = ev.alt[:ALT_CHARS] if ev.alt else None
        i = self._media_index.get(ev.media_id)
        if i is None:
            block = MediaBlock(ev.media_id, fields, ev.partial)
            block.alt = alt
            return self._add(block, self._count(ev.ts))
        old = self._blocks[i]
        assert isinstance(old, MediaBlock)
        changes = old.replace(fields, ev.partial, alt)
        return [set_op(i, changes)] if changes else []

    def _media_at_end(self) -> list[Op]:
        """The parts a saved run keeps, in order, within the bounds; the others marked."""
        kept = 0
        ops: list[Op] = []
        for i in sorted(self._media_index.values()):
            block = self._blocks[i]
            if not isinstance(block, MediaBlock) or not block.data:
                continue
            if block.size <= MEDIA_SAVED_BYTES and kept + block.size <= MEDIA_RUN_SAVED_BYTES:
                kept += block.size
            else:
                ops.append(set_op(i, block.unsaved()))
        return ops
