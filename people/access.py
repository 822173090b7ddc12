"""Access roles: what a person may do in Tandem, and for which trust or region.

Two different things are called "role" in Tandem; the code names them apart:

- an **access role** (this module): a grant of power in Tandem itself — programme
  administrator *of a trust*, trust reporting lead *of a trust*, regional lead *of a region*,
  national lead, editor, content reviewer, facilitator, participant. Held as
  ``people.AccessGrant`` rows (person, role, scope); each role's Django group, which carries
  the Wagtail and model permissions, follows the grants (people.services keeps them in step).
- a person's **role history** (``people.RoleAppointment``): the jobs they hold in the NHS —
  "Clinical director for surgery from 2025" — which reports count.

A facilitator's reach is not a trust: they see the people of the cohorts and sessions they
facilitate, which the programmes app declares (people.permissions.register_people_reach).
"""

from django.db import models


class AccessRole(models.TextChoices):
    # The values are the names of the Django groups created by migrations.
    PARTICIPANT = "Participants", "Participant"
    # "Editors" is also the group Wagtail creates; we adopt it rather than make a twin.
    EDITOR = "Editors", "Editor"
    CONTENT_REVIEWER = "Content reviewers", "Content reviewer"
    PROGRAMME_ADMINISTRATOR = "Programme administrators", "Programme administrator"
    FACILITATOR = "Facilitators", "Facilitator"
    TRUST_REPORTING_LEAD = "Trust reporting leads", "Trust reporting lead"
    REGIONAL_LEAD = "Regional leads", "Regional lead"
    NATIONAL_LEAD = "National leads", "National lead"


# Roles whose holders use the Wagtail admin, and so need two-factor authentication.
STAFF_ROLES = frozenset(
    {
        AccessRole.EDITOR,
        AccessRole.CONTENT_REVIEWER,
        AccessRole.PROGRAMME_ADMINISTRATOR,
        AccessRole.TRUST_REPORTING_LEAD,
        AccessRole.REGIONAL_LEAD,
        AccessRole.NATIONAL_LEAD,
    }
)

# Roles that take part in programmes (whatever staff roles their holders also have): the
# profile step asks their holders for what reports count and pairing needs.
PROGRAMME_ROLES = frozenset({AccessRole.PARTICIPANT, AccessRole.FACILITATOR})

# The scope each role is granted for. Every grant of these roles names one; no other does.
TRUST_SCOPED_ROLES = frozenset(
    {AccessRole.PROGRAMME_ADMINISTRATOR, AccessRole.TRUST_REPORTING_LEAD}
)
REGION_SCOPED_ROLES = frozenset({AccessRole.REGIONAL_LEAD})

# Roles that see other people's records (facilitators through their cohorts): accounts with
# them are protected from a trust administrator's changes, as staff are.
ROLES_THAT_SEE_OTHERS = STAFF_ROLES | {AccessRole.FACILITATOR}


def has_staff_access(user) -> bool:
    """The one answer to "holds a staff role / may reach the admin": a superuser, Django's
    staff flag, a staff access role, or the Wagtail admin permission however it was given
    (a group, or directly). Two-factor authentication, the idle timeout, protection from
    other administrators and the retention policy for unused accounts all ask this."""
    if user is None or not user.is_authenticated:
        return False
    return bool(
        user.is_superuser
        or user.is_staff
        or user.role_names & STAFF_ROLES
        or user.has_perm("wagtailadmin.access_admin")
    )


def sees_others(user) -> bool:
    """Staff access, or a role that shows other people's records (a facilitator's)."""
    return has_staff_access(user) or bool(user.role_names & ROLES_THAT_SEE_OTHERS)
