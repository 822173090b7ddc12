"""An authenticator code a browser test can still use when it reaches the server.

allauth accepts only the current 30-second step's code (no tolerance), so a code computed in
the last moments of a step expired between filling the field and the request arriving: the
test failed now and then. demo.totp.usable_code gives the current code when at least 10
seconds are left, else the next one; this waits for that one to start."""

import time

from demo.totp import usable_code


def code_to_type(secret: str) -> str:
    code = usable_code(secret)
    wait = code.valid_from - time.time()
    if wait > 0:
        time.sleep(wait + 0.2)
    return code.code
