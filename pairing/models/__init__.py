from .activity import (
    MAX_HOURS_A_DAY,
    PairMeeting,
    ShadowingSetting,
    ShadowingVisit,
    VisitStatus,
)
from .pairings import (
    LIVE_PAIRING,
    ImprovementProject,
    MeetingFrequency,
    Pairing,
    PairingSource,
    PairingStatus,
    ProjectComment,
    ProjectStatus,
)
from .schemes import (
    INTEREST_LABELS,
    INTERESTS,
    DoNotPair,
    PairingProfile,
    PairingScheme,
    SchemeFacilitator,
    SchemeMember,
)

__all__ = [
    "INTERESTS",
    "INTEREST_LABELS",
    "LIVE_PAIRING",
    "MAX_HOURS_A_DAY",
    "DoNotPair",
    "ImprovementProject",
    "MeetingFrequency",
    "PairMeeting",
    "Pairing",
    "PairingProfile",
    "PairingScheme",
    "PairingSource",
    "PairingStatus",
    "ProjectComment",
    "ProjectStatus",
    "SchemeFacilitator",
    "SchemeMember",
    "ShadowingSetting",
    "ShadowingVisit",
    "VisitStatus",
]
