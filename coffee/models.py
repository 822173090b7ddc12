"""Tandem coffee: opted-in staff of a trust matched at random, a clinician with a manager,
once a round, to meet over a coffee in one of the trust's shared spaces.

- CoffeeScheme: a trust's settings (one per trust): on or off, how often rounds run, and how
  many past rounds a new match must not repeat.
- SharedSpace: the places a trust suggests (a staff kitchen, a shared office, a corridor's
  coffee point), kept as a list; a space is deactivated, never deleted, as past matches
  name it.
- CoffeeOptIn: a person's choice, one row per person; opting out keeps the row.
- CoffeeRound: one round of one trust's period. (trust, period_start) is unique: that is
  what makes a round run exactly once per period, however often beat or the task run.
- CoffeeMatch / CoffeeMatchMember: who was matched (a pair, or a trio when numbers were
  odd), the space suggested, who was emailed and who said "we met". A person is in at most
  one match per round (the member row carries its round for that constraint).
- CoffeeCarryOver: someone no match could be made for this round; they go first next round.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from people.models import Trust


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class CoffeeScheme(models.Model):
    trust = models.OneToOneField(Trust, on_delete=models.CASCADE, related_name="coffee_scheme")
    active = models.BooleanField(
        default=True,
        help_text="Rounds run only while the scheme is on. Turning it off stops future rounds; "
        "past ones are kept.",
    )
    frequency = models.CharField(
        "how often rounds run",
        max_length=16,
        choices=Frequency.choices,
        default=Frequency.MONTHLY,
        help_text="Weekly rounds start on Mondays, fortnightly ones every other Monday, "
        "monthly ones on the 1st, quarterly ones on 1 January, April, July and October.",
    )
    repeat_window_rounds = models.PositiveSmallIntegerField(
        "rounds before a repeat",
        default=3,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
        help_text="Nobody is matched with someone they met in this many past rounds.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Tandem coffee scheme"

    def __str__(self):
        return f"Tandem coffee at {self.trust.name}"


class SharedSpace(models.Model):
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="coffee_spaces")
    name = models.CharField(max_length=120, help_text="For example, Level 3 staff kitchen.")
    where = models.CharField(
        "how to find it",
        max_length=300,
        blank=True,
        help_text="Building, floor, landmarks: enough for someone from another department.",
    )
    active = models.BooleanField(
        default=True, help_text="Only active spaces are suggested to new matches."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "name"],
                name="coffee_one_space_name_per_trust",
                violation_error_message="This trust already has a shared space of that name.",
            )
        ]

    def __str__(self):
        return self.name


class CoffeeOptIn(models.Model):
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coffee_opt_in"
    )
    opted_in = models.BooleanField(default=True)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "Tandem coffee opt-in"
        indexes = [models.Index(fields=["opted_in", "person"])]

    def __str__(self):
        return f"{self.person}: {'in' if self.opted_in else 'out'}"


class CoffeeRound(models.Model):
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="coffee_rounds")
    period_start = models.DateField()
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    ran_at = models.DateTimeField()
    # Counts, written once when the round is made (reports and the admin read these).
    people_count = models.PositiveIntegerField(default=0)
    pairs_count = models.PositiveIntegerField(default=0)
    trios_count = models.PositiveIntegerField(default=0)
    carried_over_count = models.PositiveIntegerField(default=0)
    # When the emails were queued (coffee.tasks.send_coffee_round_emails), under this row's
    # lock, so a second delivery queues none.
    emails_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "period_start"],
                name="coffee_one_round_per_trust_period",
                violation_error_message="This trust already has a round for this period.",
            )
        ]

    def __str__(self):
        return f"Tandem coffee round of {self.period_start:%-d %B %Y}"

    @property
    def matches_count(self) -> int:
        return self.pairs_count + self.trios_count


class MatchKind(models.TextChoices):
    PAIR = "pair", "Pair"
    TRIO = "trio", "Trio"


class CoffeeMatch(models.Model):
    round = models.ForeignKey(CoffeeRound, on_delete=models.CASCADE, related_name="matches")
    space = models.ForeignKey(
        SharedSpace, on_delete=models.PROTECT, null=True, blank=True, related_name="matches"
    )
    kind = models.CharField(max_length=8, choices=MatchKind.choices, default=MatchKind.PAIR)
    # When a member first said "we met". Kept on the match so a member's erasure (which
    # deletes their membership) leaves the trust's count of meet-ups as it was.
    met_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "coffee matches"
        indexes = [models.Index(fields=["round", "met_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} of {self.round}"


class CoffeeMatchMember(models.Model):
    match = models.ForeignKey(CoffeeMatch, on_delete=models.CASCADE, related_name="members")
    # The match's round, repeated here for the one-match-per-round constraint.
    round = models.ForeignKey(CoffeeRound, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coffee_memberships"
    )
    met_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["match", "person"], name="coffee_member_once"),
            models.UniqueConstraint(fields=["round", "person"], name="coffee_one_match_per_round"),
        ]

    def __str__(self):
        return f"{self.person} in {self.match}"


class CarryOverReason(models.TextChoices):
    UNEVEN = "uneven", "More people of your group took part than of the other"
    MET_RECENTLY = "met_recently", "Everyone left to match you with met you recently"


class CoffeeCarryOver(models.Model):
    round = models.ForeignKey(CoffeeRound, on_delete=models.CASCADE, related_name="carry_overs")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coffee_carry_overs"
    )
    reason = models.CharField(max_length=16, choices=CarryOverReason.choices)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="coffee_carried_once")
        ]

    def __str__(self):
        return f"{self.person} carried over from {self.round}"
