"""`field__any_of=[…]`: membership in a list of values sent as one parameter.

`field__in=[…]` writes one placeholder per value. For the few hundred to a thousand ids a list
page tests at once (the tasks dashboard's dossiers, `careteam.access.visible_among`), Django
then prepares every value and psycopg splits a query of a thousand placeholders: ~18 ms of
Python a page on the benchmark machine, for ~10 ms of SQL. On PostgreSQL the list goes as one
array, `= ANY(%s)`; elsewhere (SQLite, the demo) it is the same IN list as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, IntegerField, Lookup
from django.db.models.lookups import In

BIGINT_RANGE = range(-(2**63), 2**63)
INTEGER_RANGE = range(-(2**31), 2**31)


def int_array(values: Iterable[int]) -> tuple[str, str]:
    """Integers as one PostgreSQL array literal and its type, for `= ANY(%s::<type>[])`:
    psycopg adapts a Python list element by element (11 ms of CPU for the Cocon cohort's 20,000
    ids), a string costs 2. The type is `integer` when every value fits, as psycopg itself
    chose: the plans were measured with it (with `bigint[]` PostgreSQL walked the dossiers'
    update-time index for a frequent name, 30 ms, instead of reading them by key, 18 ms). A value
    no bigint holds matches no key: left out (an error otherwise)."""
    numbers = list(values)
    low, high = (min(numbers), max(numbers)) if numbers else (0, 0)
    if low < BIGINT_RANGE.start or high >= BIGINT_RANGE.stop:
        numbers = [value for value in numbers if value in BIGINT_RANGE]
        low, high = (min(numbers), max(numbers)) if numbers else (0, 0)
    kind = "integer" if low in INTEGER_RANGE and high in INTEGER_RANGE else "bigint"
    return "{" + ",".join(map(str, numbers)) + "}", kind


@ForeignObject.register_lookup  # relations keep lookups of their own (a dossier's id here)
@Field.register_lookup
class AnyOf(Lookup):  # type: ignore[type-arg]
    lookup_name = "any_of"
    prepare_rhs = False  # the values go as they are (ints, strings), not through the field

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # A set or a tuple alike. (A set is best: Django walks a list or tuple value item by
        # item looking for expressions in it, ~3 ms for a thousand ids.)
        # A key no bigint holds (a 70-bit id typed in a URL) matches nothing: left out, as
        # `IntegerIn` does below (SQLite's driver would raise, PostgreSQL refuse the array).
        values = [
            value for value in dict.fromkeys(self.rhs) if type(value) is not int or value in BIGINT_RANGE
        ]
        if not values:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            if all(type(value) is int for value in values):
                literal, kind = int_array(values)
                return f"{lhs} = ANY(%s::{kind}[])", [*lhs_params, literal]
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        placeholders = ", ".join(["%s"] * len(values))
        return f"{lhs} IN ({placeholders})", [*lhs_params, *values]


@IntegerField.register_lookup
class IntegerIn(In):  # type: ignore[type-arg]
    """`id__in=[…]` with a value no integer column can hold (a 70-bit "id" typed in a form or a
    query string, issue 24): that value matches nothing and is left out, as Django already does
    for `id=…`. Without this, SQLite's driver raises OverflowError — a 500 from every choice
    field (ModelChoiceField, ModelMultipleChoiceField) and every filter given such an id."""

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
