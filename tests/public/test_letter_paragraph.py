"""The shipped escalation paragraph gains the link when the migration runs; a reworded one
keeps its wording."""

import importlib

import pytest
from django.apps import apps

from complaints.models import LetterParagraph

pytestmark = pytest.mark.django_db
migration = importlib.import_module("complaints.migrations.0025_escalation_paragraph_link")


def test_the_shipped_paragraph_gains_the_link_and_loses_it_going_back():
    paragraph = LetterParagraph.objects.get(code="escalation")
    assert "escalation_link" in paragraph.text  # as loaded from letter_templates.yaml
    migration.backwards(apps, None)
    paragraph.refresh_from_db()
    assert "escalation_link" not in paragraph.text
    migration.forwards(apps, None)
    paragraph.refresh_from_db()
    assert paragraph.text.count("{{ escalation_link }}") == 1
    migration.forwards(apps, None)  # running it again changes nothing
    paragraph.refresh_from_db()
    assert paragraph.text.count("{{ escalation_link }}") == 1


def test_a_reworded_paragraph_is_left_as_written():
    LetterParagraph.objects.filter(code="escalation").update(text="Write to us within 20 days.")
    migration.forwards(apps, None)
    assert LetterParagraph.objects.get(code="escalation").text == "Write to us within 20 days."
