"""The roles people hold in Tandem, each a Django group created by a migration.

Staff roles work in the Wagtail admin; a person's trust scopes what those roles administer
or see (see people.permissions).
"""

from django.db import models


class Role(models.TextChoices):
    PARTICIPANT = "Participants", "Participant"
    # "Editors" is also the group Wagtail creates; we adopt it rather than make a twin.
    EDITOR = "Editors", "Editor"
    CONTENT_REVIEWER = "Content reviewers", "Content reviewer"
    PROGRAMME_ADMINISTRATOR = "Programme administrators", "Programme administrator"
    FACILITATOR = "Facilitators", "Facilitator"
    TRUST_REPORTING_LEAD = "Trust reporting leads", "Trust reporting lead"
    REGIONAL_LEAD = "Regional leads", "Regional lead"


# Roles whose holders use the Wagtail admin (and, from the accounts issue, need 2FA).
STAFF_ROLES = frozenset(
    {
        Role.EDITOR,
        Role.CONTENT_REVIEWER,
        Role.PROGRAMME_ADMINISTRATOR,
        Role.TRUST_REPORTING_LEAD,
        Role.REGIONAL_LEAD,
    }
)

# Roles whose view is limited to their own trust's people and cohorts.
TRUST_SCOPED_ROLES = frozenset(
    {Role.PROGRAMME_ADMINISTRATOR, Role.FACILITATOR, Role.TRUST_REPORTING_LEAD}
)
