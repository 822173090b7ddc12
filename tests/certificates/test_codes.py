"""Certificate codes: 140 random bits, typeable, forgiving on entry, strict on what is not a
code."""

import math

from hypothesis import given
from hypothesis import strategies as st

from certificates import codes


def test_a_code_is_28_crockford_characters_printed_in_groups_of_four():
    code = codes.new_code()
    assert len(code) == 28 and set(code) <= set(codes.CODE_ALPHABET)
    printed = codes.grouped(code)
    assert printed.count("-") == 6 and printed.replace("-", "") == code
    assert codes.BITS >= 128 and math.log2(len(codes.CODE_ALPHABET)) * codes.LENGTH == codes.BITS


def test_codes_do_not_repeat():
    assert len({codes.new_code() for _ in range(2000)}) == 2000


@given(st.sampled_from([str.lower, str.upper]), st.sampled_from(["-", " ", "", " - "]))
def test_any_case_and_separators_give_the_stored_form(case, separator):
    code = codes.new_code()
    typed = separator.join(case(code[i : i + 4]) for i in range(0, 28, 4))
    assert codes.normalise(typed) == code


def test_o_i_and_l_are_read_as_the_digits_they_look_like():
    code = "0" * 14 + "1" * 14
    assert codes.normalise("o" * 14 + "Il" * 7) == code


def test_what_cannot_be_a_code_is_none():
    code = codes.new_code()
    for typed in (None, "", code[:-1], code + "0", code[:-1] + "U", code[:-1] + "*", "<script>"):
        assert codes.normalise(typed) is None, typed
