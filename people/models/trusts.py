"""Trusts — the NHS organisations people work for — their regions, sign-up email domains and
board composition."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from ..validators import normalise_code, validate_ods_code


class Region(models.Model):
    """One of NHS England's seven regions (a managed list, seeded by migration): a regional
    lead compares the trusts of their region."""

    code = models.CharField(
        "ODS code", max_length=5, unique=True, help_text="NHS England's code, e.g. Y56 (London)."
    )
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class TrustQuerySet(models.QuerySet):
    def open(self, on=None):
        on = on or timezone.localdate()
        return self.filter(
            models.Q(opened_on__isnull=True) | models.Q(opened_on__lte=on),
            models.Q(closed_on__isnull=True) | models.Q(closed_on__gt=on),
        )


class Trust(models.Model):
    """An NHS organisation. ODS codes are never reused, so a closed trust is kept with its
    closing date rather than deleted."""

    name = models.CharField(max_length=200)
    ods_code = models.CharField(
        "ODS code",
        max_length=5,
        unique=True,
        validators=[validate_ods_code],
        help_text="The organisation's code in the NHS Organisation Data Service, e.g. RYJ.",
        error_messages={"unique": "A trust with this ODS code already exists."},
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trusts",
        help_text="The NHS England region the trust belongs to.",
    )
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    objects = TrustQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(opened_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="trust_closes_after_opening",
                violation_error_message="A trust cannot close before it opened.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.ods_code})"

    def clean_fields(self, exclude=None):
        # Normalise before the format validator runs, so " ryj" is accepted as RYJ.
        self.ods_code = normalise_code(self.ods_code)
        super().clean_fields(exclude=exclude)

    @property
    def is_open(self) -> bool:
        today = timezone.localdate()
        return (self.opened_on is None or self.opened_on <= today) and (
            self.closed_on is None or self.closed_on > today
        )


DOMAIN_PATTERN = r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"


class TrustEmailDomain(models.Model):
    """An email domain a trust has registered for self sign-up. A shared domain such as
    nhs.net may be registered by several trusts; the person then chooses theirs."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="email_domains")
    domain = models.CharField(
        max_length=253,
        validators=[
            RegexValidator(
                DOMAIN_PATTERN, "Enter a domain such as northshire.nhs.uk, without the @."
            )
        ],
        help_text="The part after the @, e.g. northshire.nhs.uk or nhs.net.",
    )

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "domain"],
                name="one_registration_per_trust_and_domain",
                violation_error_message="This trust has already registered this domain.",
            ),
        ]
        indexes = [models.Index(fields=["domain"])]

    def __str__(self):
        return f"@{self.domain} ({self.trust.ods_code})"

    def clean_fields(self, exclude=None):
        self.domain = (self.domain or "").strip().lower().lstrip("@")
        super().clean_fields(exclude=exclude)


class BoardSnapshot(models.Model):
    """The make-up of a trust's board on a date: its executive and non-executive members and
    how many of each are clinicians. Kept as dated snapshots so reports can show the
    clinician share changing over time.

    ``members`` and ``clinician_members`` are the totals reports read; when the split is
    recorded (every snapshot entered since it was asked for) they are its sums, derived in
    ``clean`` and held to it by the constraints. Snapshots recorded before the split carry the
    totals alone (the four split fields empty)."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="board_snapshots")
    recorded_on = models.DateField(
        "date", help_text="The day the board had this make-up (one snapshot per day)."
    )
    members = models.PositiveSmallIntegerField(editable=False)
    clinician_members = models.PositiveSmallIntegerField(editable=False)
    # Blank (None) only in snapshots recorded before the split; the admin form requires them.
    executive_members = models.PositiveSmallIntegerField(
        "executive members",
        null=True,
        blank=True,
        help_text="Voting executive directors, the chief executive included.",
    )
    executive_clinicians = models.PositiveSmallIntegerField(
        "executive members who are clinicians",
        null=True,
        blank=True,
        help_text="Executives who are registered clinicians (e.g. the medical director, the "
        "chief nurse).",
    )
    non_executive_members = models.PositiveSmallIntegerField(
        "non-executive members",
        null=True,
        blank=True,
        help_text="Non-executive directors, the chair included.",
    )
    non_executive_clinicians = models.PositiveSmallIntegerField(
        "non-executive members who are clinicians",
        null=True,
        blank=True,
        help_text="Non-executives who are clinicians.",
    )

    SPLIT = (
        "executive_members",
        "executive_clinicians",
        "non_executive_members",
        "non_executive_clinicians",
    )

    class Meta:
        # By date only: ordering by trust would join trusts for every query (listings that
        # group by trust say so themselves).
        ordering = ["-recorded_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "recorded_on"],
                name="one_board_snapshot_per_trust_per_day",
                violation_error_message="This trust already has a board snapshot on that date. "
                "Correct that one instead, or choose another date.",
            ),
            models.CheckConstraint(
                condition=models.Q(clinician_members__lte=models.F("members")),
                name="board_clinicians_within_members",
                violation_error_message="Clinician members cannot outnumber board members.",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    executive_members__isnull=True,
                    executive_clinicians__isnull=True,
                    non_executive_members__isnull=True,
                    non_executive_clinicians__isnull=True,
                )
                | models.Q(
                    executive_members__isnull=False,
                    executive_clinicians__isnull=False,
                    non_executive_members__isnull=False,
                    non_executive_clinicians__isnull=False,
                ),
                name="board_split_all_or_nothing",
                violation_error_message="Give all four numbers of the executive and "
                "non-executive split, or none.",
            ),
            models.CheckConstraint(
                condition=models.Q(executive_members__isnull=True)
                | models.Q(
                    members=models.F("executive_members") + models.F("non_executive_members"),
                    clinician_members=models.F("executive_clinicians")
                    + models.F("non_executive_clinicians"),
                ),
                name="board_split_adds_up",
                violation_error_message="The executive and non-executive numbers must add up "
                "to the board's totals.",
            ),
            models.CheckConstraint(
                condition=models.Q(executive_members__isnull=True)
                | models.Q(
                    executive_clinicians__lte=models.F("executive_members"),
                    non_executive_clinicians__lte=models.F("non_executive_members"),
                ),
                name="board_clinicians_within_each_part",
                violation_error_message="Clinicians cannot outnumber the members of their part "
                "of the board.",
            ),
        ]

    def __str__(self):
        return f"{self.trust.ods_code} board on {self.recorded_on:%d %b %Y}"

    @property
    def has_split(self) -> bool:
        return self.executive_members is not None

    def clean(self):
        """Derive the totals from the split, and say which number is wrong in words a
        person can act on (the constraints hold the same in the database)."""
        values = {name: getattr(self, name) for name in self.SPLIT}
        given = [name for name, value in values.items() if value is not None]
        if not given:
            return
        if len(given) < len(values):
            raise ValidationError(
                {
                    name: "Give this number too (0 if there are none)."
                    for name, value in values.items()
                    if value is None
                }
            )
        errors = {}
        if values["executive_clinicians"] > values["executive_members"]:
            errors["executive_clinicians"] = (
                f"There are {values['executive_members']} executive members: no more of them "
                "than that can be clinicians."
            )
        if values["non_executive_clinicians"] > values["non_executive_members"]:
            errors["non_executive_clinicians"] = (
                f"There are {values['non_executive_members']} non-executive members: no more "
                "of them than that can be clinicians."
            )
        if values["executive_members"] + values["non_executive_members"] == 0:
            errors["executive_members"] = "A board has at least one member."
        if errors:
            raise ValidationError(errors)
        self.members = values["executive_members"] + values["non_executive_members"]
        self.clinician_members = values["executive_clinicians"] + values["non_executive_clinicians"]

    @property
    def clinician_share(self) -> float | None:
        return self.clinician_members / self.members if self.members else None
