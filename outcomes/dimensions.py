"""The NHS Healthcare Leadership Model (PRODUCT.md §3): nine dimensions, four levels.

The dimensions' canonical list is the CMS's (cms.LeadershipDimension, seeded by migration
cms.0004, which modules are tagged with); outcomes may not import cms, so the same nine keys
and names are declared here, and tests/outcomes/test_dimensions.py fails if the two lists
ever differ.
"""

from django.db import models


class Dimension(models.TextChoices):
    INSPIRING_SHARED_PURPOSE = "inspiring-shared-purpose", "Inspiring shared purpose"
    LEADING_WITH_CARE = "leading-with-care", "Leading with care"
    EVALUATING_INFORMATION = "evaluating-information", "Evaluating information"
    CONNECTING_OUR_SERVICE = "connecting-our-service", "Connecting our service"
    SHARING_THE_VISION = "sharing-the-vision", "Sharing the vision"
    ENGAGING_THE_TEAM = "engaging-the-team", "Engaging the team"
    HOLDING_TO_ACCOUNT = "holding-to-account", "Holding to account"
    DEVELOPING_CAPABILITY = "developing-capability", "Developing capability"
    INFLUENCING_FOR_RESULTS = "influencing-for-results", "Influencing for results"


class Level(models.IntegerChoices):
    """The model's four levels, as an ordinal scale (1 the first, 4 the highest)."""

    ESSENTIAL = 1, "Essential"
    PROFICIENT = 2, "Proficient"
    STRONG = 3, "Strong"
    EXEMPLARY = 4, "Exemplary"


class Stage(models.TextChoices):
    BEFORE = "before", "Before the programme"
    AFTER = "after", "After the programme"
