"""People and trusts: the accounts, the NHS organisations they work for, their access roles
in Tandem and their role history in the NHS.

Every feature app imports from here; this app imports none of them.
"""

from .access import AccessGrant
from .history import (
    LEADERSHIP_CATEGORIES,
    RoleAppointment,
    RoleAppointmentQuerySet,
    RoleCategory,
    RoleSource,
)
from .person import (
    CLINICAL_GROUPS,
    PROFILE_FIELDS,
    REGISTRATION_BODY_FOR_GROUP,
    SPONSOR_FIELDS,
    ProfessionalGroup,
    RegistrationBody,
    User,
    UserManager,
    UserQuerySet,
)
from .trusts import DOMAIN_PATTERN, BoardSnapshot, Region, Trust, TrustEmailDomain, TrustQuerySet

__all__ = [
    "CLINICAL_GROUPS",
    "DOMAIN_PATTERN",
    "LEADERSHIP_CATEGORIES",
    "PROFILE_FIELDS",
    "REGISTRATION_BODY_FOR_GROUP",
    "SPONSOR_FIELDS",
    "AccessGrant",
    "BoardSnapshot",
    "ProfessionalGroup",
    "Region",
    "RegistrationBody",
    "RoleAppointment",
    "RoleAppointmentQuerySet",
    "RoleCategory",
    "RoleSource",
    "Trust",
    "TrustEmailDomain",
    "TrustQuerySet",
    "User",
    "UserManager",
    "UserQuerySet",
]
