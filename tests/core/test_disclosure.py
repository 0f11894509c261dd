"""Statistical disclosure control: worked examples, then properties checked on random tables.

The key property is checked without the module's graph code: for every suppressed number the test
builds, by its own cycle search, another non-negative table that agrees with everything published
and differs at that number, so the number cannot be recomputed from the publication.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import hypothesis
import pytest
from hypothesis import strategies as st

from egide.core.disclosure import ProtectedTable, protect_counts, protect_table

Position = tuple[int, int]
Vertex = tuple[str, int]


def _augmented(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    width = len(counts[0]) if counts else 0
    rows = [[*row, sum(row)] for row in counts]
    return [*rows, [sum(row[c] for row in rows) for c in range(width + 1)]]


def _published(result: ProtectedTable) -> list[list[int | None]]:
    rows: list[list[int | None]] = [[*cells, total] for cells, total in zip(result.cells, result.row_totals, strict=True)]
    return [*rows, [*result.column_totals, result.grand_total]]


def _suppressed(result: ProtectedTable) -> set[Position]:
    return {(r, c) for r, row in enumerate(_published(result)) for c, value in enumerate(row) if value is None}


# --- worked examples -------------------------------------------------------------------------------------------------


def test_small_cell_gets_complements_in_its_row_and_its_column() -> None:
    result = protect_table([[3, 10, 12], [20, 30, 40], [25, 35, 45]], threshold=5)

    # The cheapest rectangle: 10 in the same row, 20 in the same column, 30 to close it.
    assert result.cells == ((None, None, 12), (None, None, 40), (25, 35, 45))
    assert result.row_totals == (25, 90, 105)
    assert result.column_totals == (48, 75, 97)
    assert result.grand_total == 220
    assert result.suppressed_count == 4
    assert result.is_suppressed(0, 0)
    assert not result.is_suppressed(2, 2)


def test_margins_under_the_threshold_are_suppressed() -> None:
    result = protect_table([[1, 2], [10, 20]], threshold=5)

    assert result.row_totals[0] is None  # 1 + 2 = 3 is itself a small count
    # Row 0's total would be the grand total minus row 1's, and row 1's cells would give away row 0's through the column totals.
    assert result.row_totals[1] is None
    assert result.cells == ((None, None), (None, None))
    assert result.column_totals == (11, 22)
    assert result.grand_total == 33


def test_small_grand_total_is_suppressed_and_zeros_around_it_are_not() -> None:
    result = protect_table([[1, 0], [0, 2]], threshold=5)

    assert result.cells == ((None, 0), (0, None))
    assert result.row_totals == (None, None)
    assert result.column_totals == (None, None)
    assert result.grand_total is None


def test_zeros_stay_published() -> None:
    result = protect_table([[0, 3, 12], [0, 9, 20], [0, 11, 30]], threshold=5)

    # Zeros are published and not picked as complements while positive cells can do the job.
    assert result.cells == ((0, None, None), (0, None, None), (0, 11, 30))
    assert result.column_totals == (0, 23, 62)
    assert protect_table([[0, 0], [0, 0]], threshold=5).suppressed_count == 0


def test_threshold_is_read_from_settings(settings: Any) -> None:
    settings.EGIDE_DISCLOSURE_THRESHOLD = 10

    result = protect_table([[7, 40], [30, 50]])

    assert result.threshold == 10
    assert result.cells == ((None, None), (None, None))
    assert (result.row_totals, result.column_totals, result.grand_total) == ((47, 80), (37, 90), 127)
    assert protect_table([[7, 40], [30, 50]], threshold=5).suppressed_count == 0


def test_threshold_of_one_publishes_everything() -> None:
    assert protect_table([[1, 2], [3, 4]], threshold=1).suppressed_count == 0


@pytest.mark.parametrize(
    ("counts", "threshold"),
    [
        ([[1, -1], [2, 3]], 5),  # negative count
        ([[1, 2], [3]], 5),  # ragged rows
        ([[1, 2], [3, 4]], 0),
        ([[1, 2], [3, 4]], -3),
    ],
)
def test_invalid_input_raises_value_error(counts: list[list[int]], threshold: int) -> None:
    with pytest.raises(ValueError, match=r"negative|cells|threshold"):
        protect_table(counts, threshold=threshold)


def test_invalid_counts_mapping_raises_value_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        protect_counts({"a": 4, "b": -1})
    with pytest.raises(ValueError, match="threshold"):
        protect_counts({"a": 4}, threshold=0)


def test_one_dimensional_breakdown_hides_the_small_key_and_a_complement() -> None:
    result = protect_counts({"a": 3, "b": 40, "c": 50}, threshold=5)

    # "a" would be 93 - 40 - 50 if only "a" were hidden; hiding "b" (the cheapest) leaves a + b = 43 only.
    assert dict(result.values) == {"a": None, "b": None, "c": 50}
    assert result.total == 93
    assert result.is_suppressed("a")
    assert result.suppressed_count == 2


def test_one_dimensional_small_total_hides_everything() -> None:
    result = protect_counts({"a": 1, "b": 2, "c": 0}, threshold=5)

    assert dict(result.values) == {"a": None, "b": None, "c": 0}
    assert result.total is None


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([], ProtectedTable(cells=(), row_totals=(), column_totals=(), grand_total=0, threshold=5)),
        ([[]], ProtectedTable(cells=((),), row_totals=(0,), column_totals=(), grand_total=0, threshold=5)),
        ([[3]], ProtectedTable(cells=((None,),), row_totals=(None,), column_totals=(None,), grand_total=None, threshold=5)),
        ([[30]], ProtectedTable(cells=((30,),), row_totals=(30,), column_totals=(30,), grand_total=30, threshold=5)),
        (
            [[3], [40], [50]],
            ProtectedTable(
                cells=((None,), (None,), (50,)), row_totals=(None, None, 50), column_totals=(93,), grand_total=93, threshold=5
            ),
        ),
        ([[0, 0, 0]], ProtectedTable(cells=((0, 0, 0),), row_totals=(0,), column_totals=(0, 0, 0), grand_total=0, threshold=5)),
    ],
)
def test_degenerate_shapes(counts: list[list[int]], expected: ProtectedTable) -> None:
    assert protect_table(counts, threshold=5) == expected


# --- properties on random tables -------------------------------------------------------------------------------------

# Small values and zeros are where suppression gets difficult, so they are drawn more often than 0..30 alone would.
counts_strategy = st.one_of(st.integers(0, 30), st.integers(0, 4))
tables = st.integers(0, 5).flatmap(
    lambda width: st.lists(st.lists(counts_strategy, min_size=width, max_size=width), min_size=0, max_size=5)
)
thresholds = st.integers(1, 10)
fast = hypothesis.settings(max_examples=200, deadline=None, database=None)


@fast
@hypothesis.given(counts=tables, threshold=thresholds)
def test_published_numbers_are_true_and_small_numbers_are_hidden(counts: list[list[int]], threshold: int) -> None:
    result = protect_table(counts, threshold=threshold)

    assert result.threshold == threshold
    for true_row, published_row in zip(_augmented(counts), _published(result), strict=True):
        for true, published in zip(true_row, published_row, strict=True):
            assert published in (true, None)
            if 0 < true < threshold:
                assert published is None


def _cycles_through(position: Position, suppressed: set[Position]) -> Iterator[list[Position]]:
    """Simple cycles of the bipartite row/column graph of suppressed positions, each starting with ``position``."""
    others = sorted(suppressed - {position})

    def paths(vertex: Vertex, target: Vertex, visited: frozenset[Vertex], path: list[Position]) -> Iterator[list[Position]]:
        if vertex == target:
            yield path
            return
        kind, index = vertex
        for r, c in others:
            if (kind, index) not in (("row", r), ("col", c)):
                continue
            following: Vertex = ("col", c) if kind == "row" else ("row", r)
            if following not in visited:
                yield from paths(following, target, visited | {following}, [*path, (r, c)])

    row, col = position
    for path in paths(("col", col), ("row", row), frozenset({("col", col)}), []):
        yield [position, *path]


def _alternative(counts: list[list[int]], suppressed: set[Position], position: Position) -> list[list[int]] | None:
    """A non-negative table obtained by shifting +1/-1 alternately round a cycle through ``position``, if any."""
    height, width = len(counts), len(counts[0])
    for cycle in _cycles_through(position, suppressed):
        for sign in (1, -1):
            alternative = [list(row) for row in counts]
            for step, (r, c) in enumerate(cycle):
                # Totals on the cycle are not shifted by hand: they are recomputed from the interior below.
                if r < height and c < width:
                    alternative[r][c] += sign if step % 2 == 0 else -sign
            if all(value >= 0 for row in alternative for value in row):
                return alternative
    return None


@fast
@hypothesis.given(counts=tables, threshold=thresholds)
def test_no_suppressed_number_can_be_recomputed(counts: list[list[int]], threshold: int) -> None:
    result = protect_table(counts, threshold=threshold)
    published = _published(result)
    suppressed = _suppressed(result)
    truth = _augmented(counts)

    for position in sorted(suppressed):
        alternative = _alternative(counts, suppressed, position)
        assert alternative is not None, f"{position} is recomputable"
        recomputed = _augmented(alternative)
        for r, published_row in enumerate(published):
            for c, value in enumerate(published_row):
                assert value is None or recomputed[r][c] == value
        row, col = position
        assert recomputed[row][col] != truth[row][col]


@fast
@hypothesis.given(counts=tables, threshold=thresholds)
def test_same_input_gives_same_output(counts: list[list[int]], threshold: int) -> None:
    snapshot = [list(row) for row in counts]

    first = protect_table(counts, threshold=threshold)

    assert counts == snapshot
    assert protect_table(tuple(tuple(row) for row in counts), threshold=threshold) == first
    assert protect_table(counts, threshold=threshold) == first
