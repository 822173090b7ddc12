"""Seed the first topics (editors add more as snippets) and the nine dimensions of the NHS
Healthcare Leadership Model (fixed). Keyed on slug: rerunning changes nothing."""

from django.db import migrations

TOPICS = [
    (
        "budgets-and-finance",
        "Budgets and finance",
        "Reading budget statements, cost improvement, agency spend and where NHS money comes from.",
    ),
    (
        "staff-management",
        "Staff management",
        "Recruiting, rostering, appraisal, job planning and helping people do their best work.",
    ),
    (
        "business-planning",
        "Business planning",
        "Business cases, the five-case model and turning a good idea into an approved plan.",
    ),
    (
        "organisational-change",
        "Organisational change",
        "Leading change people choose to join: models, resistance and making it stick.",
    ),
    (
        "quality-improvement",
        "Quality improvement",
        "Measuring for improvement, PDSA cycles and spreading what works.",
    ),
    (
        "working-across-professions",
        "Working across professions",
        "How clinicians and managers see the same problem differently, and work on it together.",
    ),
]

# The NHS Leadership Academy's Healthcare Leadership Model (2013), in its own order.
DIMENSIONS = [
    (
        "inspiring-shared-purpose",
        "Inspiring shared purpose",
        "Valuing a service ethos, being curious about how to improve care, and acting on the NHS's values.",
    ),
    (
        "leading-with-care",
        "Leading with care",
        "Understanding the needs of the team and providing a caring, safe environment for everyone to work in.",
    ),
    (
        "evaluating-information",
        "Evaluating information",
        "Seeking out varied information and using it to make evidence-based plans and decisions.",
    ),
    (
        "connecting-our-service",
        "Connecting our service",
        "Understanding how services, teams and organisations fit together and affect each other.",
    ),
    (
        "sharing-the-vision",
        "Sharing the vision",
        "Communicating a credible picture of the future that feels achievable.",
    ),
    (
        "engaging-the-team",
        "Engaging the team",
        "Involving people and showing that their contributions and ideas are valued.",
    ),
    (
        "holding-to-account",
        "Holding to account",
        "Agreeing clear goals and standards, and supporting people to take responsibility for results.",
    ),
    (
        "developing-capability",
        "Developing capability",
        "Building people's and the organisation's ability to meet future challenges.",
    ),
    (
        "influencing-for-results",
        "Influencing for results",
        "Building relationships and understanding others' concerns to persuade and collaborate.",
    ),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("cms", "Topic")
    LeadershipDimension = apps.get_model("cms", "LeadershipDimension")
    for slug, name, description in TOPICS:
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for order, (slug, name, description) in enumerate(DIMENSIONS):
        LeadershipDimension.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "sort_order": order}
        )


def unseed(apps, schema_editor):
    apps.get_model("cms", "Topic").objects.filter(slug__in=[t[0] for t in TOPICS]).delete()
    apps.get_model("cms", "LeadershipDimension").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cms", "0003_pages_topics_and_progress")]

    operations = [migrations.RunPython(seed, unseed)]
