"""A learner's own progress: completion marks and private reflections (POST, CSRF, then
redirect back), "My learning" at /learn/, and modules_completed_by for completion rules.

Privacy is the point: nobody sees or changes another person's marks or reflections."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from cms.models import ModuleProgress, ModuleReflection
from cms.selectors import learning_overview, modules_completed_by
from cms.services import module_progress_mark_complete
from tests.factories import (
    ModulePageFactory,
    ModuleProgressFactory,
    ModuleReflectionFactory,
    ProgrammePageFactory,
)

pytestmark = pytest.mark.django_db


def progress_url(module):
    return f"/learn/modules/{module.pk}/progress/"


def reflections_url(module):
    return f"/learn/modules/{module.pk}/reflections/"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


# --- Marking complete -----------------------------------------------------------------------


def test_a_participant_marks_a_module_complete_and_returns_to_it(client, participant, modules):
    client.force_login(participant)
    response = client.post(progress_url(modules[0]), {"completed": "yes"})
    assert response.status_code == 302
    assert response["Location"] == f"{modules[0].url}#progress"
    assert list(modules_completed_by(participant)) == [modules[0]]

    html = page(client, modules[0].url)
    progress = html.find(id="progress")
    assert "You marked this module as complete on" in progress.text
    assert progress.find("button").text == "Mark as not complete"
    assert "You marked Budgets as complete." in html.select_one(".messages").text


def test_marking_twice_keeps_the_first_completion(participant, modules):
    first = module_progress_mark_complete(person=participant, module=modules[0])
    again = module_progress_mark_complete(person=participant, module=modules[0])
    assert again.pk == first.pk
    assert again.completed_at == first.completed_at
    assert ModuleProgress.objects.count() == 1


def test_a_mark_can_be_cleared(client, participant, modules):
    ModuleProgressFactory(person=participant, module=modules[0])
    client.force_login(participant)
    client.post(progress_url(modules[0]), {"completed": "no"})
    assert not modules_completed_by(participant).exists()


def test_the_form_is_protected_by_csrf(participant, modules):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    assert client.post(progress_url(modules[0]), {"completed": "yes"}).status_code == 403
    assert not ModuleProgress.objects.exists()

    html = BeautifulSoup(client.get(modules[0].url).content, "html.parser")
    form = html.find(id="progress").find("form")
    token = form.find("input", attrs={"name": "csrfmiddlewaretoken"})["value"]
    response = client.post(form["action"], {"completed": "yes", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert ModuleProgress.objects.filter(person=participant).count() == 1


def test_anonymous_posts_are_sent_to_sign_in(client, modules):
    response = client.post(progress_url(modules[0]), {"completed": "yes"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not ModuleProgress.objects.exists()


def test_get_is_not_allowed(client, participant, modules):
    client.force_login(participant)
    assert client.get(progress_url(modules[0])).status_code == 405


@pytest.mark.parametrize("page_id", [0, 999_999])
def test_an_unknown_module_is_not_found(client, participant, page_id):
    client.force_login(participant)
    assert (
        client.post(f"/learn/modules/{page_id}/progress/", {"completed": "yes"}).status_code == 404
    )


def test_an_unpublished_module_cannot_be_marked(client, participant, modules):
    modules[0].unpublish()
    client.force_login(participant)
    assert client.post(progress_url(modules[0]), {"completed": "yes"}).status_code == 404


def test_a_programme_page_is_not_a_module(client, participant, programme):
    client.force_login(participant)
    assert client.post(progress_url(programme), {"completed": "yes"}).status_code == 404


# --- Reflections ----------------------------------------------------------------------------


def test_a_participant_keeps_a_reflection_that_only_they_see(
    client, participant, other_participant, modules
):
    client.force_login(participant)
    response = client.post(
        reflections_url(modules[0]), {"text": "  The agency line surprised me.  "}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{modules[0].url}#reflections"
    reflection = ModuleReflection.objects.get()
    assert (reflection.person, reflection.text) == (participant, "The agency line surprised me.")
    assert "The agency line surprised me." in page(client, modules[0].url).find(id="progress").text

    other = Client()
    other.force_login(other_participant)
    assert "The agency line surprised me." not in other.get(modules[0].url).content.decode()
    assert "The agency line surprised me." not in other.get("/learn/").content.decode()
    assert "The agency line surprised me." not in Client().get(modules[0].url).content.decode()


def test_an_empty_reflection_is_refused_with_a_message_beside_the_field(
    client, participant, modules
):
    client.force_login(participant)
    response = client.post(reflections_url(modules[0]), {"text": "   "})
    assert response.status_code == 400
    html = BeautifulSoup(response.content, "html.parser")
    textarea = html.find("textarea", attrs={"name": "text"})
    error = html.find(id=f"{textarea['id']}-error")
    assert "Write your reflection before saving it." in error.text
    assert f"{textarea['id']}-error" in textarea["aria-describedby"]
    assert html.find(attrs={"role": "alert"}).find("a")["href"] == f"#{textarea['id']}"
    assert not ModuleReflection.objects.exists()


def test_an_over_long_reflection_is_refused_and_kept_for_editing(client, participant, modules):
    client.force_login(participant)
    text = "x" * 5001
    response = client.post(reflections_url(modules[0]), {"text": text})
    assert response.status_code == 400
    assert "5,000 characters or fewer" in response.content.decode()
    assert text in response.content.decode()
    assert not ModuleReflection.objects.exists()


def test_a_participant_deletes_their_own_reflection(client, participant, modules):
    reflection = ModuleReflectionFactory(person=participant, module=modules[0])
    client.force_login(participant)
    response = client.post(f"/learn/reflections/{reflection.pk}/delete/")
    assert response.status_code == 302
    assert not ModuleReflection.objects.exists()


# --- Privacy between participants -----------------------------------------------------------


def test_nobody_can_delete_someone_elses_reflection(
    client, participant, other_participant, modules
):
    theirs = ModuleReflectionFactory(person=other_participant, module=modules[0])
    client.force_login(participant)
    response = client.post(f"/learn/reflections/{theirs.pk}/delete/")
    assert response.status_code == 404  # the same answer as for a reflection that does not exist
    assert ModuleReflection.objects.filter(pk=theirs.pk).exists()


def test_marks_belong_to_their_person(client, participant, other_participant, modules):
    ModuleProgressFactory(person=other_participant, module=modules[0])
    client.force_login(participant)

    # Another participant's mark shows nowhere for this one...
    assert "You marked this module as complete" not in page(client, modules[0].url).text
    assert "You have completed 0 of 3 modules." in page(client, modules[0].get_parent().url).text
    assert list(modules_completed_by(participant)) == []

    # ...and clearing "their" mark only clears one's own (there is none).
    client.post(progress_url(modules[0]), {"completed": "no"})
    assert list(modules_completed_by(other_participant)) == [modules[0]]


def test_my_learning_shows_only_ones_own(client, participant, other_participant, modules):
    ModuleProgressFactory(person=participant, module=modules[0])
    ModuleProgressFactory(person=other_participant, module=modules[1])
    ModuleProgressFactory(person=other_participant, module=modules[2])
    ModuleReflectionFactory(person=other_participant, module=modules[1], text="Their secret.")
    client.force_login(participant)
    html = page(client, "/learn/")
    assert "You have completed 1 of 3 modules." in html.text
    assert "Their secret." not in html.text


# --- My learning ----------------------------------------------------------------------------


def test_my_learning_needs_sign_in(client):
    response = client.get("/learn/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/learn/"


def test_my_learning_before_any_progress(client, participant):
    client.force_login(participant)
    html = page(client, "/learn/")
    assert html.find("h1").text == "My learning"
    assert "You have not completed any modules yet." in html.text


def test_my_learning_shows_progress_and_the_next_module(client, participant, modules):
    ModuleProgressFactory(person=participant, module=modules[0])
    ModuleReflectionFactory(person=participant, module=modules[0], text="Read it with finance.")
    client.force_login(participant)
    response = client.get("/learn/")
    html = BeautifulSoup(response.content, "html.parser")
    card = html.select_one(".progress-card")
    assert card.find("h3").text == "Leading Together"
    assert card.find("progress")["value"] == "1"
    assert card.find("progress")["max"] == "3"
    assert "Next: Managing people" in card.text
    statuses = [li.get_text(" ", strip=True) for li in card.select(".module-list li")]
    assert statuses == [
        "Budgets Completed",
        "Managing people Not completed",
        "Business cases Not completed",
    ]
    assert "Read it with finance." in html.text
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_my_learning_queries_do_not_grow_with_progress(
    client, participant, programme, django_assert_max_num_queries
):
    modules = [ModulePageFactory(parent=programme) for _ in range(30)]
    second = ProgrammePageFactory()
    modules += [ModulePageFactory(parent=second) for _ in range(10)]
    for module in modules:
        ModuleProgressFactory(person=participant, module=module)
        ModuleReflectionFactory(person=participant, module=module)
    client.force_login(participant)
    client.get("/learn/")
    # Session, person, groups, site, navigation; marks, programmes, their modules, reflections;
    # the person's pairs with their hours, and whether they support any (pairing_tags: 2);
    # their certificates (certificate_tags: 1).
    with django_assert_max_num_queries(17):
        html = page(client, "/learn/")
    assert len(html.select(".progress-card")) == 2


# --- modules_completed_by: the rule-builder's function -------------------------------------


def test_modules_completed_by_returns_a_queryset_in_programme_order(participant, modules):
    ModuleProgressFactory(person=participant, module=modules[2])
    ModuleProgressFactory(person=participant, module=modules[0])
    completed = modules_completed_by(participant)
    assert list(completed) == [modules[0], modules[2]]
    assert completed.count() == 2  # a queryset: rules can count, filter or compare


def test_modules_completed_by_limits_to_one_programme(participant, modules):
    elsewhere = ModulePageFactory(parent=ProgrammePageFactory(title="Another programme"))
    ModuleProgressFactory(person=participant, module=modules[0])
    ModuleProgressFactory(person=participant, module=elsewhere)
    programme = modules[0].get_parent().specific
    assert list(modules_completed_by(participant, programme)) == [modules[0]]
    assert set(modules_completed_by(participant)) == {modules[0], elsewhere}


def test_unpublished_modules_do_not_count_until_republished(participant, modules):
    ModuleProgressFactory(person=participant, module=modules[0])
    modules[0].unpublish()
    assert not modules_completed_by(participant).exists()
    assert ModuleProgress.objects.filter(person=participant).exists()  # the mark is kept
    modules[0].save_revision().publish()
    assert modules_completed_by(participant).count() == 1


def test_modules_completed_by_nobody(modules):
    from django.contrib.auth.models import AnonymousUser

    assert not modules_completed_by(AnonymousUser()).exists()
    assert not modules_completed_by(None).exists()


def test_learning_overview_groups_by_programme(participant, modules):
    ModuleProgressFactory(person=participant, module=modules[1])
    [overview] = learning_overview(participant)
    assert overview.completed_count == 1
    assert overview.total == 3
    assert overview.percent == 33
    assert overview.next_module == modules[0]


# --- Confirmations where the person is ------------------------------------------------------


def test_the_saved_confirmation_is_beside_the_reflections_not_at_the_top(
    client, participant, modules
):
    """Issue 9: after saving, the page jumped to the form and the green "saved" banner was
    thousands of pixels above, out of sight."""
    client.force_login(participant)
    response = client.post(reflections_url(modules[0]), {"text": "The agency line."})
    anchor = response["Location"].rsplit("#", 1)[1]
    html = page(client, modules[0].url)
    target = html.find(id=anchor)
    assert target.name == "h3"
    confirmation = target.find_next_sibling()
    assert confirmation.get("role") == "status"
    assert confirmation.get_text() == "Your reflection is saved. Only you can see it."
    assert confirmation.select(".message--success")
    assert not html.select("ul.messages")  # nothing left at the top of the page
    assert "Your reflection is saved" not in page(client, modules[0].url).text  # shown once

    reflection = ModuleReflection.objects.get()
    response = client.post(f"/learn/reflections/{reflection.pk}/delete/")
    html = page(client, modules[0].url)
    deleted = html.find(id="reflections").find_next_sibling()
    assert deleted.get_text() == "Your reflection was deleted."


def test_the_completion_confirmation_is_under_your_progress(client, participant, modules):
    client.force_login(participant)
    client.post(progress_url(modules[0]), {"completed": "yes"})
    html = page(client, modules[0].url)
    confirmation = html.find(id="progress-heading").find_next_sibling()
    assert confirmation.get_text() == f"You marked {modules[0].title} as complete."
    assert not html.select("ul.messages")


def test_other_messages_stay_at_the_top_of_a_module_page(client, participant, modules, rf):
    client.force_login(participant)
    client.post("/accounts/logout/")  # "You have signed out." is for the top of the next page
    client.force_login(participant)
    html = page(client, modules[0].url)
    [top] = html.select("main > [role=status] > ul.messages")
    assert "signed out" in top.get_text()
    assert "signed out" not in html.find(id="progress").get_text()


def test_a_refused_reflection_comes_back_at_the_form(client, participant, modules):
    client.force_login(participant)
    response = client.post(reflections_url(modules[0]), {"text": "   "})
    assert response.status_code == 400
    html = BeautifulSoup(response.content, "html.parser")
    form = html.select_one("form.reflection-form")
    # The browser keeps the action's anchor, so the error summary is in view.
    assert form["action"].endswith("#reflections")
    assert form.find(class_="error-summary")
