"""Small, fast stand-ins for the topic tests: a synthetic project with three planted themes
(two in its codebook, one not), a hashing embedder and a UMAP-free reducer."""

from __future__ import annotations

import random
import re
import zlib
from pathlib import Path

from qualkit.topics.fit import TopicParts

from .conftest import cli

THEMES = {
    "garden": "garden soil seeds tomatoes compost watering plants harvest".split(),
    "budget": "budget grant funding money dollars costs spending finance".split(),
    "boats": "boat harbor sail fishing anchor dock ferry waves".split(),  # not in the codebook
}
_AXIS = {word: axis for axis, words in enumerate(THEMES.values()) for word in words}
_TEMPLATES = (
    "Honestly the {a} and the {b} were the main thing for us this spring.",
    "We spent most of the week on the {a}, and then on the {b} after that.",
    "I keep telling people that {a} matters more than {b} in the end.",
    "When the {a} went wrong, the {b} went wrong too, every single time.",
)
CODEBOOK = """\
codebook: Synthetic
version: 1
codes:
  - name: Gardening
    description: Talk about the garden, the soil, seeds, compost, watering and plants.
    example: "We put compost in the soil before the seeds went in."
    codes:
      - name: Harvest
        description: Bringing in the harvest of tomatoes and other plants from the garden.
  - name: Money
    description: Talk about the budget, the grant, funding, money, dollars and costs.
    example: "The grant covers the costs, but the budget is tight."
"""


def theme_sentences(theme: str, count: int, rng: random.Random) -> list[str]:
    words = THEMES[theme]
    return [rng.choice(_TEMPLATES).format(a=rng.choice(words), b=rng.choice(words))
            for _ in range(count)]


def make_synthetic_project(folder: Path, *, per_theme: int = 30, codebook: bool = True) -> Path:
    """Three interviews; participants talk about the three themes, interviewers ask."""
    rng = random.Random(7)
    transcripts = folder / "transcripts"
    transcripts.mkdir(parents=True)
    sentences = [s for theme in THEMES for s in theme_sentences(theme, per_theme, rng)]
    rng.shuffle(sentences)
    for number in range(3):
        lines = ["INTERVIEWER: Thanks for talking with me about the program today."]
        for sentence in sentences[number::3]:
            lines += ["INTERVIEWER: Can you tell me more about that?",
                      f"PARTICIPANT: {sentence} Yeah."]
        (transcripts / f"int_{number}.txt").write_text("\n\n".join(lines) + "\n")
    project = folder / "synthetic.qualkit"
    args = ["init", project]
    if codebook:
        (folder / "codebook.yaml").write_text(CODEBOOK)
        args += ["--codebook", folder / "codebook.yaml"]
    assert cli(*args).exit_code == 0
    assert cli("import", project, transcripts).exit_code == 0
    return project


class FakeEmbedder:
    """Bag of words: each theme word counts on its theme's axis, other words on hashed axes."""

    batch_size = 16

    def __init__(self, name: str = "fake-hash", dim: int = 48) -> None:
        self.name, self.dim = name, dim
        self.texts: list[str] = []

    def encode(self, texts):
        import numpy as np

        self.texts += list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                if word in _AXIS:
                    out[row, _AXIS[word]] += 1.0
                else:
                    out[row, 3 + zlib.crc32(word.encode()) % (self.dim - 3)] += 0.15
        return out


def fast_parts() -> TopicParts:
    """PCA instead of UMAP: no numba compilation, and deterministic."""
    from sklearn.decomposition import PCA

    return TopicParts(umap_model=PCA(n_components=5, random_state=0))
