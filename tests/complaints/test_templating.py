"""Admin-written letter and e-mail text renders in a sandbox, over plain values."""

import pytest
from django.core.exceptions import ValidationError

from complaints import letters, templating
from complaints.models import ChaseRule, LetterParagraph, LetterTemplate

pytestmark = pytest.mark.django_db


def _letter(build, body: str, **case):
    case = build.case("in_progress", **case)
    template = LetterTemplate.objects.create(
        name="Probe", kind="acknowledgement", subject="Re {{ case.reference }}", body=body
    )
    return case, letters.letter_draft(case=case, template=template, by=None)


def test_a_template_cannot_read_a_password_hash_or_any_model(build, officer):
    officer.set_password("a-real-password-here")
    officer.save()
    _, letter = _letter(
        build,
        "[{{ officer.password }}][{{ officer.pk }}][{{ case.complainant.email }}]"
        "[{{ case.delete }}][{{ officer.name }}]",
        officer=officer,
    )
    assert "pbkdf2" not in letter.body and "md5" not in letter.body
    assert letter.body.startswith(f"[][][][][{officer.get_full_name()}]")


@pytest.mark.parametrize(
    "text",
    [
        "{% debug %}",
        "{% load static %}",
        '{% include "base.html" %}',
        '{% extends "base.html" %}',
        "{% url 'home' %}",
        "{{ complainant.name|safe }}",
    ],
)
def test_tags_and_filters_outside_the_sandbox_are_a_template_error(text):
    with pytest.raises(templating.TemplateTextError):
        templating.compile_text(text)
    template = LetterTemplate(name="x", kind="acknowledgement", subject="s", body=text)
    with pytest.raises(ValidationError):
        template.full_clean()
    rule = ChaseRule(code="x", name="x", trigger="deadline", subject="s", body=text)
    with pytest.raises(ValidationError) as raised:
        rule.clean()
    assert "body" in raised.value.message_dict


def test_what_the_case_holds_comes_out_as_typed_text(build):
    from tests.factories import ComplainantFactory

    name = "Tom & Jerry <b>O'Hara</b> &amp;"
    complainant = ComplainantFactory(name=name)
    _, letter = _letter(build, "Dear {{ complainant.name }}", complainant=complainant)
    assert letter.body == f"Dear {name}\n"


def test_paragraphs_render_in_the_same_sandbox(build):
    LetterParagraph.objects.update_or_create(
        code="probe",
        defaults={"title": "Probe", "text": "[{{ officer.password }}]{{ council.name }}"},
    )
    _, letter = _letter(build, "{{ paragraph.probe }}")
    assert letter.body.startswith("[]Demo Borough Council")


@pytest.mark.parametrize("text", ["{{ 1|divisibleby:0 }}", '{{ "x"|ljust:"2000000000" }}'])
def test_text_that_cannot_be_filled_in_is_refused_in_the_admin(text):
    paragraph = LetterParagraph(code="bad", title="Bad", text=text)
    with pytest.raises(ValidationError):
        paragraph.full_clean()


def test_a_broken_paragraph_is_a_clear_error_not_a_crash(build, officer):
    from complaints.errors import DomainError

    LetterParagraph.objects.create(code="broken", title="Broken", text="{{ 1|divisibleby:0 }}")
    case = build.case("in_progress")
    template = LetterTemplate.objects.filter(kind="acknowledgement").first()
    with pytest.raises(DomainError, match="a complaints manager can correct it"):
        letters.letter_draft(case=case, template=template, by=officer)
