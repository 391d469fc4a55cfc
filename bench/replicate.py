"""Copies the seeded cases in SQL until there are as many as the benchmark wants.

Seeding through the history import replays every move (about 100 ms a case), so 100,000 cases
would take hours. The benchmark seeds a few thousand that way and copies them here: every row
that belongs to a case (its stages, deadlines, events, elements, letters, history rows, its
complainant and children) is copied with its ids shifted, so each copy is a case of its own
with the same shape, dates and names as the one it was copied from. References continue each
year's numbering; other unique text gets a suffix. Ombudsman cases and compliments are not per
case and are not copied. PostgreSQL only: its foreign keys are checked at commit.
"""

from django.apps import apps
from django.db import connection, models, transaction

# Rows that belong to one case but that the case points at, rather than the other way round.
_CASE_PARTS = ["complaints.Complainant", "complaints.Child"]
_NOT_PER_CASE = {"ombudsman", "compliments", "accounts", "reporting"}


def _owned_models() -> list[type[models.Model]]:
    from complaints.models import Case

    candidates = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label not in _NOT_PER_CASE and not m._meta.proxy
    ]
    owned = {Case, *(apps.get_model(label) for label in _CASE_PARTS)}
    grew = True
    while grew:
        grew = False
        for model in candidates:
            if model in owned:
                continue
            if getattr(model, "instance_type", None) in owned or any(
                f.is_relation and f.related_model in owned for f in model._meta.concrete_fields
            ):
                owned.add(model)
                grew = True
    return sorted(owned, key=lambda m: m._meta.db_table)


def replicate(to_cases: int) -> int:
    """Copy the cases there are until there are at least `to_cases`. Returns how many copies
    of each were made."""
    from complaints.models import Case

    base = Case.objects.count()
    if not base or base >= to_cases:
        return 0
    copies = -(-to_cases // base) - 1  # ceiling division, less the original
    owned = _owned_models()
    q = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        span = {}
        for model in owned:
            table, pk = q(model._meta.db_table), q(model._meta.pk.column)
            cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")
            span[model] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT COALESCE(MAX(substring(reference from '(\\d+)$')::int), 0) "
            "FROM complaints_case"
        )
        step = cursor.fetchone()[0]
        for model in owned:
            table, pk = q(model._meta.db_table), q(model._meta.pk.column)
            columns, values = [], []
            original = getattr(model, "instance_type", None)
            for field in model._meta.concrete_fields:
                column = q(field.column)
                columns.append(column)
                if field.primary_key:
                    values.append(f"{column} + k * {span[model]}")
                elif original is not None and field.column == original._meta.pk.column:
                    values.append(f"{column} + k * {span[original]}")
                elif field.is_relation and field.related_model in span:
                    values.append(f"{column} + k * {span[field.related_model]}")
                elif Case in (model, original) and field.name == "reference":
                    number = f"(substring(reference from '(\\d+)$')::int + k * {step})::text"
                    values.append(
                        f"regexp_replace(reference, '\\d+$', '') || "
                        f"lpad({number}, greatest(5, length({number})), '0')"
                    )
                elif isinstance(field, models.UUIDField) and field.unique:
                    values.append("gen_random_uuid()")
                elif field.unique or (
                    Case in (model, original) and field.name == "source_reference"
                ):
                    values.append(f"{column} || '.' || k")
                else:
                    values.append(column)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"SELECT {', '.join(values)} FROM {table}, "
                f"generate_series(1, {copies}) AS k WHERE {pk} <= {span[model]}"
            )
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', "
                f"'{model._meta.pk.column}'), (SELECT MAX({q(model._meta.pk.column)}) "
                f"FROM {q(model._meta.db_table)}))"
            )
        # Each year's counter carries on after its copies' highest number.
        cursor.execute(
            "UPDATE complaints_referencecounter AS counter SET last = numbered.last FROM ("
            " SELECT regexp_replace(reference, '-\\d+$', '') AS key,"
            " MAX(substring(reference from '(\\d+)$')::int) AS last"
            " FROM complaints_case GROUP BY 1) AS numbered WHERE numbered.key = counter.key"
        )
    return copies


if __name__ == "__main__":
    import sys
    from pathlib import Path

    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    django.setup()
    replicate(int(sys.argv[1]))
