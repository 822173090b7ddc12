"""Cursor pagination for every list: stable under inserts (a new mark does not shift the next
page), opaque ``next``/``previous`` links, and a constant number of queries per page whatever
the table's size (no COUNT)."""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    ordering = "pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
