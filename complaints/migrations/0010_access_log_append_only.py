"""On PostgreSQL the database itself refuses to change or delete the access log."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION complaints_accessrecord_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The access log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER complaints_accessrecord_append_only
    BEFORE UPDATE OR DELETE ON complaints_accessrecord
    FOR EACH ROW EXECUTE FUNCTION complaints_accessrecord_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS complaints_accessrecord_append_only ON complaints_accessrecord;
DROP FUNCTION IF EXISTS complaints_accessrecord_append_only();
"""


def _on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("complaints", "0009_access_log")]

    operations = [migrations.RunPython(_on_postgres(CREATE), _on_postgres(DROP))]
