"""The footer of every page links to the privacy notice, the accessibility statement and
contact: information pages (cms.InformationPage) created by migration cms.0007, which editors
change in the admin like any page. And the site has an icon, at /favicon.ico too."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.staticfiles import finders
from wagtail.models import PageViewRestriction

from cms.models import InformationPage
from tests.factories import ProgrammePageFactory

pytestmark = pytest.mark.django_db

FOOTER = ["Privacy notice", "Accessibility statement", "Contact us"]


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def footer_links(html):
    footer = html.find("footer")
    return [(a.get_text(), a["href"]) for a in footer.select(".footer-links a")]


def test_the_migration_publishes_the_three_pages_under_home(home):
    pages = InformationPage.objects.live().child_of(home).order_by("path")
    assert [(p.title, p.url) for p in pages] == [
        ("Privacy notice", "/privacy/"),
        ("Accessibility statement", "/accessibility/"),
        ("Contact us", "/contact/"),
    ]
    home.refresh_from_db()
    assert home.numchild == home.get_children().count()  # the tree is consistent


@pytest.mark.parametrize("url", ["/", "/search/", "/accounts/login/", "/no-such-page/"])
def test_every_page_has_the_footer_links(client, home, url):
    response = client.get(url)
    html = BeautifulSoup(response.content, "html.parser")
    assert footer_links(html) == [
        ("Privacy notice", "/privacy/"),
        ("Accessibility statement", "/accessibility/"),
        ("Contact us", "/contact/"),
    ]


def test_each_page_opens_and_says_what_it_must(client, home):
    privacy = get(client, "/privacy/")
    assert privacy.find("h1").get_text() == "Privacy notice"
    text = privacy.find("main").get_text(" ")
    for words in ("What we hold about you", "How long we keep it", "Your rights", "6 years"):
        assert words in text
    assert privacy.find("a", href="/account/my-data/")

    statement = get(client, "/accessibility/").find("main")
    headings = [h.get_text() for h in statement.find_all(["h2", "h3"])]
    # The GOV.UK model accessibility statement's sections, in its order.
    assert headings == [
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Technical information about this website's accessibility",
        "Compliance status",
        "Non-accessible content",
        "Non-compliance with the accessibility regulations",
        "Content that's not within the scope of the accessibility regulations",
        "What we're doing to improve accessibility",
        "Preparation of this accessibility statement",
    ]
    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2" in (
        statement.get_text(" ").replace("\n", " ")
    )
    contact = get(client, "/contact/")
    assert contact.find("a", href="/privacy/") and contact.find("a", href="/accessibility/")
    # The current page is marked in the footer.
    assert contact.find("footer").find("a", attrs={"aria-current": "page"}).get_text() == (
        "Contact us"
    )


def test_editors_change_the_footer_through_the_pages(client, home):
    privacy = InformationPage.objects.get(slug="privacy")
    privacy.title = "Your privacy"
    privacy.save_revision().publish()
    contact = InformationPage.objects.get(slug="contact")
    contact.show_in_footer = False
    contact.save_revision().publish()
    accessibility = InformationPage.objects.get(slug="accessibility")
    PageViewRestriction.objects.create(page=accessibility, restriction_type="login")
    assert footer_links(get(client, "/")) == [("Your privacy", "/privacy/")]


def test_the_footer_costs_no_query_once_cached(client, home, django_assert_num_queries):
    ProgrammePageFactory()
    client.get("/search/")
    # Search with no query: the topics for its filter, and the request's site (which the
    # navigation needs too). The footer's pages come from the cache.
    with django_assert_num_queries(2) as captured:
        html = get(client, "/search/")
    assert len(footer_links(html)) == 3
    assert not any("cms_informationpage" in q["sql"] for q in captured.captured_queries)


def test_the_site_has_an_icon(client, home):
    head = get(client, "/").find("head")
    icons = {link["href"] for link in head.find_all("link", rel="icon")}
    assert any(href.endswith("favicon.svg") for href in icons)
    assert any(href.endswith("favicon.ico") for href in icons)
    assert finders.find("favicon.svg") and finders.find("favicon.ico")
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("favicon.ico")
    assert "max-age=86400" in response["Cache-Control"]
    assert client.post("/favicon.ico").status_code == 405
