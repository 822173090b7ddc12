"""Access grants: who holds which access role (people.access), for which trust or region."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..access import REGION_SCOPED_ROLES, TRUST_SCOPED_ROLES, AccessRole
from .trusts import Region, Trust

_UNSCOPED_ROLES = [
    r for r in AccessRole.values if r not in TRUST_SCOPED_ROLES | REGION_SCOPED_ROLES
]


class AccessGrant(models.Model):
    """One access role held by one person, for its scope: a trust for programme
    administrators and reporting leads, a region for regional leads, nothing for the rest.
    Granted and revoked through people.services, which keeps the role's Django group (its
    permissions) in step and audits the change."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_grants"
    )
    role = models.CharField(max_length=32, choices=AccessRole.choices)
    trust = models.ForeignKey(
        Trust,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_grants",
        help_text="For programme administrators and trust reporting leads: the trust they act for.",
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_grants",
        help_text="For regional leads: the region whose trusts they compare.",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    granted_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "access role"
        verbose_name_plural = "access roles"
        ordering = ["role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        role__in=sorted(TRUST_SCOPED_ROLES),
                        trust__isnull=False,
                        region__isnull=True,
                    )
                    | models.Q(
                        role__in=sorted(REGION_SCOPED_ROLES),
                        region__isnull=False,
                        trust__isnull=True,
                    )
                    | models.Q(role__in=_UNSCOPED_ROLES, trust__isnull=True, region__isnull=True)
                ),
                name="access_grant_scope_fits_its_role",
                violation_error_message=(
                    "Programme administrators and reporting leads are granted for a trust, "
                    "regional leads for a region, and other roles for neither."
                ),
            ),
            models.UniqueConstraint(
                fields=["person", "role", "trust"],
                condition=models.Q(trust__isnull=False),
                name="one_grant_per_person_role_and_trust",
                violation_error_message="This person already holds this role for this trust.",
            ),
            models.UniqueConstraint(
                fields=["person", "role", "region"],
                condition=models.Q(region__isnull=False),
                name="one_grant_per_person_role_and_region",
                violation_error_message="This person already holds this role for this region.",
            ),
            models.UniqueConstraint(
                fields=["person", "role"],
                condition=models.Q(trust__isnull=True, region__isnull=True),
                name="one_unscoped_grant_per_person_and_role",
                violation_error_message="This person already holds this role.",
            ),
        ]
        indexes = [models.Index(fields=["role", "trust"])]

    def __str__(self):
        return f"{self.get_role_display()}{self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.trust_id:
            return f" of {self.trust}"
        if self.region_id:
            return f" of {self.region}"
        return ""
