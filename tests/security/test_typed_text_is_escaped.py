"""Text people type is shown as text everywhere it appears, never run as markup.

One payload is planted in every free-text field a user can write (case, complainant, child,
elements, findings, remedies, notes, documents, letters, pauses, returns, panels, lessons,
actions, the Ombudsman, compliments, the annual report, staff names and the categories,
teams and services a manager names), and then every page, admin page, letter, e-mail,
export and PDF where that text appears is opened.
"""

import csv
import datetime as dt
import io
import subprocess

import pytest
from django.contrib import admin
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import load_workbook

from complaints import documents, learning, letters, services, workflow
from complaints.actions import ACTIONS
from complaints.models import (
    Case,
    Channel,
    Child,
    Complainant,
    Element,
    Finding,
    Letter,
    LetterTemplate,
    Level,
    Nature,
    PanelMember,
    Relationship,
    RemedyKind,
    Stage,
)
from compliments.models import ComplimentSource
from compliments.services import compliment_record
from ombudsman.models import RecommendationKind
from ombudsman.services import ombudsman_case_create, recommendation_add
from reporting import services as reporting_services
from reporting.models import NARRATIVE_SECTIONS
from tests.factories import category

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("typed")</script><img src=x onerror=alert(1)>'
# What must never reach a page: the markup itself.
LIVE = ('<script>alert("typed")', "<img src=x onerror")
# What shows that the text did reach the page, as text.
SHOWN = "&lt;script&gt;alert(&quot;typed&quot;)&lt;/script&gt;"


def short(n: int) -> str:
    return PAYLOAD[:n]


@pytest.fixture
def planted(
    build,
    officer,
    complaints_manager,
    team,
    investigator,
    head_of_service,
    django_capture_on_commit_callbacks,
):
    """Every free-text field written with the payload, through the services where they exist."""
    today = timezone.localdate()
    for user in (officer, investigator, head_of_service, team.manager):
        user.first_name, user.job_title = short(30), PAYLOAD
        user.save()
    team.name = f"Team {short(60)}"
    team.save()
    team.service.name = f"Service {short(60)}"
    team.service.save()
    Nature.objects.filter(code="communication").update(label=f"Nature {short(60)}")
    Finding.objects.filter(code="upheld").update(label=f"Finding {short(60)}")

    complainant = Complainant.objects.create(
        name=short(150),
        address=PAYLOAD,
        phone=short(40),
        postcode=short(10),
        email="planted@example.org",
        relationship=category(Relationship, "parent"),
    )
    child = Child(name=short(150), case_system_reference=short(40))
    fields = {
        "complainant": complainant,
        "children": [child],
        "service_area": team.service,
        "outcome_sought_detail": PAYLOAD,
        "reasonable_adjustments": PAYLOAD,
        "via": Case.Via.COUNCILLOR,
        "via_name": short(150),
    }
    stage1 = build.case("in_progress", **fields)
    Case.objects.filter(pk=stage1.pk).update(
        summary=PAYLOAD, late_acceptance_reason=PAYLOAD, advocate_name=short(150)
    )
    stage2 = build.case("in_progress", level=Level.INVESTIGATION, **fields)
    stage3 = build.case("in_progress", level=Level.REVIEW_PANEL, **fields)
    responded = build.case("responded", **fields)
    cases = [stage1, stage2, stage3, responded]

    for case in cases:
        # An element written by whoever holds the statement (an investigator at Stage 2).
        element = Element.objects.filter(case=case).first()
        services.element_update(element=element, summary=PAYLOAD, nature=element.nature)
        services.element_add(case=case, summary=PAYLOAD, nature=element.nature)
        services.contact_record(
            case=case,
            by=officer,
            kind="call",
            happened_on=today,
            note=PAYLOAD,
            with_whom=short(150),
        )
        documents.document_add(
            case=case,
            by=officer,
            kind="evidence",
            title=short(200),
            upload=SimpleUploadedFile(f"{short(40)}.txt", b"notes", content_type="text/plain"),
        )
    for case in (stage1, stage2, stage3):
        stage = case.current_stage
        for ef in stage.element_findings.all():
            services.finding_record(
                stage=stage,
                element=ef.element,
                finding=category(Finding, "upheld"),
                reasoning=PAYLOAD,
            )
        services.remedy_add(
            stage=stage,
            kind=RemedyKind.objects.first(),
            detail=PAYLOAD,
            amount=None if not RemedyKind.objects.first().requires_amount else 10,
        )
        Stage.objects.filter(pk=stage.pk).update(
            extension_detail=PAYLOAD, escalation_detail=PAYLOAD
        )
    PanelMember.objects.filter(stage__case=stage3).update(name=short(150))
    workflow.pause(stage1, by=officer, reason=PAYLOAD)
    workflow.resume(stage1, by=officer)
    workflow.submit_for_qa(stage1, by=officer)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_draft(stage1, by=officer, reason=PAYLOAD)  # e-mails the manager

    template = LetterTemplate.objects.filter(kind="acknowledgement").first()
    draft = letters.letter_draft(case=stage1, template=template, by=officer)
    letters.letter_update(
        draft, subject=short(200), body=f"{PAYLOAD}\n\n{{{{ officer.password }}}}"
    )
    sent = letters.letter_draft(case=stage2, template=template, by=officer)
    letters.letter_update(sent, subject=short(200), body=PAYLOAD)
    letters.letter_send(sent, by=officer)

    lessons = learning.lessons_owed(responded.current_stage)
    learning.lessons_submit(
        lessons,
        by=team.manager,
        what_went_wrong=PAYLOAD,
        learning=PAYLOAD,
        applies_beyond_case=True,
        wider_learning=PAYLOAD,
        actions=[learning.ActionInput(PAYLOAD, team.manager, today + dt.timedelta(days=30))],
    )
    ombudsman = ombudsman_case_create(
        reference="25 000 001",
        received_on=today,
        by=officer,
        complaints=[responded],
        summary=PAYLOAD,
    )
    recommendation_add(
        ombudsman,
        by=officer,
        kind=RecommendationKind.objects.filter(requires_amount=False).first(),
        due_on=today + dt.timedelta(days=20),
        owner=complaints_manager,
        detail=PAYLOAD,
    )
    compliment_record(
        by=officer,
        received_on=today,
        service_area=team.service,
        team=team,
        source=ComplimentSource.objects.first(),
        channel=category(Channel, "email"),
        staff_named=short(200),
        summary=short(200),
        full_text=PAYLOAD,
        from_name=short(150),
        from_contact=short(200),
        extract=PAYLOAD,
        consent_to_publish=True,
    )
    edition = reporting_services.edition_start(year=today.year - (today.month < 4), by=officer)
    reporting_services.edition_update(edition, data={k: PAYLOAD for k in NARRATIVE_SECTIONS})
    reporting_services.case_study_add(edition, title=short(200), text=PAYLOAD)
    return {
        "cases": cases,
        "draft": draft,
        "sent": sent,
        "ombudsman": ombudsman,
        "edition": edition,
    }


def _check(response, where: str) -> str:
    body = response.content.decode(errors="replace")
    for marker in LIVE:
        assert marker not in body, f"live markup on {where}"
    return body


def _pages(planted) -> list[str]:
    urls = [
        reverse(n)
        for n in (
            "home",
            "case-list",
            "learning",
            "ombudsman-list",
            "compliment-list",
            "compliment-new",
            "dashboard",
            "edition-list",
            "case-log",
        )
    ]
    for case in planted["cases"]:
        ref = case.reference
        urls += [reverse("case-detail", args=[ref]), reverse("case-timeline", args=[ref])]
        urls += [reverse("case-action", args=[ref, slug]) for slug in ACTIONS]
        urls += [reverse("element-edit", args=[ref, e.number]) for e in case.elements.all()]
        urls += [reverse("letter-start", args=[ref]), reverse("response-letter", args=[ref])]
        for letter in Letter.objects.filter(case=case, sent_on__isnull=True):
            urls.append(reverse("letter-edit", args=[ref, letter.pk]))
    ombudsman = planted["ombudsman"].pk
    urls += [
        reverse(n, args=[ombudsman])
        for n in ("ombudsman-detail", "ombudsman-decision", "ombudsman-recommendation")
    ]
    edition = planted["edition"].pk
    urls += [reverse(n, args=[edition]) for n in ("edition-detail", "edition-preview")]
    return urls


def test_every_page_shows_typed_text_as_text(client, planted, officer, head_of_service):
    seen = 0
    for user in (officer, head_of_service):
        client.force_login(user)
        client.post(reverse("case-list"), {"search": PAYLOAD})  # the search box shows it too
        for url in _pages(planted):
            response = client.get(url)
            if response.status_code == 200:
                seen += SHOWN in _check(response, url)
    assert seen > 40  # the payload did reach the pages, as text
    # The page where the stored script first ran: Record findings.
    client.force_login(officer)
    stage2 = planted["cases"][1]
    findings = client.get(reverse("case-action", args=[stage2.reference, "findings"]))
    assert SHOWN in _check(findings, "findings")


def test_every_admin_page_shows_typed_text_as_text(client, planted, complaints_manager):
    complaints_manager.is_staff = True
    complaints_manager.is_superuser = True  # every admin page, for this test
    complaints_manager.save()
    client.force_login(complaints_manager)
    seen = 0
    for model in admin.site._registry:
        opts = model._meta
        try:
            listing = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            continue
        seen += SHOWN in _check(client.get(listing), listing)
        for obj in model.objects.all()[:3]:
            for view in ("change", "history"):
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])
                seen += SHOWN in _check(client.get(url), url)
    assert seen > 10


def _pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_letters_and_their_pdfs_hold_the_text_as_typed(client, planted, officer):
    sent = planted["sent"]
    sent.refresh_from_db()
    text = _pdf_text(sent.document.file.open("rb").read())
    assert '<script>alert("typed")</script>' in " ".join(text.split())
    # A letter's own text is never compiled as a template again.
    assert "{{ officer.password }}" in planted["draft"].body


def test_e_mails_are_plain_text(planted):
    assert mail.outbox, "the return of the draft e-mails the responding manager"
    for message in mail.outbox:
        assert not getattr(message, "alternatives", None), "no HTML part to inject into"


def test_exports_and_the_report_pdf_hold_the_text_as_typed(client, planted, complaints_manager):
    client.force_login(complaints_manager)
    export = client.get(reverse("case-export")).content.decode()
    cells = {cell for row in csv.reader(io.StringIO(export)) for cell in row}
    assert f"Service {short(60)}" in cells
    year = planted["edition"].year
    xlsx = client.get(reverse("dashboard-table", args=["teams", "xlsx"]), {"year": year})
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    cells = [str(c.value) for s in book for row in s.iter_rows() for c in row]
    assert any("<script>" in c for c in cells)
    from reporting.annual_report import render_pdf

    pdf = render_pdf(planted["edition"])
    assert '<script>alert("typed")</script>' in " ".join(_pdf_text(pdf).split())
