"""Site search at /search/: programmes, modules and resources, filterable by topic, with the
query's words highlighted in each result.

Search runs on Wagtail's database backend, which picks the engine from the database: SQLite's
FTS5 locally, PostgreSQL's full-text search (to_tsvector/to_tsquery, English stemming via
WAGTAILSEARCH_BACKENDS' SEARCH_CONFIG) in production.

People type anything into a search box. What reaches the backend is only words: runs of
letters and digits, at most MAX_TERMS of them, joined with AND. Quotes, brackets, '&&', '-' and
'*' never reach the full-text engine, whose query syntax they belong to (an unbalanced quote
is a syntax error in FTS5). Boolean words such as OR are searched as the words themselves. A
query longer than MAX_QUERY_LENGTH is refused with a message rather than truncated in silence.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from functools import reduce

from bs4 import BeautifulSoup
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page

from cms.models import ModulePage, ProgrammePage, ResourcePage, Topic
from cms.selectors import STEPLEN, hidden_paths

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
RESULTS_PER_PAGE = 10
SNIPPET_LENGTH = 260
# Letters and digits of any script; not underscores, which FTS5 treats as separators.
WORD = re.compile(r"[^\W_]+")

SEARCHABLE_TYPES = (ProgrammePage, ModulePage, ResourcePage)
TYPE_LABELS = {ProgrammePage: "Programme", ModulePage: "Module", ResourcePage: "Resource"}


def search_terms(query: str) -> list[str]:
    """The words of ``query`` that are sent to the search backend (lower-cased, deduplicated,
    in order)."""
    terms: list[str] = []
    for word in WORD.findall(query.lower()):
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def highlight(text: str, terms: list[str]) -> SafeString:
    """``text`` with every word that starts with one of ``terms`` wrapped in <mark>, and
    everything else escaped. A word is matched from its start ("budget" marks "budgets"), as
    the search backends stem."""
    if not text:
        return mark_safe("")
    if not terms:
        return escape(text)
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    pattern = re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE)
    parts, position = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(format_html("<mark>{}</mark>", match.group(0)))
        position = match.end()
    parts.append(escape(text[position:]))
    # Each part was escaped or built by format_html just above.
    return mark_safe("".join(parts))  # noqa: S308


def excerpt(text: str, terms: list[str], length: int = SNIPPET_LENGTH) -> str:
    """About ``length`` characters of ``text`` around the first matching word, cut at word
    boundaries, with ellipses where text was left out."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    first = None
    if terms:
        alternatives = "|".join(re.escape(t) for t in terms)
        match = re.search(rf"\b(?:{alternatives})", text, re.IGNORECASE)
        first = match.start() if match else None
    start = 0 if first is None else max(0, first - length // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return ("… " if start else "") + text[start:end] + (" …" if end < len(text) else "")


# Rich-text elements that start a new line of text; every other element (bold, italic, links)
# runs on inside its sentence.
BLOCK_ELEMENTS = ("p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "dt", "dd", "th", "td")


def rich_text_lines(source: str) -> list[str]:
    """The lines of a rich-text value: a line per heading, paragraph or list item, with bold,
    italic and links kept inside their sentence. (Splitting at every element, as
    BeautifulSoup's get_text("\n") does, cut "<b>Cost centre</b>: the ward" into "Cost
    centre" and ": the ward", which the snippet then punctuated as two sentences.)"""
    soup = BeautifulSoup(source, "html.parser")
    for line_break in soup.find_all("br"):
        line_break.replace_with(" ")  # a soft break inside a paragraph or item, not a sentence
    for element in soup.find_all(BLOCK_ELEMENTS):
        element.insert_before("\n")
        element.insert_after("\n")
    return soup.get_text().splitlines()


def _lines(page: Page):
    """The page's text, a line per heading, paragraph, list item or field."""
    yield getattr(page, "summary", "") or ""
    for child in getattr(page, "body", None) or []:
        if child.block_type == "rich_text":
            # Keep the breaks between headings, paragraphs and list items, which the search
            # index's own text extraction runs together.
            yield from rich_text_lines(child.value.source)
        else:
            yield from child.block.get_searchable_content(child.value)


def searchable_text(page: Page) -> str:
    """The summary, then the body as plain sentences: where a result's snippet is cut from."""
    sentences = []
    for line in _lines(page):
        line = " ".join(line.split())
        if line:
            sentences.append(line if line[-1] in ".?!:;…" else f"{line}.")
    return " ".join(sentences)


@dataclass
class SearchResult:
    page: Page
    kind: str
    title: SafeString
    snippet: SafeString


@dataclass
class SearchOutcome:
    query: str = ""
    terms: list[str] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    topic: Topic | None = None
    requested_topic: str = ""
    unknown_topic: bool = False
    too_long: bool = False
    page: PaginatorPage | None = None
    results: list[SearchResult] = field(default_factory=list)

    @property
    def searched(self) -> bool:
        return bool(self.terms) and not (self.unknown_topic or self.too_long)

    @property
    def total(self) -> int:
        return self.page.paginator.count if self.page is not None else 0


def _pages_about(topic: Topic) -> list[int]:
    """Ids of the modules and resources tagged with ``topic``, and of the programmes that
    contain such modules."""
    modules = list(ModulePage.objects.filter(topics=topic).values_list("id", "path"))
    programme_ids = ProgrammePage.objects.filter(
        path__in={path[:-STEPLEN] for _, path in modules}
    ).values_list("id", flat=True)
    resource_ids = ResourcePage.objects.filter(topics=topic).values_list("id", flat=True)
    return [*(pk for pk, _ in modules), *programme_ids, *resource_ids]


def site_search(request, *, query: str, topic_slug: str = "", page_number=None) -> SearchOutcome:
    """Search live, viewable programmes, modules and resources for every word of ``query``,
    optionally only those about the topic ``topic_slug``. Never raises for bad input: an
    unknown topic, an over-long query or a query with no words gives an outcome with no
    results and says why."""
    outcome = SearchOutcome(query=query.strip(), requested_topic=topic_slug.strip()[:80])
    outcome.topics = list(Topic.objects.all())
    if outcome.requested_topic:
        outcome.topic = next((t for t in outcome.topics if t.slug == outcome.requested_topic), None)
        outcome.unknown_topic = outcome.topic is None
    if len(outcome.query) > MAX_QUERY_LENGTH:
        outcome.too_long = True
        return outcome
    outcome.terms = search_terms(outcome.query)
    if not outcome.searched:
        return outcome

    pages = Page.objects.live().type(*SEARCHABLE_TYPES)
    hidden = hidden_paths(request)  # the backend filters on indexed fields, not subqueries
    if hidden:
        pages = pages.exclude(reduce(operator.or_, (Q(path__startswith=p) for p in hidden)))
    if outcome.topic is not None:
        pages = pages.filter(id__in=_pages_about(outcome.topic))
    results = pages.search(" ".join(outcome.terms), operator="and")
    outcome.page = Paginator(results, RESULTS_PER_PAGE).get_page(page_number)

    # The backend returns base Page rows; load the specific pages in one query per type
    # rather than one per result, keeping the backend's relevance order.
    ids = [page.pk for page in outcome.page.object_list]
    specific = {page.pk: page for page in Page.objects.filter(pk__in=ids).specific()}
    for pk in ids:
        page = specific.get(pk)
        if page is None:
            continue
        outcome.results.append(
            SearchResult(
                page=page,
                kind=TYPE_LABELS.get(type(page), "Page"),
                title=highlight(page.title, outcome.terms),
                snippet=highlight(excerpt(searchable_text(page), outcome.terms), outcome.terms),
            )
        )
    return outcome
