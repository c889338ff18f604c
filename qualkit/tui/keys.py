"""Textual bindings and the `?` help, both made from the key contract (qualkit.coding.keys)."""

from __future__ import annotations

from textual.binding import Binding

from qualkit.coding.keys import KeyTable


def bindings(table: KeyTable) -> list[Binding]:
    """The screen's bindings, in footer order; only rows with a footer label show there."""
    return [
        Binding(keys, action, label, show=bool(label))
        for keys, action, label in table.footer_order()
    ]
