"""Two demo API tokens with known values, so the README's curl examples work against `make run`
as they stand (like the demo password: a demo's, never a real one — seed_demo refuses to run
with DEBUG off): the demo facilitator's, read and write (their registers), and the reporting
lead's, read only (their trust's report)."""

import datetime

from django.utils import timezone

from api.models import ApiToken, Scope
from api.tokens import digest_of, prefix_of

from .run import DEMO_EMAIL_DOMAIN, SeedRun

DEMO_TOKENS = {
    f"facilitator@{DEMO_EMAIL_DOMAIN}": (
        "tdm_demofaci_facilitator-demo-token-for-make-run-only",
        Scope.WRITE,
        "Register app (demo)",
    ),
    f"reporting-lead@{DEMO_EMAIL_DOMAIN}": (
        "tdm_demolead_reporting-lead-demo-token-for-make-run-only",
        Scope.READ,
        "Trust reporting tool (demo)",
    ),
}


def seed_api_tokens(run: SeedRun) -> None:
    for email, (token, scope, name) in DEMO_TOKENS.items():
        owner = run.people[email]
        run.get_or_create(
            ApiToken,
            prefix=prefix_of(token),
            defaults=lambda owner=owner, token=token, scope=scope, name=name: {
                "owner": owner,
                "name": name,
                "scope": scope,
                "digest": digest_of(token),
                "expires_at": timezone.now() + datetime.timedelta(days=365),
            },
        )


def token_lines() -> list[str]:
    return [
        f"Demo API tokens (README, REST API): {email.split('@')[0]}: {token}"
        for email, (token, _, _) in DEMO_TOKENS.items()
    ]
