"""Coding units on a project: who applied which code where, turned into pattern counts.

Everything here is numpy over flat arrays; nothing reads the store.  Positions are *global*:
the compared documents are laid end to end (``document_bases``), so one sorted array holds the
segments of every document and a single ``searchsorted`` finds the segments a span touches.

A *pattern* is one row of binary decisions, one bit per coder (bit j = coder j applied the code).
Every agreement statistic of a binary code depends on the units only through how many units
show each of the 2**k patterns, so units are reduced to a (codes x 2**k) table of counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MAX_CODERS = 16  # 2**16 patterns per code: beyond this the count table is not worth building
_SLACK = 1e-9  # so that 0.3 of a 10-character segment really is 3 characters


def document_bases(lengths: Sequence[int]) -> np.ndarray:
    """Offset of each document's first character in the documents laid end to end."""
    sizes = np.asarray(lengths, dtype=np.int64)
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]) if sizes.size else sizes


def bits(n_coders: int) -> np.ndarray:
    """(n_coders,) weights that turn a row of 0/1 decisions into its pattern number."""
    if n_coders > MAX_CODERS:
        raise ValueError(f"at most {MAX_CODERS} coders can be compared at once")
    return (1 << np.arange(n_coders)).astype(np.int64)


def segment_presence(
    seg_start: np.ndarray,
    seg_end: np.ndarray,
    spans: np.ndarray,
    *,
    n_codes: int,
    n_coders: int,
    overlap: float = 0.0,
) -> np.ndarray:
    """Whether each coder applied each code to each segment.

    Coder j applied code c to segment s when one of j's c-spans covers at least ``overlap`` of
    s's characters (and at least one character): overlap(span, s) >= overlap * len(s).

    Args:
        seg_start, seg_end: (n_seg,) global segment bounds, sorted by start.
        spans: (m, 4) int array of (global start, global end, code index, coder index).
        n_codes, n_coders: sizes of the result's last two axes.
        overlap: the share F in [0, 1]; 0 means any overlap.

    Returns:
        (n_seg, n_codes, n_coders) boolean array.
    """
    present = np.zeros((seg_start.size, n_codes, n_coders), dtype=bool)
    if not spans.size or not seg_start.size:
        return present
    start, end = spans[:, 0], spans[:, 1]
    # Running maximum of segment ends: robust even if segments were to overlap.
    first = np.searchsorted(np.maximum.accumulate(seg_end), start, side="right")
    stop = np.searchsorted(seg_start, end, side="left")
    count = np.maximum(stop - first, 0)
    owner = np.repeat(np.arange(len(spans)), count)
    offset = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
    seg = first[owner] + offset
    covered = np.minimum(seg_end[seg], end[owner]) - np.maximum(seg_start[seg], start[owner])
    length = seg_end[seg] - seg_start[seg]
    hit = (covered > 0) & (covered + _SLACK >= overlap * length)
    present[seg[hit], spans[owner[hit], 2], spans[owner[hit], 3]] = True
    return present


def pattern_keys(present: np.ndarray) -> np.ndarray:
    """(n_units, n_codes) pattern number of each unit and code, from a units x codes x k array."""
    return present.astype(np.int64) @ bits(present.shape[-1])


def pattern_counts(keys: np.ndarray, n_coders: int) -> np.ndarray:
    """(n_codes, 2**k) number of units showing each pattern, from :func:`pattern_keys`."""
    n_codes = keys.shape[1]
    width = 1 << n_coders
    flat = (np.arange(n_codes, dtype=np.int64) * width + keys).ravel()
    return np.bincount(flat, minlength=n_codes * width).reshape(n_codes, width)


def character_counts(total: int, spans: np.ndarray, *, n_codes: int, n_coders: int) -> np.ndarray:
    """(n_codes, 2**k) number of characters showing each pattern (NVivo's unit).

    A character is coded by coder j with code c when any of j's c-spans contains it.  The text
    is cut at every span boundary; within each piece nobody's coding changes, so each piece adds
    its length to one pattern.  Codes are stacked on one line, code c occupying positions
    c * (total + 1) .. c * (total + 1) + total, so all codes are swept at once.

    Args:
        total: characters in the compared documents.
        spans: (m, 4) int array of (global start, global end, code index, coder index).
    """
    width = 1 << n_coders
    stride = total + 1
    code_base = np.arange(n_codes, dtype=np.int64) * stride
    lane = spans[:, 2].astype(np.int64) * stride
    points = np.concatenate([lane + spans[:, 0], lane + spans[:, 1], code_base, code_base + total])
    cuts, where = np.unique(points, return_inverse=True)
    m = len(spans)
    coder = np.concatenate([spans[:, 3], spans[:, 3]]).astype(np.int64)
    sign = np.concatenate([np.ones(m), -np.ones(m)])
    delta = np.bincount(
        where[: 2 * m] * n_coders + coder, weights=sign, minlength=cuts.size * n_coders
    ).reshape(cuts.size, n_coders)
    # Every span opens and closes within its code's lane, so coverage is back to 0 between lanes.
    covered = np.cumsum(delta, axis=0)[:-1] > 0.5
    length = np.diff(cuts)
    code = cuts[:-1] // stride
    inside = cuts[:-1] % stride != total  # drop the 1-position gap between two lanes
    keys = covered.astype(np.int64) @ bits(n_coders)
    flat = code[inside] * width + keys[inside]
    counts = np.bincount(flat, weights=length[inside], minlength=n_codes * width)
    return np.rint(counts).astype(np.int64).reshape(n_codes, width)


def applied_counts(counts: np.ndarray, n_coders: int) -> np.ndarray:
    """(n_codes, k) units on which each coder applied each code, from pattern counts."""
    patterns = (np.arange(counts.shape[-1])[:, None] >> np.arange(n_coders)) & 1
    return counts @ patterns


def pair_counts(counts: np.ndarray, first: int, second: int) -> np.ndarray:
    """Pattern counts of two coders (4 patterns), summed over the others' decisions."""
    index = np.arange(counts.shape[-1])
    keys = ((index >> first) & 1) + 2 * ((index >> second) & 1)
    return np.bincount(keys, weights=counts, minlength=4).astype(np.int64)
