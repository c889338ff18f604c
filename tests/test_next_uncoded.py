"""The `n` key's rule, without the workbench: the next segment the coder has not coded, in
reading order from the cursor, wrapping round, never an interviewer's or facilitator's turn."""

from __future__ import annotations

from qualkit.coding import next_uncoded
from qualkit.models import Segment

ROLES = {"FACILITATOR": "facilitator", "INTERVIEWER": "Interviewer", "P1": "participant"}


def turns(*speakers: str | None) -> list[Segment]:
    return [
        Segment(id=i + 1, document_id=1, ordinal=i, turn=i, speaker=who, start=10 * i,
                end=10 * i + 9, text="words")
        for i, who in enumerate(speakers)
    ]


SEGMENTS = turns("FACILITATOR", "P1", "P1", "INTERVIEWER", "P1", "P2", None)
ALL = list(range(len(SEGMENTS)))


def test_the_next_uncoded_participant_segment_after_the_cursor():
    assert next_uncoded(SEGMENTS, ALL, 0, ROLES, coded=set()) == 1
    assert next_uncoded(SEGMENTS, ALL, 1, ROLES, coded={2}) == 4  # 2 coded, 3 the interviewer


def test_a_speaker_without_a_role_or_a_segment_without_a_speaker_is_coded_like_a_participant():
    assert next_uncoded(SEGMENTS, ALL, 4, ROLES, coded=set()) == 5  # P2 has no role
    assert next_uncoded(SEGMENTS, ALL, 5, ROLES, coded=set()) == 6  # no speaker at all


def test_it_wraps_round_past_the_last_segment():
    assert next_uncoded(SEGMENTS, ALL, 5, ROLES, coded={6}) == 1  # 0 is the facilitator


def test_the_cursor_s_own_segment_comes_last_and_none_when_all_are_coded():
    assert next_uncoded(SEGMENTS, ALL, 2, ROLES, coded={1, 4, 5, 6}) == 2
    assert next_uncoded(SEGMENTS, ALL, 2, ROLES, coded={1, 2, 4, 5, 6}) is None
    assert next_uncoded(SEGMENTS, [], 0, ROLES, coded=set()) is None


def test_only_the_shown_segments_count_and_the_answer_is_a_position_among_them():
    shown = [0, 2, 3, 5]  # a filter: the segments with some code
    assert next_uncoded(SEGMENTS, shown, 0, ROLES, coded={2}) == 3  # segment 5, 4th shown
    assert next_uncoded(SEGMENTS, shown, 3, ROLES, coded={5}) == 1  # segment 2, wrapped
