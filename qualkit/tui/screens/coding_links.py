"""The keys of the coding screen that open a dialog or another screen, and what happens when
they come back: kept apart from the screen's core (moving, coding, undo) to keep both small."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from qualkit.errors import StorageError
from qualkit.ingest.metadata import is_researcher
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
        """A memo on the selection (a segment, the extended selection or the chosen words), or,
        from the codebook pane, on the highlighted code."""
        panel = self.query_one(CodebookPanel)
        if panel.has_focus and panel.highlighted_code is not None:
            self._code_memo(panel.highlighted_code)
            return
        spans = self.view.selected_spans()
        if self.document is None or not spans:
            return
        document_id = self.document.id
        span = (min(s for s, _ in spans), max(e for _, e in spans))
        existing = self.store.memos.at(self.coder.id, document_id, *span)

        def save(text: str | None) -> None:
            if text is None or (existing is None and not text.strip()):
                return
            try:
                self.session.set_memo(document_id, span, text)
            except StorageError as exc:
                self.not_saved(exc)
                return
            self.load_codings()
            self.done_action("memo saved" if text.strip() else "memo deleted")

        passage = " ".join(self.session.text(document_id)[span[0] : span[1]].split())
        title = f"Memo on: {passage[:60]}…" if len(passage) > 60 else f"Memo on: {passage}"
        self.app.push_screen(TextDialog(title, existing.text if existing else ""), save)

    def _code_memo(self, code) -> None:
        existing = self.session.code_memo(code.id)

        def save(text: str | None) -> None:
            if text is None or (existing is None and not text.strip()):
                return
            self.session.set_code_memo(code.id, text)
            self.done_action(f"memo on {code.name} saved" if text.strip() else "memo deleted")

        self.app.push_screen(
            TextDialog(f"Memo on the code {code.name}", existing.text if existing else ""), save
        )

    def action_definition(self) -> None:
        """The definitions of the codes on the current segment; of the highlighted code when the
        segment has none or the codebook pane has the focus (the coder is browsing codes)."""
        panel = self.query_one(CodebookPanel)
        index = self.view.current_index
        codes = []
        if not panel.has_focus and index is not None:
            codes = self.view.codes_at(index)
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
        self.app.push_screen(InfoDialog(title, body))

    def action_filter(self) -> None:
        if self.filter_code is not None:
            self.apply_filter(None)
            return

        def chosen(code_id: int | None) -> None:
            if code_id:
                self.apply_filter(code_id)

        self.app.push_screen(CodePicker("Show only segments with…", self.codes), chosen)

    def action_pick_code(self) -> None:
        recent = self.store.codings.recent_codes(self.coder.id)

        def chosen(code_id: int | None) -> None:
            if code_id:
                self.toggle(self.store.codes.get(code_id))

        picker = TypeAheadPicker("Code the selection with…", self.codes, recent)
        self.app.push_screen(picker, chosen)

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
        self.done_action(f"{plural(len(rows), 'segment')} shown")

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

        search = SearchScreen(self.store)

        def jump(segment: Segment | None) -> None:
            # The words stay highlighted after the jump; leaving the search (esc) clears them.
            self.view.set_hits(search.query_text if segment is not None else "")
            if segment is not None:
                self.open_document(segment.document_id, segment.ordinal)
                self.done_action("jumped to a search hit")

        self.app.push_screen(search, jump)

    def action_codebook(self) -> None:
        from qualkit.tui.screens.codebook import CodebookScreen

        self.app.push_screen(
            CodebookScreen(self.session, blind=not self.view.show_others), self.after_other_screen
        )

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

        self.app.push_screen(
            MemosScreen(self.store, self.coder.name, blind=not self.view.show_others), jump
        )

    def action_retrieve(self) -> None:
        from qualkit.tui.screens.passages import PassagesScreen

        code = self.query_one(CodebookPanel).highlighted_code
        code = code or (self.codes[0] if self.codes else None)
        if code is None:
            self.done_action("no codes yet: add one in the codebook editor (B)")
            return

        def jump(target: tuple[int, int] | None) -> None:
            if target is not None:
                document_id, offset = target
                self.open_document(document_id)
                index = next((i for i, s in enumerate(self.segments) if s.end > offset), 0)
                self.view.move_to_index(index)
                self.done_action("jumped to a passage")

        coder = None if self.view.show_others else self.coder.name
        self.app.push_screen(PassagesScreen(self.store, code.name, coder=coder), jump)

    def action_agreement(self) -> None:
        from qualkit.tui.screens.agreement import AgreementScreen

        self.app.push_screen(AgreementScreen(self.store, self.session), self.after_other_screen)

    def action_topics(self) -> None:
        from qualkit.tui.screens.topics import TopicsScreen

        self.app.push_screen(TopicsScreen(self.store, self.session), self.after_other_screen)

    def action_reconcile(self) -> None:
        from qualkit.tui.screens.reconcile import ReconcileScreen

        self.app.push_screen(ReconcileScreen(self.store, self.session), self.after_other_screen)
