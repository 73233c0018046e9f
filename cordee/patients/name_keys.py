"""SRCH-2 on PostgreSQL: the typo-tolerant name search, from the table of the names themselves.

`patients_namekey` (migration 0009) holds each birth or used name key once — 42,000 keys for a
million dossiers in the benchmark region — with a trigram index; a trigger adds the keys a
dossier is given. A search with a typo finds the similar keys there, then the dossiers carrying
them in the btree indexes of the dossiers' name keys, which include the id: no dossier is read
to find out that its name matches. A name prefix is a range of those same indexes (`prefixed`).
SQLite (the demo) keeps the search on the dossiers' keys.
"""

from __future__ import annotations

from django.db import connection
from django.db.models.expressions import RawSQL

# The live dossiers whose birth or used name is one of the keys similar to, or starting with,
# what was typed (`patients_similar_name_keys`: the trigram index of the keys, migration 0009).
_SIMILAR_NAMED = """
WITH similar_keys AS MATERIALIZED (SELECT patients_similar_name_keys(%s, %s) AS keys)
SELECT id FROM patients_patient
WHERE merged_into_id IS NULL AND birth_name_key = ANY((SELECT keys FROM similar_keys)::varchar[])
UNION
SELECT id FROM patients_patient
WHERE merged_into_id IS NULL AND used_name_key <> ''
  AND used_name_key = ANY((SELECT keys FROM similar_keys)::varchar[])
"""

# The live dossiers whose birth or used name starts with what was typed: two ranges of the name
# keys' indexes, read without the table (pattern operator class, migration 0010). UNION ALL: a
# dossier whose two names match comes twice, which the caller's set of ids absorbs.
_PREFIXED = """
SELECT id FROM patients_patient WHERE merged_into_id IS NULL AND birth_name_key LIKE %s
UNION ALL
SELECT id FROM patients_patient WHERE merged_into_id IS NULL AND used_name_key <> '' AND used_name_key LIKE %s
"""

# Every key the dossiers carry, for a table loaded without its trigger (the benchmark's COPY).
_FILL = """
INSERT INTO patients_namekey (key)
SELECT birth_name_key FROM patients_patient WHERE birth_name_key <> ''
UNION SELECT used_name_key FROM patients_patient WHERE used_name_key <> ''
ON CONFLICT DO NOTHING
"""


def similar_named(key: str) -> RawSQL:
    """The ids of the live dossiers named like `key` (a search key), as a subquery."""
    prefix = f"{connection.ops.prep_for_like_query(key)}%"
    return RawSQL(_SIMILAR_NAMED, [key, prefix])  # noqa: S611 - constant SQL, the typed key as parameters


def prefixed(key: str) -> RawSQL:
    """The ids of the live dossiers whose birth or used name starts with `key`, as a subquery."""
    prefix = f"{connection.ops.prep_for_like_query(key)}%"
    return RawSQL(_PREFIXED, [prefix, prefix])  # noqa: S611 - constant SQL, the typed key as parameters


def fill() -> None:
    with connection.cursor() as cursor:
        cursor.execute(_FILL)
        cursor.execute("ANALYZE patients_namekey")
