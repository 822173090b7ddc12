"""Disclosure control: the one function every report, chart and export shows counts through.

Reports are aggregates, but a small count in a small trust can point at a person ("the one
pharmacist on the programme did not complete"). So:

- **Primary suppression.** A count from 1 to one below ``REPORTS_SUPPRESSION_THRESHOLD``
  (default 5) is shown as "<5" (the threshold in the text). Zero is shown as 0: "nobody" is
  not a disclosure, and hiding it would hide the rest.
- **Secondary suppression.** Counts are disclosed as a *set* that adds up to a total (a row
  of a table and its total; "attended" and "did not attend" of the marks recorded). Where the
  total and the visible cells would let a reader work a hidden count out — by subtraction
  (one hidden cell), or from the bounds "<5" itself gives (two hidden cells that must both
  be 1, or both 4) — the next smallest count is hidden too, shown as "*", and so on until no
  hidden count can be pinned down; as a last resort the total is hidden. A percentage made
  from a hidden count (or a hidden total) is hidden with it.

``disclose(counts, total=...)`` is that one function; ``percentage`` derives a share from
what it returns, never from the raw numbers. Each hidden figure keeps no value at all
(``Figure.value`` is None), so a template, a chart or an export cannot show it by mistake.

What this does not protect against is a reader combining two different tables (participants
by group beside enrolments by status): each set is protected within itself, as the issue
asks, and the page says figures are rounded away below the threshold.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings

UNBOUNDED = float("inf")
SECONDARY_TEXT = "*"  # a count hidden so that a small one cannot be worked out
NOT_APPLICABLE = "—"  # a share of nothing (no division by zero, no "0%" that means nobody)


def threshold() -> int:
    return settings.REPORTS_SUPPRESSION_THRESHOLD


def small_text() -> str:
    return f"<{threshold()}"


class Hidden(StrEnum):
    SMALL = "small"  # between 1 and the threshold: shown as "<5"
    SECONDARY = "secondary"  # would give a small count away: shown as "*"


@dataclass(frozen=True)
class Figure:
    """A number as a report may show it: its text, and its value only when it is shown."""

    value: int | float | None
    text: str
    hidden: Hidden | None = None

    def __str__(self) -> str:
        return self.text

    @property
    def shown(self) -> bool:
        return self.hidden is None and self.value is not None


def _shown(value: int) -> Figure:
    return Figure(value=value, text=f"{value:,}")


def _hidden(reason: Hidden) -> Figure:
    return Figure(value=None, text=small_text() if reason is Hidden.SMALL else SECONDARY_TEXT,
                  hidden=reason)  # fmt: skip


@dataclass(frozen=True)
class Disclosed:
    """A set of counts as they may be shown: each cell, and the total (None if the set has
    none)."""

    cells: dict = field(default_factory=dict)
    total: Figure | None = None

    def __getitem__(self, key) -> Figure:
        return self.cells[key]

    def share(self, key) -> Figure:
        """The cell's percentage of the total (hidden with either)."""
        return percentage(self.cells[key], self.total)

    def items(self):
        return self.cells.items()

    @property
    def any_hidden(self) -> bool:
        figures = [*self.cells.values(), *([self.total] if self.total else [])]
        return any(f.hidden for f in figures)


def _bounds(value: int, reason: Hidden | None, lo_secondary: int) -> tuple[float, float]:
    """What a reader knows of a figure: its exact value, "<5" (1 to threshold-1) or
    nothing but a floor ("*": at least 1, or at least 0 if it is a hidden zero)."""
    if reason is None:
        return value, value
    if reason is Hidden.SMALL:
        return 1, threshold() - 1
    return lo_secondary, UNBOUNDED


def pinned_down(counts: Mapping, hidden: Mapping, total_reason, has_total: bool) -> list:
    """The hidden cells whose value a reader could work out from the total, the visible
    cells and the bounds of the hidden ones (each a box; the cells add up to the total).
    Exact for integer boxes under one sum: cell i can be anything from
    max(lo_i, R_lo - Σ hi_others) to min(hi_i, R_hi - Σ lo_others)."""
    bounds = {
        key: _bounds(value, hidden.get(key), 0 if value == 0 else 1)
        for key, value in counts.items()
    }
    total = sum(counts.values())
    if not has_total:
        total_lo, total_hi = 0, UNBOUNDED
    else:
        total_lo, total_hi = _bounds(total, total_reason, 0 if total == 0 else 1)
    visible = sum(value for key, value in counts.items() if key not in hidden)
    rest_lo, rest_hi = total_lo - visible, total_hi - visible
    found = []
    for key in hidden:
        lo, hi = bounds[key]
        others_lo = sum(bounds[k][0] for k in hidden if k != key)
        others_hi = sum(bounds[k][1] for k in hidden if k != key)
        low = max(lo, rest_lo - others_hi)
        high = min(hi, rest_hi - others_lo)
        if low >= high:
            found.append(key)
    return found


def disclose(counts: Mapping[Hashable, int], *, total: bool = True) -> Disclosed:
    """Disclose a set of counts (in the order given) and, with ``total=True``, their sum.
    Pass ``total=False`` for a lone count or counts that add up to nothing shown."""
    counts = dict(counts)
    for key, value in counts.items():
        if value is None or value < 0:
            raise ValueError(f"A count cannot be {value!r} ({key!r}).")
    small = threshold()
    hidden: dict = {key: Hidden.SMALL for key, value in counts.items() if 0 < value < small}
    grand = sum(counts.values())
    total_reason = Hidden.SMALL if total and 0 < grand < small else None
    order = {key: index for index, key in enumerate(counts)}
    while hidden and pinned_down(counts, hidden, total_reason, total):
        visible = [key for key in counts if key not in hidden]
        nonzero = sorted((k for k in visible if counts[k] > 0), key=lambda k: (counts[k], order[k]))
        zeros = [k for k in visible if counts[k] == 0]
        if nonzero:
            hidden[nonzero[0]] = Hidden.SECONDARY
        elif zeros:
            hidden[zeros[0]] = Hidden.SECONDARY
        elif total and total_reason is not Hidden.SECONDARY:
            total_reason = Hidden.SECONDARY
        else:  # nothing left to hide: cannot happen with a threshold of 3 or more
            break
    cells = {
        key: _hidden(hidden[key]) if key in hidden else _shown(value)
        for key, value in counts.items()
    }
    shown_total = None
    if total:
        shown_total = _hidden(total_reason) if total_reason else _shown(grand)
    return Disclosed(cells=cells, total=shown_total)


def disclose_linked(counts: Mapping[Hashable, int], sets) -> dict[Hashable, Figure]:
    """Disclose counts that belong to several sets at once — a comparison of trusts, where
    each trust's parts add up to its total (completed, did not complete and the rest make its
    enrolments) and each column's trusts add up to their region's figure, and the regions to
    the national one. ``sets`` is a list of ``(parts, total)``: the keys of the parts and the
    key of the cell that is their sum (itself a count in ``counts``, and so maybe a part of
    another set).

    The same rules as ``disclose``, applied to every set until none changes: a count from 1
    to the threshold is hidden ("<5"); wherever one set's visible cells and total would let
    a reader pin a hidden count down, the set's next smallest visible part is hidden ("*"),
    then a zero, and as a last resort its total — which may then be pinned down in the sets
    it is a part of, so the sweep goes on until no set gives anything away.

    Checking each set on its own is not enough when they are linked: two trusts' hidden
    cells in two columns and two rows can pin each other down through the four sums
    although no one sum does. So the sweep is followed by a check of everything at once: what
    a reader can work out of every hidden count from all the sums together (``_reader_bounds``:
    each sum narrows the range of each hidden count in it, over and over, until nothing
    narrows), and while any hidden count's range is a single value, the smallest visible
    count of a set it is in is hidden too. tests/reports/test_comparison.py audits the result
    by linear programming against every sum at once."""
    counts = dict(counts)
    for key, value in counts.items():
        if value is None or value < 0:
            raise ValueError(f"A count cannot be {value!r} ({key!r}).")
    sets = [(list(parts), total) for parts, total in sets]
    for parts, total in sets:
        if sum(counts[part] for part in parts) != counts[total]:
            raise ValueError(f"The parts of {total!r} do not add up to it.")
    small = threshold()
    hidden: dict = {key: Hidden.SMALL for key, value in counts.items() if 0 < value < small}
    order = {key: index for index, key in enumerate(counts)}
    changed = True
    while changed:
        changed = False
        for parts, total in sets:
            while True:
                inside = {part: counts[part] for part in parts}
                hidden_parts = {part: hidden[part] for part in parts if part in hidden}
                if not hidden_parts or not pinned_down(
                    inside, hidden_parts, hidden.get(total), True
                ):
                    break
                visible = [part for part in parts if part not in hidden]
                nonzero = sorted(
                    (k for k in visible if counts[k] > 0), key=lambda k: (counts[k], order[k])
                )
                zeros = [k for k in visible if counts[k] == 0]
                if nonzero:
                    hidden[nonzero[0]] = Hidden.SECONDARY
                elif zeros:
                    hidden[zeros[0]] = Hidden.SECONDARY
                elif hidden.get(total) is not Hidden.SECONDARY:
                    hidden[total] = Hidden.SECONDARY
                else:  # nothing left to hide: cannot happen with a threshold of 3 or more
                    break
                changed = True
    sets_of: dict = {}
    for index, (parts, total) in enumerate(sets):
        for key in (*parts, total):
            sets_of.setdefault(key, []).append(index)
    while True:
        low, high = _reader_bounds(counts, hidden, sets, sets_of)
        pinned = [key for key in hidden if low[key] >= high[key]]
        if not pinned:
            break
        # One more hidden count per pinned one whose sums have had none added this round,
        # then the ranges again (worked out afresh: a count newly hidden widens them).
        touched: set = set()
        chosen = []
        for key in sorted(pinned, key=order.__getitem__):
            if touched.intersection(sets_of.get(key, ())):
                continue
            # The smallest visible count summed with it: a part before a total, a count
            # before a zero. One with every neighbour hidden is pinned through a farther
            # sum, whose own pinned member has a visible neighbour.
            candidates = [
                (member == total, counts[member] == 0, counts[member], order[member], member)
                for index in sets_of.get(key, ())
                for parts, total in [sets[index]]
                for member in (*parts, total)
                if member not in hidden
            ]
            if candidates:
                choice = min(candidates)[-1]
                chosen.append(choice)
                touched.update(sets_of[choice])
        if not chosen:  # cannot happen: some sum pinning a count has a visible member
            break
        for choice in chosen:
            hidden[choice] = Hidden.SECONDARY
    return {
        key: _hidden(hidden[key]) if key in hidden else _shown(value)
        for key, value in counts.items()
    }


def _reader_bounds(counts, hidden, sets, sets_of, *, limit: int = 200_000):
    """The least and greatest value a reader can give each hidden count from every sum at
    once (bound propagation: a sum's other members' ranges narrow each member's, until no
    range narrows). Starts from what the figures say ("<5": 1 to threshold-1; "*": at least
    1, or 0 for a hidden zero, as ``pinned_down`` has it)."""
    low, high = {}, {}
    for key, reason in hidden.items():
        if reason is Hidden.SMALL:
            low[key], high[key] = 1, threshold() - 1
        else:
            low[key], high[key] = (0 if counts[key] == 0 else 1), UNBOUNDED
    queue = list(dict.fromkeys(i for key in hidden for i in sets_of.get(key, ())))
    queued = set(queue)
    steps = 0
    while queue and steps < limit:
        index = queue.pop()
        queued.discard(index)
        steps += 1
        parts, total = sets[index]
        # parts - total = 0: each member's range from the others'.
        members = [(part, 1) for part in parts] + [(total, -1)]

        def span(key, sign):
            if key in hidden:
                a, b = low[key], high[key]
            else:
                a = b = counts[key]
            return (a, b) if sign > 0 else (-b, -a)

        spans = [span(key, sign) for key, sign in members]
        # Sums of ranges that may be infinite: the finite part and how many are infinite
        # (a lower end is never +inf, an upper never -inf, so no inf - inf).
        finite_lo = sum(a for a, _ in spans if a != -UNBOUNDED)
        finite_hi = sum(b for _, b in spans if b != UNBOUNDED)
        infinite_lo = sum(1 for a, _ in spans if a == -UNBOUNDED)
        infinite_hi = sum(1 for _, b in spans if b == UNBOUNDED)
        for (key, sign), (a, b) in zip(members, spans, strict=True):
            if key not in hidden:
                continue
            # sign * x = -(the others' sum)
            if infinite_lo - (a == -UNBOUNDED):
                others_lo = -UNBOUNDED
            else:
                others_lo = finite_lo - (a if a != -UNBOUNDED else 0)
            if infinite_hi - (b == UNBOUNDED):
                others_hi = UNBOUNDED
            else:
                others_hi = finite_hi - (b if b != UNBOUNDED else 0)
            lo, hi = -others_hi, -others_lo
            if sign < 0:
                lo, hi = -hi, -lo
            new_lo, new_hi = max(low[key], lo), min(high[key], hi)
            if new_lo > low[key] or new_hi < high[key]:
                low[key], high[key] = new_lo, new_hi
                for other in sets_of[key]:
                    if other not in queued:  # this set too: its other ranges narrow
                        queue.append(other)
                        queued.add(other)
    return low, high


def too_few(count: int) -> bool:
    """Whether a group of ``count`` people is too small to show anything of at all (fewer
    than the threshold): the effect estimate's groups, and the people still followed at a
    point of its curve."""
    return count < threshold()


def hide_totals_together(*sets: Disclosed) -> list[Disclosed]:
    """Sets whose totals count the same people — the relationship and the outlook answers
    of one survey, each dimension's ratings by the same people — hold one figure several
    times. ``disclose`` hides a total only when it is small (then it is small in every such
    set) or as a last resort, when every count of its set sits at a bound of "<5" (four 4s
    make 16); a copy of it shown in another set, or that set's counts adding up to it, would
    then give every hidden count away. So if any of the totals is hidden, every set shows
    only its zeros and its "<5"s: its total and each other count are hidden as "*" (an
    unbounded "at least one"), and the shares with them."""
    if not any(s.total is not None and s.total.hidden for s in sets):
        return list(sets)

    def hidden(figure: Figure) -> Figure:
        if figure.hidden or figure.value == 0:
            return figure
        return Figure(value=None, text=SECONDARY_TEXT, hidden=Hidden.SECONDARY)

    return [
        Disclosed(
            cells={key: hidden(figure) for key, figure in s.cells.items()},
            total=None if s.total is None else hidden(s.total),
        )
        for s in sets
    ]


def disclose_one(count: int) -> Figure:
    """A lone count, with nothing beside it to give it away."""
    return disclose({"count": count}, total=False)["count"]


def percentage(part: Figure, whole: Figure | None, *, digits: int = 0) -> Figure:
    """``part`` as a percentage of ``whole``: hidden when either is, a dash for a share of
    nothing. Made from figures, never raw counts, so a hidden count cannot leak through it."""
    if whole is None:
        raise ValueError("A percentage needs the total it is a share of.")
    if part.hidden or whole.hidden:
        return Figure(value=None, text=SECONDARY_TEXT, hidden=Hidden.SECONDARY)
    if not whole.value:
        return Figure(value=None, text=NOT_APPLICABLE)
    value = round(100 * part.value / whole.value, digits)
    if digits == 0:
        value = int(value)
    return Figure(value=value, text=f"{value}%")


def hide_if(figure: Figure, *, behind: Figure) -> Figure:
    """``figure`` (hours, say) hidden when the count of people or pairs behind it is."""
    if behind.hidden:
        return Figure(value=None, text=SECONDARY_TEXT, hidden=Hidden.SECONDARY)
    return figure
