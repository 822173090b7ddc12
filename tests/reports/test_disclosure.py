"""Disclosure control (reports.disclosure): primary and secondary suppression, by hand and as
properties (Hypothesis): whatever the counts, no hidden count can be worked out from the
total, the visible cells and what "<5" itself says."""

import itertools

import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.disclosure import (
    Hidden,
    disclose,
    disclose_one,
    hide_if,
    percentage,
    pinned_down,
)


def texts(disclosed):
    return {key: figure.text for key, figure in disclosed.items()}


def test_small_counts_are_shown_as_below_the_threshold_and_zero_as_zero():
    shown = disclose({"a": 0, "b": 1, "c": 4, "d": 5, "e": 1200}, total=False)
    assert texts(shown) == {"a": "0", "b": "<5", "c": "<5", "d": "5", "e": "1,200"}
    assert shown["b"].value is None and shown["b"].hidden is Hidden.SMALL
    assert shown["d"].value == 5 and shown["d"].shown


@override_settings(REPORTS_SUPPRESSION_THRESHOLD=10)
def test_the_threshold_is_a_setting_and_the_text_says_it():
    assert disclose_one(9).text == "<10"
    assert disclose_one(10).text == "10"
    assert disclose_one(0).text == "0"


def test_one_small_cell_beside_a_total_hides_the_next_smallest_too():
    shown = disclose({"medical": 3, "nursing": 12, "management": 20})
    assert texts(shown) == {"medical": "<5", "nursing": "*", "management": "20"}
    assert shown.total.text == "35"
    assert shown["nursing"].hidden is Hidden.SECONDARY


def test_the_next_smallest_is_chosen_in_order_when_two_tie():
    shown = disclose({"a": 2, "b": 9, "c": 9, "d": 30})
    assert texts(shown) == {"a": "<5", "b": "*", "c": "9", "d": "30"}


def test_two_small_cells_that_must_both_be_one_are_not_left_alone():
    # 22 - 20 = 2 across two cells each at least 1: both would be 1.
    shown = disclose({"a": 1, "b": 1, "c": 20})
    assert texts(shown) == {"a": "<5", "b": "<5", "c": "*"}


def test_two_small_cells_that_must_both_be_four_are_not_left_alone():
    # 28 - 20 = 8 across two cells each at most 4: both would be 4.
    shown = disclose({"a": 4, "b": 4, "c": 20})
    assert texts(shown) == {"a": "<5", "b": "<5", "c": "*"}


def test_two_small_cells_that_could_be_several_values_stay_as_they_are():
    shown = disclose({"a": 1, "b": 3, "c": 20})
    assert texts(shown) == {"a": "<5", "b": "<5", "c": "20"}


def test_a_small_total_is_hidden_and_so_are_its_cells():
    shown = disclose({"completed": 3, "not completed": 0})
    assert texts(shown) == {"completed": "<5", "not completed": "0"}
    assert shown.total.text == "<5"


def test_a_small_total_of_ones_that_would_pin_each_down_is_hidden_outright():
    # Four cells "<5" adding up to "<5" (at most 4): each would be 1.
    shown = disclose({"a": 1, "b": 1, "c": 1, "d": 1})
    assert shown.total.text == "*"
    assert pinned_down({"a": 1, "b": 1, "c": 1, "d": 1}, dict.fromkeys("abcd", Hidden.SMALL),
                       Hidden.SMALL, True) == list("abcd")  # fmt: skip


def test_a_hidden_total_when_nothing_else_is_left():
    # One small cell and only zeros beside it: the zero goes first (it is the next smallest).
    shown = disclose({"a": 0, "b": 3, "c": 0})
    assert shown.total.text == "<5"
    assert not pinned_down({"a": 0, "b": 3, "c": 0}, {"b": Hidden.SMALL}, Hidden.SMALL, True)


def test_an_empty_set_shows_zeros_and_no_share():
    shown = disclose({"yes": 0, "no": 0})
    assert texts(shown) == {"yes": "0", "no": "0"}
    assert shown.total.text == "0"
    assert shown.share("yes").text == "—" and shown.share("yes").value is None


def test_percentages_are_hidden_with_the_counts_they_come_from():
    shown = disclose({"led": 3, "not led": 40})
    assert shown.share("led").text == "*" and shown.share("led").value is None
    assert shown.share("not led").text == "*"  # hidden secondarily: its share would tell
    visible = disclose({"led": 30, "not led": 10})
    assert visible.share("led").text == "75%" and visible.share("led").value == 75
    assert percentage(visible["led"], visible.total, digits=1).text == "75.0%"


def test_a_share_of_a_hidden_total_is_hidden():
    shown = disclose({"a": 2, "b": 0})
    assert shown.share("b").hidden


def test_figures_behind_a_hidden_count_are_hidden():
    pairs = disclose_one(3)
    hours = disclose_one(120)
    assert hide_if(hours, behind=pairs).text == "*"
    assert hide_if(hours, behind=disclose_one(6)) is hours


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        disclose({"a": -1})


# --- properties ------------------------------------------------------------------------------

counts_sets = st.dictionaries(
    st.sampled_from("abcdefg"), st.integers(min_value=0, max_value=40), min_size=1, max_size=7
)


def feasible(disclosed, threshold=5, limit=60):
    """Every assignment of the hidden cells (up to ``limit`` each) consistent with what is
    shown: brute force, independent of the code under test."""
    keys = list(disclosed.cells)
    ranges = []
    for key in keys:
        figure = disclosed[key]
        if figure.shown:
            ranges.append([figure.value])
        elif figure.hidden is Hidden.SMALL:
            ranges.append(range(1, threshold))
        else:
            ranges.append(range(0, limit + 1))
    total = disclosed.total
    for values in itertools.product(*ranges):
        grand = sum(values)
        if total is not None:
            if total.shown and grand != total.value:
                continue
            if total.hidden is Hidden.SMALL and not (1 <= grand < threshold):
                continue
        yield dict(zip(keys, values, strict=True))


@settings(max_examples=150, deadline=None)
@given(counts=st.dictionaries(st.sampled_from("abcd"), st.integers(0, 12), min_size=1, max_size=4))
def test_no_hidden_count_can_be_recomputed_from_the_total_and_the_visible_cells(counts):
    disclosed = disclose(counts)
    hidden = [key for key, figure in disclosed.items() if figure.hidden]
    possible = {key: set() for key in hidden}
    for assignment in feasible(disclosed, limit=sum(counts.values()) + 5):
        for key in hidden:
            possible[key].add(assignment[key])
    for key in hidden:
        assert counts[key] in possible[key]  # the truth is among what a reader could think
        assert len(possible[key]) > 1, (counts, key, disclosed)


@settings(max_examples=300, deadline=None)
@given(counts=counts_sets)
def test_every_small_count_is_hidden_and_nothing_shown_is_wrong(counts):
    disclosed = disclose(counts)
    for key, value in counts.items():
        figure = disclosed[key]
        if 0 < value < 5:
            assert figure.hidden is Hidden.SMALL and figure.value is None
        if figure.shown:
            assert figure.value == value
        if value == 0 and figure.shown:
            assert figure.text == "0"
    assert sum(1 for f in disclosed.cells.values() if f.hidden) != 1 or not disclosed.total.shown


@settings(max_examples=300, deadline=None)
@given(counts=counts_sets)
def test_shares_are_never_made_from_a_hidden_count(counts):
    disclosed = disclose(counts)
    for key, figure in disclosed.items():
        share = disclosed.share(key)
        if figure.hidden or disclosed.total.hidden:
            assert share.value is None
