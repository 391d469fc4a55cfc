"""Trigram indexes for the case list's search (complaints.filters.search_q), on
PostgreSQL only: a substring match over every name otherwise reads every row. Each index is on
the expression Django's case-insensitive lookups compare, UPPER(column::text). SQLite has no
such index and searches as before. Creating the pg_trgm extension needs the CREATE privilege
on the database (PostgreSQL 13 and later trust it to the database's owner); where the
service's role lacks it, an administrator runs `CREATE EXTENSION pg_trgm` once first."""

from django.db import migrations

INDEXES = [
    ("complaints_case", "reference", "complaints_case_reference_trgm"),
    ("complaints_complainant", "name", "complaints_complainant_name_trgm"),
    ("complaints_child", "name", "complaints_child_name_trgm"),
    ("complaints_child", "case_system_reference", "complaints_child_case_system_ref_trgm"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column, name in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, _, name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("complaints", "0026_notification_fallback")]

    operations = [migrations.RunPython(create, drop)]
