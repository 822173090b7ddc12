"""What every demo step shares: the run, its rules, and the demo's published constants.

Seeding is the list of plain functions in demo.seed.STEPS, run in order inside one
transaction, each taking the shared SeedRun. Later issues append steps (programmes, cohorts,
attendance, pairings, certificates, surveys...) to that list, each in a module of its own.

Every step keeps three rules:

- Idempotent. Rows are found by their natural key (ODS code, email, trust and date...) and
  created only when missing; existing rows are left as they are. `make run` seeds on every
  start, so a rerun neither duplicates anything nor undoes what a developer changed by hand.
- Deterministic. Randomness comes from step_rng(<name>), seeded per step, so every machine
  gets the same people and adding a step does not reshuffle the data of the others.
- Valid. Every new row passes full_clean() before it is saved.

Names and job titles live in these modules: factory-boy and Faker are dev-only dependencies.
All organisations and people are fictional.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password
from django.db import models

from people.models import Trust, User

if TYPE_CHECKING:  # demo.logins builds on this module
    from demo.logins import DemoLogin

# Published in the README and printed by the command: demo logins are not secret.
DEMO_PASSWORD = "tandem-demo-2026"  # noqa: S105
DEMO_EMAIL_DOMAIN = "demo.tandem.nhs.uk"
SEED = "tandem-demo"


class SeedError(Exception):
    """The database cannot take the demo as it stands; the message says what to do."""


def step_rng(name: str) -> random.Random:
    """A random generator for one step, the same on every machine and every run."""
    return random.Random(f"{SEED}:{name}")  # noqa: S311  (demo data, not secrets)


# --------------------------------------------------------------------------------------------
# The run: what the steps share


@dataclass
class SeedRun:
    trusts: dict[str, Trust] = field(default_factory=dict)  # by ODS code
    people: dict[str, User] = field(default_factory=dict)  # by email, demo logins included
    logins: list[tuple[DemoLogin, User]] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)  # new rows, by model verbose_name_plural
    _password_hash: str | None = None

    @property
    def demo_password_hash(self) -> str:
        # Argon2 (dev) takes a noticeable moment per hash: hash the shared password once.
        if self._password_hash is None:
            self._password_hash = make_password(DEMO_PASSWORD)
        return self._password_hash

    def get_or_create(
        self, model: type[models.Model], defaults: dict | Callable[[], dict] | None = None, **key
    ) -> tuple[models.Model, bool]:
        """Like QuerySet.get_or_create, but a new row must pass full_clean() first. `defaults`
        may be a function, called only when the row is created (for costly values)."""
        try:
            return model._default_manager.get(**key), False
        except model.DoesNotExist:
            values = defaults() if callable(defaults) else (defaults or {})
            obj = model(**key, **values)
            obj.full_clean()
            obj.save(force_insert=True)
            self.created[str(model._meta.verbose_name_plural)] += 1
            return obj, True


@dataclass(frozen=True)
class PersonSpec:
    email: str
    first_name: str
    last_name: str
    trust: str | None  # ODS code
    professional_group: str
    job_title: str
    band: str
    directorate: str
    registration_body: str = ""
    registration_number: str = ""

    def model_fields(self, trusts: dict[str, Trust]) -> dict:
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "trust": trusts[self.trust] if self.trust else None,
            "professional_group": self.professional_group,
            "job_title": self.job_title,
            "band": self.band,
            "directorate": self.directorate,
            "registration_body": self.registration_body,
            "registration_number": self.registration_number,
        }
