"""The shipped "escalation" paragraph gains the complainant's link to ask online; a paragraph a
complaints manager has reworded is left as they wrote it (they can add {{ escalation_link }})."""

from django.db import migrations

BEFORE = (
    " You can contact us by telephone, email or letter using the details at the top of this "
    "letter.{% else %}"
)
AFTER = (
    " You can contact us by telephone, email or letter using the details at the top of this "
    "letter{% if escalation_link %}, or ask online through this link, which is for you alone: "
    "{{ escalation_link }}{% endif %}.{% else %}"
)


def _swap(apps, old, new):
    LetterParagraph = apps.get_model("complaints", "LetterParagraph")
    for paragraph in LetterParagraph.objects.filter(code="escalation", text__contains=old):
        if "escalation_link" in paragraph.text and old == BEFORE:
            continue
        paragraph.text = paragraph.text.replace(old, new)
        paragraph.save(update_fields=["text"])


def forwards(apps, schema_editor):
    _swap(apps, BEFORE, AFTER)


def backwards(apps, schema_editor):
    _swap(apps, AFTER, BEFORE)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0024_public_e_form_answers")]

    operations = [migrations.RunPython(forwards, backwards)]
