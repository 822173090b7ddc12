"""The demo staff logins' two-factor code, from the clock and the published demo secret.

Standard library only, so that `manage.py demo_totp_code` can answer without starting Django
(manage.py calls `fast_main` directly): Django's start-up takes five to twenty seconds on a busy
machine, long enough for a printed code to expire before anyone types it. The verifier is
allauth.mfa's (allauth.mfa.totp.internal.auth): RFC 6238, HMAC-SHA1, MFA_TOTP_PERIOD (30 s)
steps, MFA_TOTP_TOLERANCE 0, so a code is accepted only during its own step, and once per person
(allauth remembers used codes). tests/accounts/test_demo_totp_code.py checks these agree.
"""

import base64
import hashlib
import hmac
import math
import os
import struct
import sys
import time
from dataclasses import dataclass
from datetime import datetime

# Staff roles need two-factor authentication. The demo staff logins share this authenticator
# secret so a newcomer can sign in at once: `manage.py demo_totp_code` prints the current code
# (or add the secret to any authenticator app). Demo data only; never in production.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105  (published demo value)
PERIOD = 30  # allauth's MFA_TOTP_PERIOD default, which Tandem keeps
DIGITS = 6  # allauth's MFA_TOTP_DIGITS default
# A code with less time left than this is not worth printing: by the time someone has switched
# to the browser and typed it, it has expired. The next one is printed instead.
MIN_SECONDS_LEFT = 10


def hotp(secret: str, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226's HOTP value, as allauth's hotp_value and format_hotp_value compute it."""
    key = base64.b32decode(secret.encode("ascii"), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}}"


@dataclass(frozen=True)
class UsableCode:
    code: str
    valid_from: float  # Unix time
    valid_until: float

    def describe(self, now: float) -> str:
        until = _clock(self.valid_until)
        once = "Each code signs a person in once."
        if self.valid_from <= now:
            return (
                f"Valid now for {int(self.valid_until - now)} more seconds, until {until}. {once}"
            )
        wait = math.ceil(self.valid_from - now)
        return (
            f"Valid from {_clock(self.valid_from)} (in {wait} seconds) until {until}: "
            f"the current code expires too soon to type. {once}"
        )


def usable_code(
    secret: str = DEMO_TOTP_SECRET,
    now: float | None = None,
    period: int = PERIOD,
    digits: int = DIGITS,
    min_seconds_left: int = MIN_SECONDS_LEFT,
) -> UsableCode:
    """The current step's code if it has at least `min_seconds_left` to run, else the next
    step's (valid for a whole period from a few seconds from now)."""
    now = time.time() if now is None else now
    counter = int(now) // period
    if (counter + 1) * period - now < min_seconds_left:
        counter += 1
    return UsableCode(hotp(secret, counter, digits), counter * period, (counter + 1) * period)


def _clock(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%H:%M:%S")


def _debug_from_environment() -> bool | None:
    """config.settings.dev's DEBUG (env_bool("DEBUG", True)); None if it is not clearly true
    or false, for Django to report."""
    raw = os.environ.get("DEBUG")
    if raw is None:
        return True
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    return None


def fast_main(argv: list[str]) -> int | None:
    """`manage.py demo_totp_code [--force]` without Django; None hands anything else (other
    options, an unclear DEBUG) to the management command."""
    if set(argv) - {"--force"}:
        return None
    debug = _debug_from_environment()
    if debug is None:
        return None
    if not debug and "--force" not in argv:
        print("CommandError: demo_totp_code is for demo data on a development machine.",
              file=sys.stderr)  # fmt: skip
        return 1
    now = time.time()
    usable = usable_code(now=now)
    print(usable.code)
    print(usable.describe(now), file=sys.stderr)
    return 0
