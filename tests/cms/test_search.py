"""Site search at /search/: finds programmes, modules and resources by their words, filters
by topic, highlights safely, and answers any input with a normal page."""

import pytest
from bs4 import BeautifulSoup
from wagtail.models import PageViewRestriction
from wagtail.search.backends import get_search_backend

from cms.search import MAX_QUERY_LENGTH, excerpt, highlight, search_terms
from tests.conftest import ON_POSTGRES
from tests.factories import (
    ModulePageFactory,
    ProgrammePageFactory,
    ResourcePageFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def result_titles(html):
    return [a.get_text() for a in html.select(".search-result__title a")]


@pytest.fixture
def budgets_module(programme):
    return ModulePageFactory(
        parent=programme,
        title="Reading the numbers",
        summary="What the monthly statement shows.",
        body=[
            {
                "type": "rich_text",
                "value": "<p>Most of a ward's overspend comes from <b>agency</b> cover for "
                "vacancies, paid at premium rates.</p>",
            }
        ],
    )


def test_finds_a_module_by_a_word_in_its_body(client, budgets_module):
    html = search(client, q="agency")
    assert result_titles(html) == ["Reading the numbers"]
    assert html.select_one(".search-result__kind").text == "Module"
    snippet = html.select_one(".search-result__snippet")
    assert snippet.find("mark").text == "agency"
    assert "premium rates" in snippet.text


def test_every_word_must_match(client, budgets_module):
    assert result_titles(search(client, q="agency premium")) == ["Reading the numbers"]
    assert result_titles(search(client, q="agency helicopter")) == []


def test_finds_programmes_and_resources_too(client, programme, budgets_module):
    ResourcePageFactory(title="Agency rates", summary="What agency shifts cost.")
    html = search(client, q="agency")
    assert set(result_titles(html)) == {"Reading the numbers", "Agency rates"}
    assert set(html.select_one(".search-results__list").stripped_strings) >= {"Module", "Resource"}
    assert result_titles(search(client, q="Leading Together")) == ["Leading Together"]


def test_unpublished_pages_are_not_found(client, budgets_module):
    budgets_module.unpublish()
    assert result_titles(search(client, q="agency")) == []


def test_participant_only_pages_are_found_only_by_signed_in_people(
    client, participant, budgets_module
):
    PageViewRestriction.objects.create(
        page=budgets_module, restriction_type=PageViewRestriction.LOGIN
    )
    html = search(client, q="agency")
    assert result_titles(html) == []
    assert "premium rates" not in html.text  # not even a summary leaks
    client.force_login(participant)
    assert result_titles(search(client, q="agency")) == ["Reading the numbers"]


class TestTopicFilter:
    def test_limits_results_to_the_topic(self, client, programme):
        people = TopicFactory(slug="staff-management", name="Staff management")
        ModulePageFactory(parent=programme, title="Rotas and leave", summary="Planning rotas.")
        ModulePageFactory(
            parent=programme,
            title="Rotas and job plans",
            summary="Planning rotas.",
            topics=[people],
        )
        everything = search(client, q="rotas")
        assert set(result_titles(everything)) == {"Rotas and leave", "Rotas and job plans"}
        filtered = search(client, q="rotas", topic="staff-management")
        assert result_titles(filtered) == ["Rotas and job plans"]
        assert "in staff management" in filtered.select_one(".search-results__count").text

    def test_a_programme_is_about_the_topics_of_its_modules(self, client, home):
        people = TopicFactory(slug="staff-management", name="Staff management")
        about_people = ProgrammePageFactory(title="People leadership", summary="Team skills.")
        ModulePageFactory(parent=about_people, topics=[people])
        ProgrammePageFactory(title="Finance leadership", summary="Team finances.")
        assert result_titles(search(client, q="leadership", topic="staff-management")) == [
            "People leadership"
        ]

    def test_the_filter_is_a_labelled_select_keeping_the_choice(self, client, programme):
        TopicFactory(slug="staff-management", name="Staff management")
        html = search(client, q="rotas", topic="staff-management")
        select = html.find("select", attrs={"name": "topic"})
        assert html.find("label", attrs={"for": select["id"]}).text == "Topic"
        assert select.find("option", selected=True)["value"] == "staff-management"

    @pytest.mark.parametrize("topic", ["nonsense", "../../etc", "<b>x</b>", "x" * 10_000])
    def test_an_unknown_topic_gives_no_results_and_says_so(self, client, budgets_module, topic):
        response = client.get("/search/", {"q": "agency", "topic": topic})
        assert response.status_code == 200
        html = BeautifulSoup(response.content, "html.parser")
        assert result_titles(html) == []
        assert "There is no topic called" in html.text
        assert b"<b>x</b>" not in response.content


@pytest.mark.parametrize(
    "query",
    [
        '"agency',
        '"',
        "agency\"'",
        "OR",
        "agency OR",
        "AND NOT",
        "&&",
        "||",
        "agency && vacancies",
        "-agency",
        "agency*",
        "(agency",
        "NEAR(agency vacancies)",
        "agency:",
        "title:agency",
        "^agency",
        "'; DROP TABLE cms_topic; --",
        "%",
        "_",
        "\\",
        "\x00",
        "🙂",
        "a" * 199,
        "agency " * 40,
    ],
)
def test_malformed_queries_give_a_normal_page(client, budgets_module, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


def test_operator_characters_are_stripped_not_obeyed(client, budgets_module):
    # FTS5 would read a lone quote as an unterminated phrase; we search the word instead.
    assert result_titles(search(client, q='"agency')) == ["Reading the numbers"]
    assert result_titles(search(client, q="agency OR helicopter")) == []  # OR is just a word


def test_a_query_with_no_words_asks_for_words(client, budgets_module):
    html = search(client, q="&& ||")
    assert "Enter some words to search for." in html.text
    assert result_titles(html) == []


def test_a_very_long_query_is_refused_politely(client, budgets_module):
    html = search(client, q="agency " * 100)
    assert f"Use fewer than {MAX_QUERY_LENGTH} characters" in html.text
    assert result_titles(html) == []


def test_an_empty_search_shows_the_form(client):
    html = search(client)
    assert html.find("input", attrs={"name": "q"})
    assert not html.select(".search-results__count")


def test_results_are_paginated(client, programme):
    for n in range(12):
        ModulePageFactory(parent=programme, title=f"Vacancy control {n}", summary="Vacancies.")
    first = search(client, q="vacancy")
    assert len(result_titles(first)) == 10
    assert "12 results" in first.select_one(".search-results__count").text
    second = search(client, q="vacancy", page="2")
    assert len(result_titles(second)) == 2
    assert len(result_titles(search(client, q="vacancy", page="999"))) == 2  # last page
    assert len(result_titles(search(client, q="vacancy", page="abc"))) == 10  # first page


def test_search_makes_a_bounded_number_of_queries(client, programme, django_assert_max_num_queries):
    for n in range(12):
        ModulePageFactory(parent=programme, title=f"Vacancy control {n}", summary="Vacancies.")
    client.get("/search/", {"q": "vacancy"})
    # Site, restrictions, topics, navigation, the search and its count, and the specific
    # pages of the results (one query per page type, not per result).
    with django_assert_max_num_queries(10):
        client.get("/search/", {"q": "vacancy"})


class TestHighlighting:
    def test_marks_words_starting_with_a_term(self):
        assert highlight("Budgets and budget lines", ["budget"]) == (
            "<mark>Budgets</mark> and <mark>budget</mark> lines"
        )

    def test_escapes_everything_else(self):
        html = highlight('<script>alert("x")</script> budget', ["budget"])
        assert html == ("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>budget</mark>")

    def test_escapes_the_marked_words_too(self):
        assert highlight("a&b", ["a"]) == "<mark>a</mark>&amp;b"

    def test_no_terms_means_plain_escaped_text(self):
        assert highlight("<b>", []) == "&lt;b&gt;"

    def test_a_page_title_with_markup_is_shown_as_text(self, client, programme):
        ModulePageFactory(
            parent=programme, title="<i>Agency</i> spend", slug="agency-spend", summary="Agency."
        )
        response = client.get("/search/", {"q": "agency"})
        assert b"<i>Agency</i>" not in response.content
        assert b"&lt;i&gt;<mark>Agency</mark>&lt;/i&gt; spend" in response.content


def test_search_terms_are_words_only():
    assert search_terms('"Agency" && OR (vacancies)* agency') == ["agency", "or", "vacancies"]
    assert search_terms("__ -- **") == []
    assert len(search_terms(" ".join(f"w{n}" for n in range(50)))) == 12


def test_excerpt_centres_on_the_first_match():
    text = "Start. " + "filler " * 100 + "the agency line is high. " + "tail " * 100
    snippet = excerpt(text, ["agency"])
    assert "agency line" in snippet
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert len(snippet) < 300


@pytest.mark.postgres
def test_postgresql_uses_its_full_text_search_with_english_stemming(
    require_postgres, client, budgets_module
):
    backend = get_search_backend()
    assert type(backend).__name__ == "PostgresSearchBackend"
    assert backend.config == "english"
    # "vacancy" matches "vacancies" only through stemming.
    assert result_titles(search(client, q="vacancy")) == ["Reading the numbers"]


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite backend is what runs locally")
def test_sqlite_uses_fts5(budgets_module):
    assert type(get_search_backend()).__name__ == "SQLiteSearchBackend"


def test_snippets_keep_bold_and_italic_words_inside_their_sentence(client, programme):
    """Issue 9: snippets read "Cost centre. : the ward" and "backed by. joint management
    training. in", because every element of the rich text became a sentence of its own."""
    ResourcePageFactory(
        title="Reading a budget statement",
        summary="The words on a budget statement.",
        body=[
            {
                "type": "rich_text",
                "value": "<h2>The words</h2><ul><li><b>Cost centre</b>: the ward, team or "
                "department the budget belongs to.</li><li><b>Variance</b>: budget minus "
                "actual<br>in pounds</li></ul><p>Its first call is paired learning, backed by "
                "<b>joint management training</b> in managing staff and <i>budgets</i>.</p>",
            }
        ],
    )
    html = search(client, q="cost centre")
    [snippet] = [p.get_text() for p in html.select(".search-result__snippet")]
    assert "Cost centre: the ward, team or department the budget belongs to." in snippet
    assert "The words. Cost centre:" in snippet  # a heading still ends its sentence
    assert "Variance: budget minus actual in pounds." in snippet  # a soft line break does not
    assert "backed by joint management training in managing staff and budgets." in snippet
    assert ". :" not in snippet and "by. joint" not in snippet
