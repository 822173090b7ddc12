"""`manage.py demo_totp_code`: a code the verifier accepts, with time left to type it, in well
under a second (demo/totp.py; it used to take 8 to 20 s and could print a code about to expire)."""

import os
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal import auth as allauth_totp
from django.core.management import call_command

from demo.totp import DEMO_TOTP_SECRET, DIGITS, MIN_SECONDS_LEFT, PERIOD, hotp, usable_code

ROOT = Path(__file__).resolve().parents[2]
STEP = 1_800_000_000 // PERIOD * PERIOD  # the start of some 30-second step


def accepted_at(code: str, moment: float) -> bool:
    """allauth.mfa's own verifier, with its clock set to `moment`."""
    with mock.patch.object(allauth_totp.time, "time", return_value=moment):
        return allauth_totp.validate_totp_code(DEMO_TOTP_SECRET, code)


def test_the_code_is_allauths_for_every_step():
    for counter in range(STEP // PERIOD, STEP // PERIOD + 50):
        expected = allauth_totp.format_hotp_value(
            allauth_totp.hotp_value(DEMO_TOTP_SECRET, counter)
        )
        assert hotp(DEMO_TOTP_SECRET, counter) == expected


def test_demo_totp_agrees_with_allauths_settings():
    """demo/totp.py works without Django, so it cannot read them: if Tandem ever changes the
    period, the digits or the tolerance, demo/totp.py must change too."""
    assert (mfa_settings.TOTP_PERIOD, mfa_settings.TOTP_DIGITS) == (PERIOD, DIGITS)
    assert mfa_settings.TOTP_TOLERANCE == 0  # a code counts only in its own step


@pytest.mark.parametrize("offset", [0, 5, 19.5, 20, 20.5, 25, 29.9])
def test_the_printed_code_has_time_left_and_is_accepted(offset):
    now = STEP + offset
    usable = usable_code(now=now)
    assert usable.valid_until - max(now, usable.valid_from) >= MIN_SECONDS_LEFT
    assert usable.valid_from - now < MIN_SECONDS_LEFT  # never a long wait
    # Accepted from when it is valid (now, or the next step's start) to the end of its step,
    assert accepted_at(usable.code, max(now, usable.valid_from))
    assert accepted_at(usable.code, usable.valid_until - 0.5)
    # and not after.
    assert not accepted_at(usable.code, usable.valid_until + 0.5)


def test_late_in_a_step_the_next_code_is_printed_and_says_when_it_starts():
    now = STEP + 25  # 5 seconds left: too few to type the current code
    usable = usable_code(now=now)
    assert usable.valid_from == STEP + PERIOD
    assert usable.code == hotp(DEMO_TOTP_SECRET, (STEP + PERIOD) // PERIOD)
    assert "in 5 seconds" in usable.describe(now)
    early = usable_code(now=STEP + 3)
    assert early.valid_from == STEP
    assert "Valid now for 27 more seconds" in early.describe(STEP + 3)


def test_manage_py_answers_in_about_a_second_with_an_accepted_code():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "DEBUG": "true"}
    started = time.time()
    result = subprocess.run(
        [sys.executable, "manage.py", "demo_totp_code"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    elapsed = time.time() - started
    assert elapsed < 2, f"took {elapsed:.1f} s"
    code = result.stdout.strip()
    assert code.isdigit() and len(code) == DIGITS
    assert code in {usable_code(now=started).code, usable_code(now=time.time()).code}
    assert "Valid" in result.stderr


def test_manage_py_refuses_with_debug_off_unless_forced():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "DEBUG": "false"}
    command = [sys.executable, "manage.py", "demo_totp_code"]
    refused = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert refused.returncode == 1
    assert "development machine" in refused.stderr
    forced = subprocess.run(
        [*command, "--force"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert forced.stdout.strip().isdigit()


def test_the_management_command_prints_the_same_code(settings):
    settings.DEBUG = True
    out, err = StringIO(), StringIO()
    before = time.time()
    call_command("demo_totp_code", stdout=out, stderr=err)
    assert out.getvalue().strip() in {
        usable_code(now=before).code,
        usable_code(now=time.time()).code,
    }
    assert "Each code signs a person in once" in err.getvalue()
