"""Textual bindings and the `?` help, both made from the key contract (qualkit.coding.keys)."""

from __future__ import annotations

from textual.binding import Binding

from qualkit.coding.keys import KeyTable

# Shorter than Textual's own spelling: at 80 columns every cell of the footer counts.
_DISPLAY = {"space": "␣"}


def bindings(table: KeyTable) -> list[Binding]:
    """The screen's bindings, in footer order; only rows with a footer label show there."""
    return [
        Binding(keys, action, label, show=bool(label), key_display=_DISPLAY.get(keys))
        for keys, action, label in table.footer_order()
    ]
