"""A topic fit shows real progress from its first second (issue 9, §4): loading the embedding
model is a phase of its own, the BERTopic fit reports its steps (UMAP, HDBSCAN, describing),
and the topics screen's label counts the seconds while a step runs."""

from __future__ import annotations

import pytest
from textual.widgets import ProgressBar

from qualkit.store import Store
from qualkit.topics import FIT_STEPS, TopicOptions, fit_topics
from qualkit.tui.app import make_app

from .test_topics_tui import _screen
from .topics_helpers import FakeEmbedder, fast_parts, make_synthetic_project


class LazyEmbedder(FakeEmbedder):
    """Loads on first use, as the packaged model does."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False

    def load(self) -> None:
        self.loaded = True

    def encode(self, texts):
        assert self.loaded, "encode before load: the 'load' phase was skipped"
        return super().encode(texts)


def seconds(label: str) -> int:
    return int(label.rsplit("· ", 1)[1].removesuffix(" s"))


@pytest.fixture
def synthetic(tmp_path):
    return make_synthetic_project(tmp_path)


def test_fit_reports_loading_embedding_each_fit_step_and_mapping(synthetic):
    calls: list[tuple[str, int, int]] = []
    parts = fast_parts()
    with Store.open(synthetic) as store:
        fit_topics(store, TopicOptions(min_topic_size=10), embedder=LazyEmbedder(),
                   parts=parts, progress=lambda *c: calls.append(c))
    phases = [c[0] for c in calls]
    assert phases[0] == "load" and calls[0][2] == 0  # no measure of its own: a moving bar
    assert phases.index("embed") < phases.index("fit") < phases.index("map")
    fit_steps = [done for phase, done, total in calls if phase == "fit"]
    assert fit_steps == list(range(FIT_STEPS + 1))  # 0 loading … 4 done, each once, in order
    assert all(total == FIT_STEPS for phase, _, total in calls if phase == "fit")
    # The parts come back as they were given: nothing left wrapped on them.
    assert "fit_transform" not in vars(parts.umap_model)

    calls.clear()  # cached embeddings: no model to load, nothing to embed
    with Store.open(synthetic) as store:
        fit_topics(store, TopicOptions(min_topic_size=10), embedder=LazyEmbedder(),
                   parts=fast_parts(), progress=lambda *c: calls.append(c))
    assert "load" not in [c[0] for c in calls]


async def test_the_topics_screen_names_the_step_and_counts_the_seconds(synthetic):
    app = make_app(synthetic, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = _screen(app)
        await app.push_screen(screen)
        await pilot.pause()
        screen._fitting(True)
        screen.show_progress("load", 0, 0)
        await pilot.pause()
        label = str(screen.query_one("#topics-phase").render())
        assert label.startswith("loading the embedding model · ")
        assert screen.query_one(ProgressBar).total is None  # moving, not "0%"
        screen.show_progress("fit", 2, FIT_STEPS)
        await pilot.pause()
        label = str(screen.query_one("#topics-phase").render())
        assert label.startswith("fitting BERTopic: clustering (HDBSCAN) · ")
        first = seconds(label)
        assert screen.query_one(ProgressBar).percentage == pytest.approx(0.5)
        await pilot.pause(1.3)
        assert seconds(str(screen.query_one("#topics-phase").render())) > first  # it ticks
        screen.show_progress("embed", 512, 2740)
        await pilot.pause()
        assert str(screen.query_one("#topics-phase").render()).startswith(
            "embedding segments 512/2,740 · ")
        screen._fitting(False)
