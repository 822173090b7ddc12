"""Database ids from untrusted text: a malformed or impossible id is "not found", never a 500.

Three ways junk reached the database as an id and crashed it:
- `'²'.isdigit()` is True but `int('²')` fails, and Wagtail's bulk actions pass `?id=abc`
  straight to `pk__in=` (ValueError);
- SQLite raises OverflowError for an integer beyond 64 bits, which Django's own overflow guard
  catches for plain integer lookups but not for `pk__in=` or for the pk of a page model (a
  one-to-one link to Page), so `/learn/modules/<25 digits>/progress/` crashed;
- PostgreSQL's integer columns are narrower still (Wagtail's Page ids are 32-bit).
`database_id` answers "is this text an id this model could have?" in one place. Below it:
the `<int:>` URL converter bounded to 64 bits; `refuse_malformed_ids`, which config.urls puts
round every admin view, so path and `?id=` ids of every model (bulk actions, choosers, the
admin API, generic views) are checked before a view looks them up; and an `in` lookup that
ignores numbers an integer column cannot hold, as Django's own `exact` already does.
"""

import re
from functools import wraps

from django.apps import apps
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.db.models.lookups import In
from django.http import Http404
from django.urls import converters

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


def _model(candidate):
    if isinstance(candidate, str):
        try:
            candidate = apps.get_model(candidate)
        except (LookupError, ValueError):
            return None
    if isinstance(candidate, type) and issubclass(candidate, models.Model):
        return candidate
    return None


def _view_model(view):
    """The model a (Wagtail) admin view works on, if it says: a generic or chooser view's
    `model`, a DRF viewset's (the admin API's) `model`."""
    initkwargs = getattr(view, "view_initkwargs", None) or getattr(view, "initkwargs", None) or {}
    view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
    model = _model(initkwargs.get("model") or getattr(view_class, "model", None))
    if model is None and getattr(view_class, "__module__", "") == "wagtail.admin.views.chooser":
        model = _model("wagtailcore.Page")  # the page chooser's views choose pages, unnamed
    return model


def refuse_malformed_ids(view):
    """Wrap an admin view so that ids it would look up are checked first; a malformed one is
    404. Applied to every admin URL (config.urls), Wagtail's and those apps register, so a
    view added later is covered. What counts as an id:
    - the `pk` / `object_id` in the path of a view that has a model (generic, snippet and
      chooser views pass it to `get_object_or_404(pk=...)`, a 500 for `abc` before);
    - each `?id=` of such a view, or of the bulk-action dispatcher whose path names the model
      (bulk actions, choosers' "chosen-multiple" and the admin API's `find` put them in
      `pk__in=` or `get(id=)` as they come);
    - `?childOf=`, the parent page or collection of a bulk action;
    and no path parameter may hold a NUL (PostgreSQL refuses it in text: a 500)."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if any(isinstance(value, str) and "\x00" in value for value in kwargs.values()):
            raise Http404("Not a valid address.")
        model = _view_model(view)
        if model is None and "app_label" in kwargs and "model_name" in kwargs:
            try:
                model = apps.get_model(kwargs["app_label"], kwargs["model_name"])
            except LookupError:
                model = None  # the view answers 404 for a model that does not exist
        if model is not None:
            for name in ("pk", "object_id"):
                if name in kwargs and database_id(model, unquote(str(kwargs[name]))) is None:
                    raise Http404("Not an id of this kind of item.")
            ids = request.GET.getlist("id")
            if any(value != "all" and database_id(model, value) is None for value in ids):
                raise Http404("Not an id of this kind of item.")
        if "childOf" in request.GET and integer_id(request.GET["childOf"]) is None:
            raise Http404("Not a parent page or collection id.")
        return view(request, *args, **kwargs)

    return checked


class IntegerFieldIn(In):
    """`in` on an integer column, ignoring numbers the column cannot hold. Django guards
    `exact`, `gt`, `lt` and the rest this way (IntegerFieldOverflow), but not `in`, so on SQLite
    `pk__in=[10**24]` (a chooser's "chosen-multiple", a filter's multiple choice) raised
    OverflowError. PostgreSQL answered "no such row"; now both do."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            internal_type = self.lhs.output_field.get_internal_type()
            low, high = connection.ops.integer_field_range(internal_type)
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def guard_integer_in_lookups() -> None:
    models.IntegerField.register_lookup(IntegerFieldIn)
