"""The demo's steps, in order, and the run that loads them (`manage.py seed_demo`).

See demo.run for the rules every step keeps. Later issues append theirs (programmes,
cohorts, attendance, ...) to STEPS, each from a module of its own.
"""

from collections.abc import Callable

from django.db import transaction

from .api import seed_api_tokens, token_lines
from .certificates import seed_certificates
from .coffee import seed_coffee
from .content import seed_content
from .effect import seed_board_split, seed_effect
from .follow_ups import seed_follow_ups
from .logins import DEMO_TOTP_SECRET, seed_account_security, seed_demo_logins
from .monthly_reports import seed_monthly_reports
from .outcomes import seed_outcomes
from .pairing import seed_pairing
from .people import seed_people
from .programmes import seed_programmes
from .reports import seed_reports
from .role_history import seed_role_history
from .run import DEMO_PASSWORD, SeedRun
from .sessions import seed_sessions
from .trusts import seed_board_snapshots, seed_trusts

STEPS: list[Callable[[SeedRun], None]] = [
    seed_trusts,
    seed_board_snapshots,
    seed_people,
    seed_demo_logins,
    seed_account_security,
    seed_role_history,
    # The Leading Together programme, its modules and the resource library (demo.content).
    seed_content,
    # Its Programme record and cohorts at each trust, with enrolments (demo.programmes).
    seed_programmes,
    # An earlier pilot programme's cohort whose clinicians have reached their 12- and
    # 24-month follow-up, for the reporting lead's dashboard (demo.reports).
    seed_reports,
    # Their sessions, the past cohorts' registers, the demo facilitator (demo.sessions).
    seed_sessions,
    # Pairs: the past cohorts' with their story, the first trust's scheme with the demo
    # participant's pair, the pair who applied together (demo.pairing).
    seed_pairing,
    # Tandem coffee: schemes, shared spaces, opt-ins and four monthly rounds (demo.coffee).
    seed_coffee,
    # Board snapshots with the executive split; two earlier cohorts at the first trust and a
    # comparison group, for "Does it work?" (demo.effect). Before the certificates, which
    # the earlier cohorts' completions need.
    seed_board_split,
    seed_effect,
    # Certificates for the completions, one revoked and one re-issued (demo.certificates).
    seed_certificates,
    # The 12-month surveys whose day has passed (the 2023 and 2024 runs'), sent and mostly
    # answered, for the reporting lead's dashboard (demo.follow_ups); before demo.outcomes,
    # which then finds them made.
    seed_follow_ups,
    # Self-assessments before and after, and the follow-up surveys (demo.outcomes).
    seed_outcomes,
    # Last month's report for the first trust, rendered now (demo.monthly_reports). Last, so
    # that it counts everything above.
    seed_monthly_reports,
    # Two API tokens with known values, for the README's curl examples (demo.api).
    seed_api_tokens,
]


def seed() -> SeedRun:
    """Run every step in one transaction: the demo is loaded whole or not at all."""
    run = SeedRun()
    with transaction.atomic():
        for step in STEPS:
            step(run)
    return run


def login_table(run: SeedRun) -> str:
    """The demo logins as a table for the console, with the shared password."""
    rows = [("Email", "Role", "Trust")]
    for login, user in run.logins:
        rows.append((user.email, login.role_label, user.trust.name if user.trust else "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    rows.insert(1, tuple("-" * width for width in widths))
    lines = [
        ("  " + "  ".join(c.ljust(width) for c, width in zip(row, widths, strict=True))).rstrip()
        for row in rows
    ]
    heading = f"Demo logins (the password of each, unless since changed: {DEMO_PASSWORD})"
    footer = (
        "Staff roles need a two-factor code: run `.venv/bin/python manage.py demo_totp_code`, "
        f"or add the secret {DEMO_TOTP_SECRET} to an authenticator app."
    )
    return "\n".join([heading, *lines, footer, *token_lines()])
