"""What the coding screen's dialog keys do: open a dialog or another screen, and act on what
comes back (save a memo, filter, jump to a hit, reload after the codebook editor)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from qualkit.errors import StorageError
from qualkit.tui.dialogs import (
    CodePicker,
    InfoDialog,
    TextDialog,
    TypeAheadPicker,
    definition,
)
from qualkit.tui.feedback import plural
from qualkit.tui.widgets.panels import CodebookPanel

if TYPE_CHECKING:
    from qualkit.models import Code, Segment
    from qualkit.tui.screens.coding import CodingScreen


class CodingDialogs:
    """Owned by one ``CodingScreen``, whose ``action_*`` methods call these (Textual looks
    actions up on the screen). Everything it reads or changes goes through ``self.screen``."""

    def __init__(self, screen: CodingScreen) -> None:
        self.screen = screen

    def memo(self) -> None:
        """A memo on the selection (a segment, the extended selection or the chosen words), or,
        from the codebook pane, on the highlighted code."""
        screen = self.screen
        panel = screen.query_one(CodebookPanel)
        if panel.has_focus and panel.highlighted_code is not None:
            self.code_memo(panel.highlighted_code)
            return
        spans = screen.view.selected_spans()
        if screen.document is None or not spans:
            return
        document_id = screen.document.id
        span = (min(s for s, _ in spans), max(e for _, e in spans))
        existing = screen.store.memos.at(screen.coder.id, document_id, *span)

        def save(text: str | None) -> None:
            if text is None or (existing is None and not text.strip()):
                return
            try:
                screen.session.set_memo(document_id, span, text)
            except StorageError as exc:
                screen.not_saved(exc)
                return
            screen.load_codings()
            screen.done_action("memo saved" if text.strip() else "memo deleted")

        passage = " ".join(screen.session.text(document_id)[span[0] : span[1]].split())
        title = f"Memo on: {passage[:60]}…" if len(passage) > 60 else f"Memo on: {passage}"
        screen.app.push_screen(TextDialog(title, existing.text if existing else ""), save)

    def code_memo(self, code: Code) -> None:
        screen = self.screen
        existing = screen.session.code_memo(code.id)

        def save(text: str | None) -> None:
            if text is None or (existing is None and not text.strip()):
                return
            screen.session.set_code_memo(code.id, text)
            screen.done_action(f"memo on {code.name} saved" if text.strip() else "memo deleted")

        screen.app.push_screen(
            TextDialog(f"Memo on the code {code.name}", existing.text if existing else ""), save
        )

    def definition(self) -> None:
        """The definitions of the codes on the current segment; of the highlighted code when the
        segment has none or the codebook pane has the focus (the coder is browsing codes)."""
        screen = self.screen
        panel = screen.query_one(CodebookPanel)
        index = screen.view.current_index
        codes = []
        if not panel.has_focus and index is not None:
            codes = screen.view.codes_at(index)
        if not codes:
            codes = [panel.highlighted_code] if panel.highlighted_code is not None else []
        if not codes:
            return
        body = Text()
        for code in codes:
            if len(codes) > 1:
                body.append(f"{code.name}\n", style="bold underline")
            body.append_text(definition(code))
            body.append("\n\n")
        title = codes[0].name if len(codes) == 1 else "Codes on this segment"
        screen.app.push_screen(InfoDialog(title, body))

    def filter(self) -> None:
        """Show only the segments with a chosen code; pressed again, show them all."""
        if self.screen.filter_code is not None:
            self.apply_filter(None)
            return

        def chosen(code_id: int | None) -> None:
            if code_id:
                self.apply_filter(code_id)

        picker = CodePicker("Show only segments with…", self.screen.codes)
        self.screen.app.push_screen(picker, chosen)

    def apply_filter(self, code_id: int | None) -> None:
        screen = self.screen
        screen.filter_code = code_id
        if code_id is None:
            rows = list(range(len(screen.segments)))
        else:
            rows = [
                i
                for i in range(len(screen.segments))
                if any(c.code_id == code_id for c in screen.view.by_segment.get(i, ()))
            ]
        screen.view.set_filter(rows)
        screen.done_action(f"{plural(len(rows), 'segment')} shown")

    def pick_code(self) -> None:
        screen = self.screen
        recent = screen.store.codings.recent_codes(screen.coder.id)

        def chosen(code_id: int | None) -> None:
            if code_id:
                screen.toggle(screen.store.codes.get(code_id))

        picker = TypeAheadPicker("Code the selection with…", screen.codes, recent)
        screen.app.push_screen(picker, chosen)

    def search(self) -> None:
        from qualkit.tui.screens.search import SearchScreen

        screen = self.screen
        search = SearchScreen(screen.store)

        def jump(segment: Segment | None) -> None:
            # The words stay highlighted after the jump; leaving the search (esc) clears them.
            screen.view.set_hits(search.query_text if segment is not None else "")
            if segment is not None:
                screen.open_document(segment.document_id, segment.ordinal)
                screen.done_action("jumped to a search hit")

        screen.app.push_screen(search, jump)

    def codebook(self) -> None:
        from qualkit.tui.screens.codebook import CodebookScreen

        screen = self.screen
        editor = CodebookScreen(screen.session, blind=not screen.view.show_others)
        screen.app.push_screen(editor, self.after_other_screen)

    def after_other_screen(self, _result: object = None) -> None:
        """Codes, codings, coders and progress may all have changed (merges, consensus, topics)."""
        screen = self.screen
        screen.view.coder_names = {c.id: c.name for c in screen.store.codings.coders()}
        screen.reload_codes()
        screen.load_codings(relayout=True)
        screen.refresh_progress()
        screen.update_status()

    def jump(self, target: tuple[int, int] | None) -> None:
        """Open ``target``'s document (id, offset) with the cursor on the segment at the
        offset; what the memos, passages and joint screens return."""
        if target is None:
            return
        screen = self.screen
        document_id, offset = target
        screen.open_document(document_id)
        screen.view.move_to_index(next((i for i, s in enumerate(screen.segments)
                                        if s.end > offset), 0))

    def memos(self) -> None:
        from qualkit.tui.screens.memos import MemosScreen

        screen = self.screen

        memos = MemosScreen(screen.store, screen.coder.name, blind=not screen.view.show_others)
        screen.app.push_screen(memos, self.jump)

    def retrieve(self) -> None:
        from qualkit.tui.screens.passages import PassagesScreen

        screen = self.screen
        code = screen.query_one(CodebookPanel).highlighted_code
        code = code or (screen.codes[0] if screen.codes else None)
        if code is None:
            screen.done_action("no codes yet: add one in the codebook editor (B)")
            return

        def jump(target: tuple[int, int] | None) -> None:
            if target is not None:
                self.jump(target)
                screen.done_action("jumped to a passage")

        coder = None if screen.view.show_others else screen.coder.name
        screen.app.push_screen(PassagesScreen(screen.store, code.name, coder=coder), jump)

    def joint(self) -> None:
        from qualkit.tui.screens.joint import JointScreen

        screen = self.screen

        def jump(target: tuple[int, int] | None) -> None:
            self.after_other_screen()
            self.jump(target)

        screen.app.push_screen(JointScreen(screen.store, screen.coder.name), jump)

    def agreement(self) -> None:
        from qualkit.tui.screens.agreement import AgreementScreen

        screen = self.screen
        screen.app.push_screen(AgreementScreen(screen.store, screen.session),
                               self.after_other_screen)

    def topics(self) -> None:
        from qualkit.tui.screens.topics import TopicsScreen

        screen = self.screen
        screen.app.push_screen(TopicsScreen(screen.store, screen.session), self.after_other_screen)

    def reconcile(self) -> None:
        from qualkit.tui.screens.reconcile import ReconcileScreen

        screen = self.screen
        screen.app.push_screen(ReconcileScreen(screen.store, screen.session),
                               self.after_other_screen)
