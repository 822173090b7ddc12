"""Writes to pairing: keyword-only functions, one transaction each. Views, the admin, the
demo and tasks call these through this package: ``from pairing import services``.

- ``pairings``: who may be paired (``check_pair``), making, confirming and ending pairings,
  the agreement, pairs who applied together, do-not-pair rules, interests, schemes;
- ``activity``: shadowing visits (logged, confirmed by the partner, queried), pair meetings,
  the improvement project and its comments;
- ``matching``: suggested pairs for a cohort or scheme (the pure matcher, pairing.matching,
  fed from the database).
"""

from .activity import (
    PROJECT_FIELDS,
    meeting_log,
    project_comment_add,
    project_save,
    visit_confirm,
    visit_delete,
    visit_log,
    visit_query,
)
from .matching import GroupSuggestion, suggestions_for
from .pairings import (
    SCHEME_FIELDS,
    PairingRefused,
    agreement_update,
    check_pair,
    do_not_pair_add,
    group_member_ids,
    pairing_confirm,
    pairing_create,
    pairing_end,
    pairing_from_application,
    pairings_create_many,
    profile_update,
    scheme_join,
    scheme_leave,
    scheme_save,
)

__all__ = [
    "PROJECT_FIELDS",
    "SCHEME_FIELDS",
    "GroupSuggestion",
    "PairingRefused",
    "agreement_update",
    "check_pair",
    "do_not_pair_add",
    "group_member_ids",
    "meeting_log",
    "pairing_confirm",
    "pairing_create",
    "pairing_end",
    "pairing_from_application",
    "pairings_create_many",
    "profile_update",
    "project_comment_add",
    "project_save",
    "scheme_join",
    "scheme_leave",
    "scheme_save",
    "suggestions_for",
    "visit_confirm",
    "visit_delete",
    "visit_log",
    "visit_query",
]
