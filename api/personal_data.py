"""What the API app holds about a person, for subject access and erasure (privacy.registry):
their tokens, and the keys of their recent idempotent writes. A token is a secret and only its
digest is stored: the export says which tokens exist, what they may do and when they were
used; erasure deletes them, so none can act for the person again."""

from django.utils import timezone

from privacy.registry import register_source

from .models import ApiToken, IdempotentRequest

PERSON_LINKED_MODELS = {ApiToken: "api_tokens", IdempotentRequest: "api_tokens"}


def _local(value):
    return timezone.localtime(value).isoformat() if value else None


def export_tokens(person) -> list[dict]:
    return [
        {
            "name": t.name,
            "starts_with": f"tdm_{t.prefix}",
            "scope": t.scope,
            "made": _local(t.created_at),
            "expires": _local(t.expires_at),
            "revoked": _local(t.revoked_at),
            "last_used": _local(t.last_used_at),
        }
        for t in ApiToken.objects.filter(owner=person)
    ] + [
        # The writes they made with an Idempotency-Key in the last day: the key and when (the
        # stored answer is a register, other people's names, not theirs to take away).
        {"idempotency_key": r.key, "made": _local(r.created_at)}
        for r in IdempotentRequest.objects.filter(owner=person)
    ]


def erase_tokens(person, *, by, reason) -> None:
    ApiToken.objects.filter(owner=person).delete()
    IdempotentRequest.objects.filter(owner=person).delete()


register_source("api_tokens", label="Your API tokens", exporter=export_tokens, eraser=erase_tokens)
