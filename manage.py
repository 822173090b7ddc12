#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    if sys.argv[1:2] == ["demo_totp_code"] and (
        os.environ["DJANGO_SETTINGS_MODULE"] == "config.settings.dev"
    ):
        # The demo two-factor code needs only the clock, not Django's start-up (seconds, long
        # enough for a code to expire): demo/totp.py. Other options go to the command.
        from demo.totp import fast_main

        status = fast_main(sys.argv[2:])
        if status is not None:
            sys.exit(status)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
