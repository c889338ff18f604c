"""The side panes of the coding screen: documents with my progress, and the codebook."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from qualkit.models import Code, Document
from qualkit.tui.feedback import share


class DocumentList(OptionList):
    """Documents, each with ✓ when I marked it done and the share of its segments I coded."""

    def set_documents(self, documents: list[Document]) -> None:
        self.documents = documents
        self.clear_options()
        self.add_options(Option(d.name, id=str(d.id)) for d in documents)

    def show_progress(self, document_id: int, percent: float, done: bool) -> None:
        index = next(i for i, d in enumerate(self.documents) if d.id == document_id)
        prompt = Text(no_wrap=True, overflow="ellipsis")
        prompt.append("✓" if done else " ", style="bold green")
        prompt.append(f"{share(percent):>4} ", style="dim")
        prompt.append(self.documents[index].name)
        self.replace_option_prompt_at_index(index, prompt)


def code_depth(code_id: int, parents: dict[int, int | None]) -> int:
    """How deep a code sits in the codebook's tree (0 for a top-level code)."""
    depth, parent = 0, parents.get(code_id)
    while parent is not None and depth < 20:
        depth, parent = depth + 1, parents.get(parent)
    return depth


class CodebookPanel(OptionList):
    """The codebook in order: digit (first nine), hotkey, colour, name, and how often I used it."""

    def set_codes(self, codes: list[Code], depth: dict[int, int], counts: dict[int, int]) -> None:
        self.codes = codes
        self.depth = depth
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(
            Option(self._prompt(i, c, counts.get(c.id, 0)), id=str(c.id))
            for i, c in enumerate(codes)
        )
        if codes:
            self.highlighted = min(highlighted or 0, len(codes) - 1)

    def show_count(self, code_id: int, count: int) -> None:
        for index, code in enumerate(self.codes):
            if code.id == code_id:
                self.replace_option_prompt_at_index(index, self._prompt(index, code, count))

    def _prompt(self, index: int, code: Code, count: int) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{index + 1}" if index < 9 else " ", style="bold")
        text.append(f" {code.hotkey or ' '} ", style="bold")
        text.append("  " * self.depth.get(code.id, 0))
        text.append("● ", style=code.color or "")
        text.append(code.name)
        if count:
            text.append(f" {count}", style="dim")
        return text

    @property
    def highlighted_code(self) -> Code | None:
        if self.highlighted is None or not getattr(self, "codes", None):
            return None
        return self.codes[self.highlighted]


class StatusBar(Static):
    """Coder, document, segment n/N, my coverage of the document, mode and the last action."""

    def show(
        self, *, coder: str, document: str, position: str, coded: float, mode: str, last: str
    ) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {coder} ", style="reverse bold")
        text.append(f" {document} ", style="bold")
        text.append(f"segment {position} │ coded {share(coded)}")
        if mode:
            text.append(f" │ {mode}", style="bold")
        if last:
            text.append(f" │ {last}", style="italic")
        self.update(text, layout=False)  # one line, always: no layout pass needed
