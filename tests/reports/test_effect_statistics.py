"""reports.effect against small cases computed by hand (the hand computation is written out
in each test), and its disclosure control (through reports.disclosure, the reports' one
suppression function)."""

import datetime
import math

import pytest

from reports.dates import add_months
from reports.disclosure import Hidden
from reports.effect import (
    Followed,
    estimate,
    kaplan_meier,
    wilson,
    window_counts,
    window_rate,
)

START = datetime.date(2024, 1, 1)


def person(event_day=None, end_day=1000):
    """Followed from START for `end_day` days; a leadership appointment on `event_day`."""
    end = START + datetime.timedelta(days=end_day)
    event = None if event_day is None else START + datetime.timedelta(days=event_day)
    return Followed(start=START, end=end, first_leadership=event)


def test_wilson_for_3_of_10_matches_the_hand_computation():
    # p = 0.3, n = 10, z = 1.959964 (95%).
    # centre = (p + z²/2n) / (1 + z²/n) = (0.3 + 0.192073) / 1.384146 = 0.355507
    # half = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n)
    #      = 1.959964 · sqrt(0.021 + 0.0096037) / 1.384146 = 0.247715
    z = 1.959963984540054
    p, n = 0.3, 10
    denominator = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    low, high = wilson(3, 10)
    assert low == pytest.approx(centre - half) == pytest.approx(0.107791, abs=1e-6)
    assert high == pytest.approx(centre + half) == pytest.approx(0.603222, abs=1e-6)


def test_wilson_of_nobody_is_no_interval_and_of_zero_events_starts_at_zero():
    assert wilson(0, 0) is None
    low, high = wilson(0, 10)
    assert low == 0 and 0 < high < 0.3


def test_kaplan_meier_with_two_censored_people_matches_the_product_limit():
    # Six people: appointed on days 20, 40, 40 and 70; still not appointed when follow-up
    # ended on days 30 and 50 (censored).
    # day 20: 6 at risk, 1 event  → S = 5/6               = 0.8333
    # day 30: one censored (leaves the risk set; S unchanged)
    # day 40: 4 at risk, 2 events → S = 5/6 · 2/4          = 0.4167
    # day 50: one censored
    # day 70: 1 at risk, 1 event  → S = 0.4167 · 0/1       = 0
    people = [person(20), person(40), person(40), person(70), person(None, 30), person(None, 50)]
    km = kaplan_meier(people)
    assert km.at(0) == 1
    assert km.at(19) == 1
    assert km.at(20) == pytest.approx(5 / 6)
    assert km.at(35) == pytest.approx(5 / 6)
    assert km.at(40) == pytest.approx(5 / 6 * 2 / 4)
    assert km.at(69) == pytest.approx(5 / 12)
    assert km.at(70) == 0
    assert (km.at_risk(40), km.events_by(40)) == (4, 3)
    assert (km.at_risk(41), km.events_by(60)) == (2, 3)


def test_an_appointment_after_follow_up_ended_is_not_yet_an_event():
    late = Followed(start=START, end=START + datetime.timedelta(days=10),
                    first_leadership=START + datetime.timedelta(days=30))  # fmt: skip
    assert not late.observed and late.days == 10


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2023, 11, 15), 12) == datetime.date(2024, 11, 15)
    assert add_months(datetime.date(2024, 2, 29), 24) == datetime.date(2026, 2, 28)


def test_the_12_month_window_edges():
    window_end = add_months(START, 12)  # 1 January 2025
    days_to_edge = (window_end - START).days  # 366 (2024 is a leap year)
    people = [
        person(days_to_edge, end_day=days_to_edge),  # appointed on the last day: counts
        person(days_to_edge + 1, end_day=900),  # a day late: followed, not appointed
        person(None, end_day=days_to_edge),  # followed exactly 12 months: counts, no event
        person(None, end_day=days_to_edge - 1),  # a day short: not counted at all
        person(100, end_day=200),  # appointed within, then follow-up stopped: counts
    ]
    assert window_counts(people, 12) == (2, 4)
    rate = window_rate(people, 12)
    assert (rate.k, rate.n, rate.proportion) == (2, 4, 0.5)


@pytest.mark.parametrize(("count", "shown"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (12, "12")])
def test_small_counts_are_suppressed(count, shown):
    # A group's size, the people excluded, those still followed and those appointed by a
    # month: each a lone count through the reports' disclosure function.
    people = [person(None, 30)] * count
    assert estimate("Completed", people).size.text == shown
    many = [person(10)] * count + [person(None, 2000)] * 20
    assert estimate("Completed", many).table[0].events.text == shown


def test_a_group_below_the_threshold_shows_nothing():
    group = estimate("Completed", [person(10)] * 4)
    assert not group.shown and group.size.text == "<5" and group.size.value is None
    assert group.rates == group.table == group.curve == []
    assert estimate("Completed", []).size.value == 0


def test_a_rate_whose_count_or_complement_is_small_is_not_shown(settings):
    settings.REPORTS_SUPPRESSION_THRESHOLD = 5
    # 10 followed 24 months; 3 appointed within 12: k = 3 is "<5", so the rate (3/10) would
    # give it away and is not shown. Within 24: 8 appointed, 2 not — the complement is small,
    # so 8 is hidden too ("*": beside the 10 followed it would give the 2 away).
    people = [person(100)] * 3 + [person(500)] * 5 + [person(None)] * 2
    twelve, twenty_four = estimate("Completed", people).rates
    assert (twelve["n"].text, twelve["k"].text, twelve["proportion"]) == ("10", "<5", None)
    assert twelve["rate_display"] == "Not shown" and twelve["interval_display"] == "—"
    assert (twenty_four["n"].text, twenty_four["k"].text) == ("10", "*")
    assert twenty_four["k"].hidden is Hidden.SECONDARY and twenty_four["proportion"] is None


def test_a_rate_with_large_enough_counts_is_shown_with_its_interval():
    people = [person(100)] * 5 + [person(None)] * 5
    twelve = estimate("Completed", people).rates[0]
    low, high = wilson(5, 10)
    assert (twelve["proportion"], twelve["low"], twelve["high"]) == (0.5, low, high)
    assert twelve["rate_display"] == "50.0%"
    assert (twelve["n"].value, twelve["k"].value) == (10, 5)


def test_the_curve_stops_where_fewer_than_the_threshold_remain_at_risk():
    # Ten people: five appointed at day 45 (month 1.5), five followed 400 days, no event.
    people = [person(45)] * 5 + [person(None, 400)] * 5
    group = estimate("Completed", people)
    months = [m for m, _ in group.curve]
    assert months[0] == 0 and group.curve[0][1] == 1
    assert group.curve[2][1] == pytest.approx(0.5)  # month 2: after the five events
    assert months[-1] == 13  # 13 months = 395.6 days ≤ 400; month 14 has nobody left
    six, _, eighteen, _ = group.table
    assert (six.at_risk.value, six.events.value, six.survival) == (5, 5, 0.5)
    assert (eighteen.at_risk.value, eighteen.survival) == (0, None)


def test_the_curve_leaves_out_months_with_a_small_number_of_appointments_so_far():
    # Month 1: one appointment (day 20) — left out; by month 2 (day 60.9) there are five.
    people = [person(20)] + [person(45)] * 4 + [person(None, 400)] * 5
    months = [m for m, _ in estimate("Completed", people).curve]
    assert months[:3] == [0, 2, 3]


def test_the_threshold_is_the_setting(settings):
    settings.REPORTS_SUPPRESSION_THRESHOLD = 3
    group = estimate("Completed", [person(10)] * 4)
    assert group.shown and group.size.text == "4"
    assert estimate("Completed", [person(10)] * 2).size.text == "<3"
