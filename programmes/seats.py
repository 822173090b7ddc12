"""Who may take a seat in a cohort: capacity and the joint mix, as one pure calculation.

A cohort has ``capacity`` seats, of which ``reserved_for_clinicians`` are held for clinicians
and ``reserved_for_managers`` for managers until enrolment closes, so that training stays
joint (PRODUCT.md §3). While the reservations hold, a clinician may take an unreserved seat or
a clinician-reserved one, never one still held for managers; and the reverse. Once enrolment
closes (or the release task has run) every empty seat is open to either group.

The services count the seated people under the cohort's row lock and ask ``Seats``; the public
listing asks the same class of counts annotated in one query, so both say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Seats:
    capacity: int
    reserved_for_clinicians: int
    reserved_for_managers: int
    clinicians: int  # seated clinicians (enrolled, completed or not completed)
    managers: int
    reservations_held: bool  # False once enrolment has closed or the seats were released

    @property
    def taken(self) -> int:
        return self.clinicians + self.managers

    @property
    def left(self) -> int:
        """Empty seats, whoever may take them."""
        return max(0, self.capacity - self.taken)

    def left_for(self, *, clinical: bool) -> int:
        """Empty seats a clinician (``clinical``) or a manager could take now: the empty seats
        less those still held for the other group."""
        if not self.reservations_held:
            return self.left
        if clinical:
            held_for_others = max(0, self.reserved_for_managers - self.managers)
        else:
            held_for_others = max(0, self.reserved_for_clinicians - self.clinicians)
        return max(0, self.left - held_for_others)

    @property
    def left_for_clinicians(self) -> int:
        return self.left_for(clinical=True)

    @property
    def left_for_managers(self) -> int:
        return self.left_for(clinical=False)

    def fits(self, *, clinical: bool) -> bool:
        return self.left_for(clinical=clinical) > 0

    def seat(self, *, clinical: bool) -> Seats:
        """The seats after one more person of that group sits down."""
        if clinical:
            return replace(self, clinicians=self.clinicians + 1)
        return replace(self, managers=self.managers + 1)

    def unseat(self, *, clinical: bool) -> Seats:
        if clinical:
            return replace(self, clinicians=max(0, self.clinicians - 1))
        return replace(self, managers=max(0, self.managers - 1))
