"""The CMS's models: the page tree (pages), its taxonomy, and learners' own progress."""

from .pages import (
    HomePage,
    InformationPage,
    ModulePage,
    ModuleRelatedLink,
    ProgrammeIndexPage,
    ProgrammePage,
    ResourceIndexPage,
    ResourcePage,
    ResourceType,
)
from .progress import ModuleProgress, ModuleReflection
from .taxonomy import LeadershipDimension, Topic

__all__ = [
    "HomePage",
    "InformationPage",
    "LeadershipDimension",
    "ModulePage",
    "ModuleProgress",
    "ModuleReflection",
    "ModuleRelatedLink",
    "ProgrammeIndexPage",
    "ProgrammePage",
    "ResourceIndexPage",
    "ResourcePage",
    "ResourceType",
    "Topic",
]
