"""The page tree's rules, and creating each page type the way an editor does: through the
Wagtail admin's create form, with the form data it posts (wagtail.test.utils.form_data)."""

from decimal import Decimal

from django.urls import reverse
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import (
    HomePage,
    InformationPage,
    ModulePage,
    ProgrammeIndexPage,
    ProgrammePage,
    ResourceIndexPage,
    ResourcePage,
    Topic,
)
from tests.factories import (
    ModulePageFactory,
    ProgrammeIndexPageFactory,
    ProgrammePageFactory,
    ResourceIndexPageFactory,
    UserFactory,
    give_totp,
)


class PageTreeRules(WagtailPageTestCase):
    def test_home_page_holds_the_two_indexes_and_information_pages_only(self):
        self.assertAllowedSubpageTypes(
            HomePage, {ProgrammeIndexPage, ResourceIndexPage, InformationPage}
        )
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_information_pages_sit_under_the_home_page_and_have_no_children(self):
        self.assertCanCreateAt(HomePage, InformationPage)
        self.assertAllowedParentPageTypes(InformationPage, {HomePage})
        self.assertAllowedSubpageTypes(InformationPage, set())

    def test_programmes_live_under_the_programme_index(self):
        self.assertCanCreateAt(ProgrammeIndexPage, ProgrammePage)
        self.assertAllowedParentPageTypes(ProgrammePage, {ProgrammeIndexPage})
        self.assertCanNotCreateAt(HomePage, ProgrammePage)
        self.assertCanNotCreateAt(ResourceIndexPage, ProgrammePage)

    def test_modules_live_under_programmes_and_have_no_children(self):
        self.assertCanCreateAt(ProgrammePage, ModulePage)
        self.assertAllowedParentPageTypes(ModulePage, {ProgrammePage})
        self.assertCanNotCreateAt(ProgrammeIndexPage, ModulePage)
        self.assertCanNotCreateAt(HomePage, ModulePage)
        self.assertAllowedSubpageTypes(ModulePage, set())

    def test_resources_live_in_the_library(self):
        self.assertCanCreateAt(ResourceIndexPage, ResourcePage)
        self.assertAllowedParentPageTypes(ResourcePage, {ResourceIndexPage})
        self.assertCanNotCreateAt(ProgrammePage, ResourcePage)
        self.assertAllowedSubpageTypes(ResourcePage, set())

    def test_indexes_sit_under_the_home_page(self):
        self.assertAllowedParentPageTypes(ProgrammeIndexPage, {HomePage})
        self.assertAllowedParentPageTypes(ResourceIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(ProgrammeIndexPage, {ProgrammePage})
        self.assertAllowedSubpageTypes(ResourceIndexPage, {ResourcePage})


class AdminTestCase(WagtailPageTestCase):
    """Signed in to the admin as a superuser, with a module's form data to hand."""

    def setUp(self):
        self.home = Site.objects.get(is_default_site=True).root_page.specific
        self.admin = UserFactory(
            email="superuser@tandem.example", is_superuser=True, is_staff=True, trust=None
        )
        give_totp(self.admin)  # staff roles reach the admin only with two-factor set up
        self.client.force_login(self.admin)
        self.topic = Topic.objects.get(slug="budgets-and-finance")

    def module_data(self, topics=None, **overrides):
        data = {
            "title": "Reading a budget statement",
            "summary": "The columns, the words and the questions to ask.",
            "estimated_minutes": "40",
            "learning_outcomes": streamfield([("outcome", "Explain a variance")]),
            "body": streamfield([("rich_text", rich_text("<p>Pay is most of a ward budget.</p>"))]),
            "related_module_links": inline_formset([]),
            "comments": inline_formset([]),
        }
        data.update(overrides)
        data = nested_form_data(data)
        # Multiple-choice fields post one value per choice; nested_form_data would number them.
        data["topics"] = [str(self.topic.pk)] if topics is None else topics
        return data


class CreatingPagesInTheAdmin(AdminTestCase):
    """assertCanCreate posts the admin's create form and publishes; it fails with the form's
    validation errors if the data is not what the admin would accept."""

    def test_create_each_index(self):
        self.assertCanCreate(
            self.home,
            ProgrammeIndexPage,
            nested_form_data(
                {
                    "title": "Programmes",
                    "intro": rich_text("<p>Learn together.</p>"),
                    "comments": inline_formset([]),
                }
            ),
        )
        self.assertCanCreate(
            self.home,
            ResourceIndexPage,
            nested_form_data(
                {
                    "title": "Resource library",
                    "intro": rich_text(""),
                    "comments": inline_formset([]),
                }
            ),
        )
        assert ProgrammeIndexPage.objects.child_of(self.home).live().count() == 1
        assert ResourceIndexPage.objects.child_of(self.home).live().count() == 1

    def test_create_a_programme(self):
        index = ProgrammeIndexPageFactory(parent=self.home)
        self.assertCanCreate(
            index,
            ProgrammePage,
            nested_form_data(
                {
                    "title": "Leading Together",
                    "summary": "Clinicians and managers learn the business of the NHS.",
                    "for_clinicians": "Doctors, nurses and allied health professionals.",
                    "for_managers": "Operational and general managers.",
                    "learning_outcomes": streamfield([("outcome", "Read a budget statement")]),
                    "format": "Six half-day workshops",
                    "duration": "Six months",
                    "cpd_hours": "24",
                    "body": streamfield([]),
                    "comments": inline_formset([]),
                }
            ),
        )
        programme = ProgrammePage.objects.get(slug="leading-together")
        assert programme.live
        assert programme.cpd_hours == Decimal("24")
        assert [b.value for b in programme.learning_outcomes] == ["Read a budget statement"]

    def test_create_a_module_with_every_learning_block(self):
        programme = ProgrammePageFactory(parent=ProgrammeIndexPageFactory(parent=self.home))
        body = streamfield(
            [
                ("rich_text", rich_text("<p>Where the money comes from.</p>")),
                ("key_points", {"heading": "Key points", "points": streamfield([])}),
                (
                    "case_study",
                    {
                        "title": "The overspent ward",
                        "situation": rich_text("<p>Ward 7 is over on pay.</p>"),
                        "clinician": {
                            "role": "Ward sister",
                            "account": rich_text("<p>Every shift was booked for safety.</p>"),
                        },
                        "manager": {
                            "role": "General manager",
                            "account": rich_text("<p>Agency spend is at premium rates.</p>"),
                        },
                        "outcome": rich_text("<p>They read the statement together.</p>"),
                    },
                ),
                (
                    "reflective_question",
                    {"question": "What surprised you?", "prompts": streamfield([])},
                ),
            ]
        )
        # ListBlocks post their items like a stream: count, then each item's value.
        body["1"]["value"]["points"] = {
            "count": "1",
            "0": {"value": "Pay is most of the budget", "deleted": "", "order": "0", "id": ""},
        }
        self.assertCanCreate(programme, ModulePage, self.module_data(body=body))
        module = ModulePage.objects.get(slug="reading-a-budget-statement")
        assert [child.block_type for child in module.body] == [
            "rich_text",
            "key_points",
            "case_study",
            "reflective_question",
        ]
        assert list(module.topics.all()) == [self.topic]
        assert module.estimated_minutes == 40

    def test_create_a_resource(self):
        library = ResourceIndexPageFactory(parent=self.home)
        self.assertCanCreate(
            library,
            ResourcePage,
            nested_form_data(
                {
                    "title": "Budget review template",
                    "summary": "A template for reviewing a budget statement as a pair.",
                    "resource_type": "template",
                    "external_url": "https://example.org/template",
                    "body": streamfield([]),
                    "comments": inline_formset([]),
                }
            )
            | {"topics": [str(self.topic.pk)]},
        )
        assert ResourcePage.objects.get(slug="budget-review-template").live

    # --- Bad input: Wagtail's validation messages ---------------------------------------

    def post_create(self, parent, model, data):
        data = {**data, "slug": "a-page", "action-publish": "action-publish"}
        url = reverse(
            "wagtailadmin_pages:add",
            args=[model._meta.app_label, model._meta.model_name, parent.pk],
        )
        return self.client.post(url, data)

    def test_an_empty_required_field_is_refused_with_a_message(self):
        programme = ProgrammePageFactory(parent=ProgrammeIndexPageFactory(parent=self.home))
        response = self.post_create(
            programme, ModulePage, self.module_data(summary="", topics=[], estimated_minutes="")
        )
        assert response.status_code == 200  # the form again, not a redirect
        errors = response.context["form"].errors
        assert errors["summary"] == ["This field is required."]
        assert errors["topics"] == ["This field is required."]
        assert errors["estimated_minutes"] == ["This field is required."]
        assert not ModulePage.objects.filter(title="Reading a budget statement").exists()

    def test_a_knowledge_check_needs_exactly_one_correct_answer(self):
        programme = ProgrammePageFactory(parent=ProgrammeIndexPageFactory(parent=self.home))
        question = {
            "question": "What is a variance?",
            "options": {
                "count": "2",
                **{
                    str(i): {
                        "value": {"answer": f"Answer {i}", "feedback": "Because.", "correct": ""},
                        "deleted": "",
                        "order": str(i),
                        "id": "",
                    }
                    for i in range(2)
                },
            },
        }
        body = streamfield(
            [
                (
                    "knowledge_check",
                    {
                        "title": "Check your understanding",
                        "questions": {
                            "count": "1",
                            "0": {"value": question, "deleted": "", "order": "0", "id": ""},
                        },
                    },
                )
            ]
        )
        response = self.post_create(programme, ModulePage, self.module_data(body=body))
        assert response.status_code == 200
        assert "body" in response.context["form"].errors
        assert "Mark exactly one answer as correct." in str(
            response.context["form"].errors["body"].as_data()[0].as_json_data()
        )
        assert not ModulePage.objects.filter(title="Reading a budget statement").exists()

    def test_a_page_under_the_wrong_parent_is_refused(self):
        index = ProgrammeIndexPageFactory(parent=self.home)
        response = self.post_create(index, ModulePage, self.module_data())
        # Wagtail refuses the page type outright: the admin answers "permission denied" and
        # sends the editor back with its message, creating nothing.
        assert response.status_code == 302
        follow = self.client.get(response["Location"])
        assert "Sorry, you do not have permission to access this area." in follow.content.decode()
        assert not ModulePage.objects.exists()

    def test_the_admin_offers_only_the_allowed_types(self):
        programme = ProgrammePageFactory(parent=ProgrammeIndexPageFactory(parent=self.home))
        response = self.client.get(reverse("wagtailadmin_pages:add_subpage", args=[programme.pk]))
        # With one allowed type, Wagtail goes straight to its create form.
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "wagtailadmin_pages:add", args=["cms", "modulepage", programme.pk]
        )

    def test_a_module_cannot_be_related_to_itself(self):
        module = ModulePageFactory(parent=ProgrammePageFactory(parent=ProgrammeIndexPageFactory()))
        data = self.module_data(
            title=module.title,
            related_module_links=inline_formset([{"related_module": str(module.pk)}]),
        )
        data["slug"] = module.slug
        response = self.client.post(
            reverse("wagtailadmin_pages:edit", args=[module.pk]),
            {**data, "action-publish": "action-publish"},
        )
        assert response.status_code == 200
        assert "A module cannot be related to itself." in response.content.decode()


class PreviewingPages(AdminTestCase):
    """An editor's preview renders the unsaved page through the same templates, related
    modules and all (held in memory, not yet in the database)."""

    def test_a_module_previews_with_its_unsaved_changes(self):
        programme = ProgrammePageFactory(parent=ProgrammeIndexPageFactory(parent=self.home))
        module = ModulePageFactory(parent=programme, title="Budgets")
        other = ModulePageFactory(parent=programme, title="Business cases")
        data = self.module_data(
            title="Budgets, previewed",
            related_module_links=inline_formset([{"related_module": str(other.pk)}]),
        )
        data["slug"] = module.slug
        url = reverse("wagtailadmin_pages:preview_on_edit", args=[module.pk])
        response = self.client.post(url, data)
        assert response.json() == {"is_valid": True, "is_available": True}

        preview = self.client.get(url).content.decode()
        assert "<h1>Budgets, previewed</h1>" in preview
        assert "Business cases" in preview
        module.refresh_from_db()
        assert module.title == "Budgets"  # a preview saves nothing
