"""The keys of the coding screen that open a dialog or another screen, and what happens when
they come back: kept apart from the screen's core (moving, coding, undo) to keep both small."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualkit.coding.keys import CODING_KEYS
from qualkit.errors import StorageError
from qualkit.ingest.metadata import is_researcher
from qualkit.tui.dialogs import CodePicker, InfoDialog, TextDialog, definition, key_table
from qualkit.tui.widgets.panels import CodebookPanel

if TYPE_CHECKING:
    from qualkit.models import Segment


class CodingLinks:
    """Mixed into ``CodingScreen``; uses its store, session, view and loading methods."""

    def action_next_uncoded(self) -> None:
        view = self.view
        rows = len(view.rows)
        for step in range(1, rows + 1):
            row = (view.selection.cursor + step) % rows
            index = view.rows[row]
            speaker = self.segments[index].speaker
            if is_researcher(self.roles.get(speaker or "")):
                continue
            if not any(c.coder_id == self.coder.id for c in view.by_segment.get(index, ())):
                view.move(row - view.selection.cursor)
                return
        self.done_action("every segment here has your codes")

    def action_memo(self) -> None:
        index = self.view.current_index
        if self.document is None or index is None:
            return
        segment = self.segments[index]
        existing = self.store.memos.at(self.coder.id, self.document.id, segment.start, segment.end)

        def save(text: str | None) -> None:
            if text is None or (existing is None and not text.strip()):
                return
            try:
                self.session.set_memo(self.document.id, (segment.start, segment.end), text)
            except StorageError as exc:
                self.not_saved(exc)
                return
            self.load_codings()
            self.done_action("memo saved" if text.strip() else "memo deleted")

        title = f"Memo on: {segment.text[:60]}…" if len(segment.text) > 60 else segment.text
        self.app.push_screen(TextDialog(title, existing.text if existing else ""), save)

    def action_definition(self) -> None:
        code = self.query_one(CodebookPanel).highlighted_code
        if code is not None:
            self.app.push_screen(InfoDialog(code.name, definition(code)))

    def action_filter(self) -> None:
        if self.filter_code is not None:
            self.apply_filter(None)
            return

        def chosen(code_id: int | None) -> None:
            if code_id:
                self.apply_filter(code_id)

        self.app.push_screen(CodePicker("Show only segments with…", self.codes), chosen)

    def apply_filter(self, code_id: int | None) -> None:
        self.filter_code = code_id
        if code_id is None:
            rows = list(range(len(self.segments)))
        else:
            rows = [
                i
                for i in range(len(self.segments))
                if any(c.code_id == code_id for c in self.view.by_segment.get(i, ()))
            ]
        self.view.set_filter(rows)
        self.done_action(f"{len(rows)} segments shown")

    def action_done(self) -> None:
        if self.document is None:
            return
        try:
            done = self.session.toggle_done(self.document.id)
        except StorageError as exc:
            self.not_saved(exc)
            return
        self._progress_current()
        self.done_action("document marked done" if done else "document marked not done")

    def action_search(self) -> None:
        from qualkit.tui.screens.search import SearchScreen

        def jump(segment: Segment | None) -> None:
            if segment is not None:
                self.open_document(segment.document_id, segment.ordinal)
                self.done_action("jumped to a search hit")

        self.app.push_screen(SearchScreen(self.store), jump)

    def action_help(self) -> None:
        self.app.push_screen(InfoDialog("Keys of the coding screen", key_table(CODING_KEYS)))

    def action_codebook(self) -> None:
        from qualkit.tui.screens.codebook import CodebookScreen

        self.app.push_screen(CodebookScreen(self.session), self.after_other_screen)

    def after_other_screen(self, _result: object = None) -> None:
        """Codes, codings, coders and progress may all have changed (merges, consensus, topics)."""
        self.view.coder_names = {c.id: c.name for c in self.store.codings.coders()}
        self.reload_codes()
        self.load_codings(relayout=True)
        self.refresh_progress()
        self.update_status()

    def action_memos(self) -> None:
        from qualkit.tui.screens.memos import MemosScreen

        def jump(target: tuple[int, int] | None) -> None:
            if target is not None:
                document_id, offset = target
                self.open_document(document_id)
                index = next((i for i, s in enumerate(self.segments) if s.end > offset), 0)
                self.view.move_to_index(index)

        self.app.push_screen(MemosScreen(self.store, self.coder.name), jump)

    def action_agreement(self) -> None:
        from qualkit.tui.screens.agreement import AgreementScreen

        self.app.push_screen(AgreementScreen(self.store, self.session), self.after_other_screen)

    def action_topics(self) -> None:
        from qualkit.tui.screens.topics import TopicsScreen

        self.app.push_screen(TopicsScreen(self.store, self.session), self.after_other_screen)

    def action_reconcile(self) -> None:
        from qualkit.tui.screens.reconcile import ReconcileScreen

        self.app.push_screen(ReconcileScreen(self.store, self.session), self.after_other_screen)
