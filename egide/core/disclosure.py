"""Statistical disclosure control for every count the product publishes.

A published count smaller than the threshold (``settings.EGIDE_DISCLOSURE_THRESHOLD``, 5 by default)
can point at a handful of people: "3 students of this programme declared a disability" is close to
naming them. Such numbers are withheld (primary suppression). Zero is published: it says that nobody
is concerned, which identifies no one.

Withholding a cell is not enough when its row or column total is published: the cell is the total
minus the other, published, cells. So further numbers are withheld (complementary suppression) until
no withheld number can be recomputed from the published ones.

The test for "can be recomputed" uses the augmented (R+1)×(C+1) table, whose last row and last column
hold the totals. Every row and every column of it obeys one linear equation (the cells add up to the
total). Take the bipartite graph whose vertices are the R+1 row indices and the C+1 column indices,
with one edge per withheld position: a withheld value is fixed by those equations exactly when its
edge is a bridge (lies on no cycle), because going round a cycle with +1, -1, +1, ... changes the
withheld values without changing any equation. So, while a bridge remains, the cheapest published
position that closes a cycle through it is withheld too: an interior cell rather than a total (totals
are what readers look at), the smallest positive value (least information lost), a zero only as a
last resort (a withheld zero can only go up, which narrows the possible tables), ties broken by
position so that the same table is always published the same way.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from django.conf import settings

Position = tuple[int, int]


@dataclass(frozen=True, slots=True)
class ProtectedTable:
    """A table ready for publication; ``None`` marks a suppressed number."""

    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    grand_total: int | None
    threshold: int

    def is_suppressed(self, row: int, col: int) -> bool:
        """Whether the interior cell at (row, col) is withheld."""
        return self.cells[row][col] is None

    @property
    def suppressed_count(self) -> int:
        """How many published numbers are withheld: interior cells, totals and the grand total."""
        values = [*(value for row in self.cells for value in row), *self.row_totals, *self.column_totals, self.grand_total]
        return sum(value is None for value in values)


@dataclass(frozen=True, slots=True)
class ProtectedCounts:
    """One breakdown and its total, ready for publication; ``None`` marks a suppressed number."""

    values: Mapping[str, int | None]
    total: int | None
    threshold: int

    def is_suppressed(self, key: str) -> bool:
        return self.values[key] is None

    @property
    def suppressed_count(self) -> int:
        return sum(value is None for value in self.values.values()) + (self.total is None)


def protect_table(counts: Sequence[Sequence[int]], *, threshold: int | None = None) -> ProtectedTable:
    """Publish a rows × columns table of counts with its totals, under primary and complementary suppression."""
    limit = _resolve_threshold(threshold)
    grid = _augmented(_validated(counts))
    suppressed = {(r, c) for r, row in enumerate(grid) for c, value in enumerate(row) if 0 < value < limit}
    while bridges := _bridges(suppressed, len(grid), len(grid[0])):
        # Adding a cell can turn other edges into cycle members too, so bridges are recomputed each round.
        suppressed.add(_complement(min(bridges), grid, suppressed))
    published = [tuple(None if (r, c) in suppressed else value for c, value in enumerate(row)) for r, row in enumerate(grid)]
    return ProtectedTable(
        cells=tuple(row[:-1] for row in published[:-1]),
        row_totals=tuple(row[-1] for row in published[:-1]),
        column_totals=published[-1][:-1],
        grand_total=published[-1][-1],
        threshold=limit,
    )


def protect_counts(counts: Mapping[str, int], *, threshold: int | None = None) -> ProtectedCounts:
    """Publish one breakdown and its total: a one-row table, whose column totals repeat the cells."""
    keys = list(counts)
    table = protect_table([[counts[key] for key in keys]], threshold=threshold)
    return ProtectedCounts(
        values=MappingProxyType(dict(zip(keys, table.cells[0], strict=True))),
        total=table.grand_total,
        threshold=table.threshold,
    )


def _resolve_threshold(threshold: int | None) -> int:
    limit = settings.EGIDE_DISCLOSURE_THRESHOLD if threshold is None else threshold
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"the disclosure threshold must be an integer, not {limit!r}")
    if limit < 1:
        raise ValueError(f"the disclosure threshold must be at least 1, not {limit}")
    return limit


def _validated(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    table = [list(row) for row in counts]
    width = len(table[0]) if table else 0
    for index, row in enumerate(table):
        if len(row) != width:
            raise ValueError(f"row {index} has {len(row)} cells, row 0 has {width}")
        for value in row:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"counts must be integers, not {value!r}")
            if value < 0:
                raise ValueError(f"counts cannot be negative, got {value} in row {index}")
    return table


def _augmented(table: list[list[int]]) -> list[list[int]]:
    """The table with its row totals as an extra column and its column totals and grand total as an extra row."""
    width = len(table[0]) if table else 0
    rows = [[*row, sum(row)] for row in table]
    return [*rows, [sum(row[c] for row in rows) for c in range(width + 1)]]


def _bridges(suppressed: Iterable[Position], n_rows: int, n_cols: int) -> list[Position]:
    """Suppressed positions whose edge lies on no cycle (Tarjan's low-link, iterative to spare the stack)."""
    edges = sorted(suppressed)
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(n_rows + n_cols)]
    for index, (r, c) in enumerate(edges):
        adjacency[r].append((n_rows + c, index))
        adjacency[n_rows + c].append((r, index))
    order = [-1] * len(adjacency)
    low = [0] * len(adjacency)
    found: list[Position] = []
    counter = 0
    for root in range(len(adjacency)):
        if order[root] != -1:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, -1, iter(adjacency[root]))]
        while stack:
            vertex, via, neighbours = stack[-1]
            for neighbour, edge in neighbours:
                if edge == via:
                    continue
                if order[neighbour] == -1:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, edge, iter(adjacency[neighbour])))
                    break
                low[vertex] = min(low[vertex], order[neighbour])
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[vertex])
                    if low[vertex] > order[parent]:
                        found.append(edges[via])
    return found


def _side(start: int, suppressed: set[Position], n_rows: int) -> set[int]:
    """Vertices reachable from ``start`` through suppressed positions (the bridge is removed by the caller)."""
    adjacency: dict[int, list[int]] = {}
    for r, c in suppressed:
        adjacency.setdefault(r, []).append(n_rows + c)
        adjacency.setdefault(n_rows + c, []).append(r)
    reached, queue = {start}, deque([start])
    while queue:
        for neighbour in adjacency.get(queue.popleft(), []):
            if neighbour not in reached:
                reached.add(neighbour)
                queue.append(neighbour)
    return reached


def _complement(bridge: Position, grid: list[list[int]], suppressed: set[Position]) -> Position:
    """The cheapest published position to withhold so that the bridge gets closer to lying on a cycle."""
    n_rows, n_cols = len(grid), len(grid[0])
    others = suppressed - {bridge}
    row, col = bridge
    side_a, side_b = _side(row, others, n_rows), _side(n_rows + col, others, n_rows)
    rows_a, cols_a = {v for v in side_a if v < n_rows}, {v - n_rows for v in side_a if v >= n_rows}
    rows_b, cols_b = {v for v in side_b if v < n_rows}, {v - n_rows for v in side_b if v >= n_rows}
    closing = [(r, c) for r in rows_a for c in cols_b] + [(r, c) for r in rows_b for c in cols_a]
    candidates = [position for position in closing if position not in suppressed]
    if not candidates:
        # Nothing joins the two sides directly, so side A has no row but the bridge's, side B no column but the bridge's,
        # and one of them lacks the other kind of vertex. Grow the side that lacks it towards an untouched line.
        outside_rows = [r for r in range(n_rows) if r not in side_a | side_b]
        outside_cols = [c for c in range(n_cols) if n_rows + c not in side_a | side_b]
        if not cols_a:
            candidates += [(row, c) for c in outside_cols]
        if not rows_b:
            candidates += [(r, col) for r in outside_rows]
    if not candidates:
        # Unreachable for a table with at least one row and one column; withholding everything is the safe answer.
        candidates = [(r, c) for r in range(n_rows) for c in range(n_cols) if (r, c) not in suppressed]
    return min(candidates, key=lambda position: _cost(position, grid))


def _cost(position: Position, grid: list[list[int]]) -> tuple[bool, bool, int, int, int]:
    r, c = position
    value = grid[r][c]
    is_total = r == len(grid) - 1 or c == len(grid[0]) - 1
    return (value == 0, is_total, value, r, c)
