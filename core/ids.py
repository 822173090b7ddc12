"""Database ids from untrusted text: a malformed or impossible id is "not found", never a 500.

Three ways junk reached the database as an id and crashed it:
- `'²'.isdigit()` is True but `int('²')` fails, and Wagtail's bulk actions pass `?id=abc`
  straight to `pk__in=` (ValueError);
- SQLite raises OverflowError for an integer beyond 64 bits, which Django's own overflow guard
  catches for plain integer lookups but not for `pk__in=` or for the pk of a page model (a
  one-to-one link to Page), so `/learn/modules/<25 digits>/progress/` crashed;
- PostgreSQL's integer columns are narrower still (Wagtail's Page ids are 32-bit).
`database_id` answers "is this text an id this model could have?" in one place; the URL
converter and the bulk-action view below use it, and so can any view reading an id from a
query string.
"""

import re

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.http import Http404
from django.urls import converters
from django.views.decorators.cache import never_cache

# No database Tandem runs on stores a larger integer (PostgreSQL's bigint, SQLite's INTEGER).
LARGEST_ID = 2**63 - 1
_INTEGER = re.compile(r"-?[0-9]+")


def _concrete_field(field):
    # A page model's pk is a one-to-one link to Page; what is stored is Page's id.
    while field.is_relation:
        field = field.target_field
    return field


def database_id(model, value, *, field=None):
    """`value` as the model's pk (or `field`'s) type if a row could have it; None otherwise."""
    field = _concrete_field(field or model._meta.pk)
    if not isinstance(value, str) or "\x00" in value:
        return None
    if isinstance(field, models.IntegerField) and not _INTEGER.fullmatch(value.strip()):
        return None  # int() would take '٣' (an Arabic-Indic three) and '1_000'; ids are ASCII
    try:
        parsed = field.to_python(value.strip())
    except (ValidationError, ValueError, TypeError, OverflowError):
        return None
    if parsed is None or parsed == "":
        return None
    if isinstance(field, models.IntegerField):
        connection = connections[router.db_for_read(model)]
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        if not (
            (low is None or parsed >= low)
            and (high is None or parsed <= high)
            and -LARGEST_ID - 1 <= parsed <= LARGEST_ID
        ):
            return None
    return parsed


def integer_id(value):
    """`value` (text) as a 64-bit id made of ASCII digits, or None."""
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= LARGEST_ID else None


def _bounded_int(self, value):
    number = int(value)
    if number > LARGEST_ID:
        # A ValueError makes the pattern not match: the URL is 404, as for no such row.
        raise ValueError("no database id is this large")
    return number


def bound_integer_urls() -> None:
    """Make every `<int:...>` URL parameter (Wagtail's admin included) refuse numbers no row
    can have, before a view asks the database. The converter class's method is replaced,
    rather than a new "int" converter registered, because Django deprecates re-registering
    one and the patterns compiled so far hold instances of this class."""
    converters.IntConverter.to_python = _bounded_int


@never_cache
def bulk_action(request, app_label, model_name, action):
    """Wagtail's bulk-action dispatcher (every model: pages, snippets, images, documents,
    users), with its ids checked first. Wagtail passes `?id=` values to `pk__in=` as they come,
    and `?childOf=` to a parent lookup, so junk there was a 500 for anyone, superusers too."""
    from wagtail.admin.auth import require_admin_access
    from wagtail.admin.views.bulk_action import index

    return require_admin_access(_checked_bulk_action(index))(
        request, app_label=app_label, model_name=model_name, action=action
    )


def _checked_bulk_action(index):
    def view(request, app_label, model_name, action):
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            raise Http404 from None
        ids = request.GET.getlist("id")
        if any(value != "all" and database_id(model, value) is None for value in ids):
            raise Http404("Not an id of this kind of item.")
        if "childOf" in request.GET and integer_id(request.GET["childOf"]) is None:
            raise Http404("Not a parent page or collection id.")
        return index(request, app_label, model_name, action)

    return view
