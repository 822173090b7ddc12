"""What pairing holds about a person, for subject access and erasure (found by privacy's
autodiscovery: privacy.registry).

Export: their pairings (the partner by name: they work together), every visit, meeting and
the project of those pairings, their comments, schemes, interests, and that a do-not-pair rule
exists (not with whom, nor why: that is about someone else, written by an administrator).

Erasure keeps what reports count — that a pairing existed, its dates and status, the hours
and dates of visits, the dates of meetings, the project's title and status — and removes what
identifies or was written by the person: their place in each pairing (which ends, if live),
what they learned on their visits, the notes and actions of meetings they logged, their
comments, their schemes, interests and do-not-pair rules. The pair's joint project text stays
with the partner, who wrote it too, without the person's name on it.
"""

from django.db.models import Q
from django.utils import timezone

from privacy.registry import register_source

from .models import (
    DoNotPair,
    ImprovementProject,
    Pairing,
    PairingProfile,
    PairingStatus,
    PairMeeting,
    ProjectComment,
    SchemeFacilitator,
    SchemeMember,
    ShadowingVisit,
)

# Every model of this app that points at a person, and the source that exports and erases it
# (tests/pairing/test_personal_data.py checks that none is missing).
PERSON_LINKED_MODELS = {
    Pairing: "pairings",
    ShadowingVisit: "shadowing_visits",
    PairMeeting: "pair_meetings",
    ImprovementProject: "improvement_projects",
    ProjectComment: "improvement_projects",
    SchemeMember: "pairing_schemes",
    SchemeFacilitator: "pairing_schemes",
    PairingProfile: "pairing_schemes",
    DoNotPair: "pairing_schemes",
}
# Fields naming who did something to a record of others (an administrator who made a pair,
# the member who last edited the project): the record is not theirs.
ACTOR_FIELDS = {
    (Pairing, "created_by"),
    (DoNotPair, "created_by"),
    (ImprovementProject, "updated_by"),
    (ShadowingVisit, "logged_by"),
    (ShadowingVisit, "confirmed_by"),
    (PairMeeting, "logged_by"),
}


def _local(value):
    return timezone.localtime(value).isoformat() if value else None


def _name(person) -> str:
    return person.get_full_name() if person else "a former participant"


def _pairings_of(person):
    return Pairing.objects.of(person).select_related(
        "clinician", "manager", "cohort__programme", "scheme"
    )


def _who(person, pk) -> str:
    return "you" if pk == person.pk else ("your partner" if pk else "a former participant")


def export_pairings(person) -> list[dict]:
    return [
        {
            "in": p.group_name,
            "partner": _name(p.partner_of(person)),
            "status": p.get_status_display(),
            "proposed_at": _local(p.proposed_at),
            "started_on": p.started_on,
            "ended_on": p.ended_on,
            "what_you_want_to_learn": p.goals,
            "how_often_you_meet": p.get_meeting_frequency_display(),
        }
        for p in _pairings_of(person).order_by("proposed_at", "pk")
    ]


def export_shadowing_visits(person) -> list[dict]:
    by_pairing = {p.pk: p for p in _pairings_of(person)}
    visits = ShadowingVisit.objects.filter(pairing_id__in=by_pairing).order_by("visited_on", "pk")
    return [
        {
            "in": by_pairing[v.pairing_id].group_name,
            "date": v.visited_on,
            "who_shadowed": _who(person, v.shadower_id),
            "hours": str(v.hours),
            "setting": v.setting_label,
            "what_was_learned": v.reflection,
            "status": v.get_status_display(),
            "logged_by": _who(person, v.logged_by_id),
            "logged_at": _local(v.logged_at),
            "confirmed_at": _local(v.confirmed_at),
        }
        for v in visits
    ]


def export_pair_meetings(person) -> list[dict]:
    by_pairing = {p.pk: p for p in _pairings_of(person)}
    meetings = PairMeeting.objects.filter(pairing_id__in=by_pairing).order_by("met_on", "pk")
    return [
        {
            "in": by_pairing[m.pairing_id].group_name,
            "date": m.met_on,
            "notes": m.notes,
            "agreed_actions": m.actions,
            "logged_by": _who(person, m.logged_by_id),
        }
        for m in meetings
    ]


def export_improvement_projects(person) -> list[dict]:
    projects = ImprovementProject.objects.filter(pairing__in=Pairing.objects.of(person))
    rows = [
        {
            "title": p.title,
            "problem": p.problem,
            "aims": p.aims,
            "measures": p.measures,
            "status": p.get_status_display(),
            "final_summary": p.final_summary,
            "presented_on": p.presented_on,
        }
        for p in projects.order_by("created_at", "pk")
    ]
    comments = ProjectComment.objects.filter(author=person).select_related("project")
    rows += [
        {"your_comment_on": c.project.title, "comment": c.body, "at": _local(c.created_at)}
        for c in comments.order_by("created_at", "pk")
    ]
    return rows


def export_pairing_schemes(person) -> list[dict]:
    rows = [
        {"scheme": m.scheme.name, "you": "are a member", "since": _local(m.joined_at)}
        for m in SchemeMember.objects.filter(person=person).select_related("scheme")
    ]
    rows += [
        {"scheme": f.scheme.name, "you": "facilitate it", "since": _local(f.added_at)}
        for f in SchemeFacilitator.objects.filter(person=person).select_related("scheme")
    ]
    profile = PairingProfile.objects.filter(person=person).first()
    if profile is not None:
        rows.append({"your_interests": ", ".join(profile.interest_labels())})
    rules = DoNotPair.objects.filter(Q(person_a=person) | Q(person_b=person)).count()
    if rules:
        # That a rule exists, not with whom nor why: that is about another person.
        rows.append({"do_not_pair_rules_about_you": rules})
    return rows


def erase_pairing(person, *, by, reason) -> None:
    today = timezone.localdate()
    mine = Pairing.objects.of(person)
    mine.filter(status__in=(PairingStatus.PROPOSED, PairingStatus.ACTIVE)).update(
        status=PairingStatus.ENDED, ended_on=today, end_reason="A member left Tandem."
    )
    ShadowingVisit.objects.filter(Q(shadower=person) | Q(logged_by=person)).update(
        reflection="", query_reason=""
    )
    ShadowingVisit.objects.filter(shadower=person).update(shadower=None)
    PairMeeting.objects.filter(logged_by=person).update(notes="", actions="", logged_by=None)
    ImprovementProject.objects.filter(updated_by=person).update(updated_by=None)
    ProjectComment.objects.filter(author=person).delete()
    mine.filter(clinician=person).update(clinician=None, goals="")
    Pairing.objects.filter(manager=person).update(manager=None, goals="")
    SchemeMember.objects.filter(person=person).delete()
    SchemeFacilitator.objects.filter(person=person).delete()
    PairingProfile.objects.filter(person=person).delete()
    DoNotPair.objects.filter(Q(person_a=person) | Q(person_b=person)).delete()


register_source(
    "pairings",
    label="Your pairings",
    exporter=export_pairings,
    eraser=erase_pairing,
)
register_source(
    "shadowing_visits", label="Your pair's shadowing visits", exporter=export_shadowing_visits
)
register_source("pair_meetings", label="Your pair meetings", exporter=export_pair_meetings)
register_source(
    "improvement_projects",
    label="Your improvement project and comments",
    exporter=export_improvement_projects,
)
register_source(
    "pairing_schemes", label="Your pairing schemes and interests", exporter=export_pairing_schemes
)
