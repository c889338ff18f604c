"""Where each coder was in the coding screen, kept in the project so that a killed terminal (or
the palette's Quit) reopens there: "document id:segment ordinal" in the project's meta."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualkit.store import Store


class SavedPosition:
    """One coder's place; writes only when it changed since the last write."""

    def __init__(self, store: Store, coder: str) -> None:
        self.store = store
        self.key = f"tui.position.{coder}"
        self.saved = store.get_meta(self.key)

    def resume(self, document_ids: Collection[int]) -> tuple[int, int] | None:
        """The saved (document id, segment ordinal), if that document is still there."""
        if self.saved:
            document_id, ordinal = (int(x) for x in self.saved.split(":"))
            if document_id in document_ids:
                return document_id, ordinal
        return None

    def write(self, document_id: int, ordinal: int) -> None:
        position = f"{document_id}:{ordinal}"
        if position == self.saved:
            return
        try:
            self.store.set_meta(self.key, position)
        except Exception:  # locked or disk full: a place is not worth a crash, and the next
            return  # move or coding writes it again
        self.saved = position
