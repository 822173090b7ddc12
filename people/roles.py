"""Moved: access roles are people.access (AccessRole); kept for imports not yet renamed."""

from .access import REGION_SCOPED_ROLES, STAFF_ROLES, TRUST_SCOPED_ROLES, AccessRole

Role = AccessRole

__all__ = ["REGION_SCOPED_ROLES", "STAFF_ROLES", "TRUST_SCOPED_ROLES", "AccessRole", "Role"]
