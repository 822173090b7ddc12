"""Finding and removing what seed_scale made, and nothing else.

Its rows are the trusts, people and programmes it marked (demo.scale.plan) and what hangs off
them. Removing them goes leaf first through every relation Django knows (the same list its
own deletion collector uses), as plain DELETEs over subqueries: loading two million
attendance marks to delete them one by one, as QuerySet.delete() would, takes too long.
A row pointing at them with SET_NULL is set null; one that cascades goes with them. A person
seed_scale did not make who has since been put in one of its trusts stops the removal
(PROTECT) rather than be deleted.
"""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models.deletion import get_candidate_relations_to_delete

from people.models import Trust
from programmes.models import Cohort, Programme

from .plan import person_q, programme_q, trust_q


class Kept(Exception):
    """Something seed_scale did not make depends on its rows; the message says what."""


def has_scale_data() -> bool:
    return (
        Trust.objects.filter(trust_q()).exists()
        or get_user_model().objects.filter(person_q()).exists()
        or Programme.objects.filter(programme_q()).exists()
    )


def _delete(queryset: models.QuerySet) -> int:
    model = queryset.model
    for relation in get_candidate_relations_to_delete(model._meta):
        field = relation.field
        related = relation.related_model._base_manager.filter(
            **{f"{field.name}__in": queryset.values("pk")}
        )
        on_delete = field.remote_field.on_delete
        # Most relations are empty: stop there, so the nested subqueries stay shallow.
        if on_delete is models.DO_NOTHING or not related.exists():
            continue
        if on_delete is models.SET_NULL:
            related.update(**{field.name: None})
        elif on_delete in (models.PROTECT, models.RESTRICT) and related.model is get_user_model():
            if related.exists():
                raise Kept(
                    f"{related.count()} people seed_scale did not make belong to its trusts; "
                    "move them to another trust first."
                )
        else:  # CASCADE, and PROTECT of rows that are seed_scale's own (a cohort's enrolments)
            _delete(related)
    sql, params = queryset.values("pk").query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        # The subquery is materialised first: SQLite and PostgreSQL both allow deleting from
        # the table it reads.
        doomed = f"DELETE FROM {table} WHERE {pk} IN (SELECT * FROM ({sql}) AS doomed)"  # noqa: S608
        cursor.execute(doomed, params)
        return cursor.rowcount


def remove_scale_data(report=print) -> dict[str, int]:
    """Delete seed_scale's rows in one transaction; returns rows deleted per root."""
    User = get_user_model()
    roots = (
        ("cohorts", Cohort.objects.filter(trust_q("host_trust__") | programme_q("programme__"))),
        ("people", User.objects.filter(person_q())),
        ("trusts", Trust.objects.filter(trust_q())),
        ("programmes", Programme.objects.filter(programme_q())),
    )
    removed = {}
    started = time.perf_counter()
    with transaction.atomic():
        for label, queryset in roots:
            removed[label] = _delete(queryset)
            report(f"  removed {removed[label]:,} {label} and what depended on them")
        # The foreign keys are checked at commit (Django declares them deferrable): on
        # PostgreSQL that is one lookup per deleted row and referring table, most of the time.
    report(f"  removal committed after {time.perf_counter() - started:.1f}s")
    return removed
