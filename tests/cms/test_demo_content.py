"""The demo content seed_demo loads: Leading Together, six substantial modules and a resource
library; valid by the same rules an editor's content must pass, and idempotent."""

import pytest
from wagtail.models import PageViewRestriction

from cms.models import ModulePage, ModuleRelatedLink, ProgrammePage, ResourcePage
from demo import content as demo_content
from demo.run import SeedRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(home):
    run = SeedRun()
    demo_content.seed_content(run)
    return run


def modules_of(programme):
    return list(ModulePage.objects.child_of(programme).live().order_by("path"))


def test_creates_leading_together_with_its_six_modules(seeded):
    programme = ProgrammePage.objects.get(slug="leading-together")
    assert programme.live and programme.url == "/programmes/leading-together/"
    titles = [m.title for m in modules_of(programme)]
    assert titles == [
        "NHS budgets and financial management for clinicians",
        "Managing and developing staff",
        "Business planning and business cases",
        "Leading organisational change",
        "Quality improvement together",
        "Understanding each other's roles",
    ]
    assert seeded.created["pages"] == 2 + 6 + 1 + len(demo_content.RESOURCES)


def test_every_module_has_substance(seeded):
    for module in ModulePage.objects.all():
        kinds = [child.block_type for child in module.body]
        assert {"rich_text", "key_points", "case_study", "reflective_question"} <= set(kinds)
        assert kinds.count("paired_activity") == 1, module.title
        assert kinds.count("knowledge_check") == 1, module.title
        words = sum(
            len(text.split())
            for text in module.body.stream_block.get_searchable_content(module.body)
        )
        assert words > 700, f"{module.title}: only {words} words"
        assert module.topics.exists() and module.leadership_dimensions.count() >= 3
        assert len(module.learning_outcomes) >= 4
        case = next(c.value for c in module.body if c.block_type == "case_study")
        assert case["clinician"]["role"] and case["manager"]["role"]
        check = next(c.value for c in module.body if c.block_type == "knowledge_check")
        assert len(check["questions"]) >= 3


def test_content_passes_the_editors_validation(seeded):
    """What an editor could not save, the demo must not contain: every body, outcome list and
    knowledge check is cleaned by its block definitions."""
    for page in [
        *ModulePage.objects.all(),
        *ProgrammePage.objects.all(),
        *ResourcePage.objects.all(),
    ]:
        page.body.stream_block.clean(page.body)
        if hasattr(page, "learning_outcomes"):
            page.learning_outcomes.stream_block.clean(page.learning_outcomes)
        page.full_clean()


def test_no_placeholder_text(seeded):
    for page in [*ModulePage.objects.all(), *ResourcePage.objects.all()]:
        text = " ".join(page.body.stream_block.get_searchable_content(page.body)).lower()
        for placeholder in ("lorem", "ipsum", "todo", "tbc", "xxx"):
            assert placeholder not in text.split(), (page.title, placeholder)


def test_related_modules_are_in_the_published_revision(seeded):
    budgets = ModulePage.objects.get(slug="nhs-budgets-and-financial-management")
    related = [link.related_module.slug for link in budgets.related_module_links.all()]
    assert related == ["business-planning-and-business-cases", "managing-and-developing-staff"]
    # An editor opens the latest revision: the links must be there too, or a save drops them.
    revision = budgets.get_latest_revision_as_object()
    assert [link.related_module_id for link in revision.related_module_links.all()] == [
        ModulePage.objects.get(slug=slug).pk for slug in related
    ]
    assert ModuleRelatedLink.objects.count() == 12


def test_the_library_has_resources_one_of_them_for_participants_only(seeded, client):
    resources = ResourcePage.objects.live()
    assert resources.count() == len(demo_content.RESOURCES) >= 5
    workbook = resources.get(slug="cohort-workbook")
    assert PageViewRestriction.objects.get(page=workbook).restriction_type == "login"
    assert client.get(workbook.url).status_code == 302
    template = resources.get(slug="ward-budget-review-template")
    assert template.document.file_extension == "csv"
    csv_text = template.document.file.read().decode()
    assert "Registered nurses: agency" in csv_text
    assert "Budget to month 8 (£)" in csv_text


def test_every_demo_page_renders(seeded, client):
    for page in [*ProgrammePage.objects.all(), *ModulePage.objects.all()]:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
    for page in ResourcePage.objects.exclude(slug="cohort-workbook"):
        assert client.get(page.url).status_code == 200, page.url


def test_seeding_twice_adds_nothing(seeded):
    counts = (
        ModulePage.objects.count(),
        ResourcePage.objects.count(),
        ModuleRelatedLink.objects.count(),
    )
    again = SeedRun()
    demo_content.seed_content(again)
    assert not again.created
    assert counts == (
        ModulePage.objects.count(),
        ResourcePage.objects.count(),
        ModuleRelatedLink.objects.count(),
    )


def test_a_page_changed_by_an_editor_is_left_alone(seeded):
    module = ModulePage.objects.get(slug="quality-improvement")
    module.title = "Improving quality together"
    module.save_revision().publish()
    demo_content.seed_content(SeedRun())
    assert ModulePage.objects.get(slug="quality-improvement").title == "Improving quality together"


def test_a_deleted_module_is_restored(seeded):
    ModulePage.objects.get(slug="leading-organisational-change").delete()
    run = SeedRun()
    demo_content.seed_content(run)
    assert run.created["pages"] == 1
    assert ModulePage.objects.filter(slug="leading-organisational-change").exists()
