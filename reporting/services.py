"""Changes to annual report editions: drafting, rendering, publishing and new versions.

A published edition never changes: its figures are frozen in `frozen` and its PDF is written
once. Changing it means starting the next version, a draft copied from it.
"""

import datetime as dt
import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from complaints import concurrency
from complaints.errors import DomainError
from complaints.handoff import hand_off
from reporting.annual_report import (
    actions_agreed,
    code_assessment,
    count_tables,
    ombudsman_cases,
    render_pdf,
)
from reporting.models import (
    NARRATIVE_SECTIONS,
    CaseStudy,
    CodeAssessment,
    CodeProvision,
    Edition,
    Rendering,
)

log = logging.getLogger(__name__)


def _editable(edition: Edition) -> None:
    if edition.is_published:
        raise DomainError(
            f"Version {edition.version} of the {edition.year_label} report is published and "
            "cannot change. Start a new version to make changes."
        )


def edition_start(*, year: int, by) -> Edition:
    """The year's draft: the existing one, or the next version copied from the latest."""
    latest = Edition.objects.filter(year=year).order_by("-version").first()
    if latest is None:
        # A new year counts as the council's last edition did, so the years compare.
        last = Edition.objects.order_by("-year", "-version").first()
        how = {"basis": last.basis, "on_time_base": last.on_time_base} if last else {}
        return Edition.objects.create(year=year, created_by=by, **how)
    if not latest.is_published:
        return latest
    return edition_new_version(latest, by=by)


@transaction.atomic
def edition_new_version(edition: Edition, *, by) -> Edition:
    latest = Edition.objects.select_for_update().filter(year=edition.year).order_by("-version")[0]
    if not latest.is_published:
        return latest
    copy = Edition.objects.create(
        year=edition.year,
        version=latest.version + 1,
        title=edition.title,
        small_number_threshold=edition.small_number_threshold,
        basis=edition.basis,
        on_time_base=edition.on_time_base,
        created_by=by,
        **{key: getattr(edition, key) for key in NARRATIVE_SECTIONS},
    )
    copy.compliments.set(edition.compliments.all())
    CaseStudy.objects.bulk_create(
        CaseStudy(edition=copy, title=s.title, text=s.text, order=s.order)
        for s in edition.case_studies.all()
    )
    CodeAssessment.objects.bulk_create(
        CodeAssessment(
            edition=copy,
            provision_id=a.provision_id,
            compliance=a.compliance,
            evidence=a.evidence,
        )
        for a in edition.code_assessments.all()
    )
    return copy


# What a complaints manager sets on an edition, beside its narrative.
EDITION_SETTINGS = ("title", "small_number_threshold", "basis", "on_time_base")


def edition_fingerprint(edition: Edition) -> str:
    return concurrency.fingerprint(
        edition.title,
        edition.small_number_threshold,
        edition.basis,
        edition.on_time_base,
        *[getattr(edition, key) for key in NARRATIVE_SECTIONS],
        sorted(edition.compliments.values_list("pk", flat=True)),
    )


@transaction.atomic
def edition_update(
    edition: Edition, *, data: dict, compliments=None, seen: str | None = None
) -> Edition:
    saved = Edition.objects.select_for_update().get(pk=edition.pk)
    _editable(saved)
    concurrency.check(seen, edition_fingerprint(saved), "this report")
    for key, value in data.items():
        if key not in {*NARRATIVE_SECTIONS, *EDITION_SETTINGS}:
            raise ValueError(f"{key} is not a field of an edition a person edits")
        setattr(edition, key, value)
    if edition.small_number_threshold < 1:
        raise DomainError("The threshold must be 1 or more.", field="small_number_threshold")
    edition.save()
    if compliments is not None:
        unquotable = [c for c in compliments if not (c.consent_to_publish and c.extract.strip())]
        if unquotable:
            raise DomainError(
                "Only compliments with consent to publish and an anonymised extract can be "
                "quoted.",
                field="compliments",
            )
        edition.compliments.set(compliments)
    return edition


@transaction.atomic
def code_assessment_save(
    edition: Edition, *, answers: list[tuple[CodeProvision, str, str]]
) -> None:
    """The self-assessment against the Complaint Handling Code: for each requirement, whether
    the council complied and the evidence. Where it fell short, the Code (8.1) asks why."""
    _editable(edition)
    for provision, compliance, evidence in answers:
        if compliance not in {"", *CodeAssessment.Compliance.values}:
            raise DomainError(f"{compliance!r} is not an answer to the Code's requirements.")
        fell_short = compliance in {
            CodeAssessment.Compliance.PARTLY,
            CodeAssessment.Compliance.DOES_NOT,
        }
        if fell_short and not evidence.strip():
            raise DomainError(
                "Say where the council fell short and what it is doing about it.",
                field=f"evidence_{provision.pk}",
            )
        if not compliance and not evidence.strip():  # not assessed (again)
            CodeAssessment.objects.filter(edition=edition, provision=provision).delete()
            continue
        CodeAssessment.objects.update_or_create(
            edition=edition,
            provision=provision,
            defaults={"compliance": compliance, "evidence": evidence.strip()},
        )


def case_study_add(edition: Edition, *, title: str, text: str) -> CaseStudy:
    _editable(edition)
    if not title.strip() or not text.strip():
        raise DomainError("Give the case study a title and its text.", field="text")
    order = edition.case_studies.count()
    return CaseStudy.objects.create(edition=edition, title=title, text=text, order=order)


def case_study_remove(study: CaseStudy) -> None:
    _editable(study.edition)
    study.delete()


def rendering_request(edition: Edition, *, by) -> Rendering:
    """Queue a PDF of the edition, like a message in the outbox: the row is written in the
    caller's transaction and handed to a worker after it commits. If the broker is down it
    waits, and the periodic `render_waiting` task (or `manage.py render_reports`) makes it."""
    rendering = Rendering.objects.create(edition=edition, requested_by=by)
    transaction.on_commit(lambda: _dispatch(rendering.pk))
    return rendering


def rendering_now(edition: Edition, *, by=None) -> Rendering:
    """Make a PDF of the edition here and now, kept among its PDFs (the annual_report command
    with --attach). Created already claimed, so no worker picks it up meanwhile."""
    rendering = Rendering.objects.create(
        edition=edition,
        requested_by=by,
        state=Rendering.State.RUNNING,
        started_at=timezone.now(),
    )
    return rendering_run(rendering, claimed=True)


def _dispatch(rendering_id: int) -> None:
    hand_off("reporting.tasks.render_edition", rendering_id, waiting=f"report PDF {rendering_id}")


# A rendering takes a minute or two; one running far longer lost its worker (a crash, a
# restart) and is made again.
STALE_RENDERING = dt.timedelta(minutes=30)


def _claimable() -> Q:
    stale = timezone.now() - STALE_RENDERING
    return Q(state=Rendering.State.QUEUED) | Q(state=Rendering.State.RUNNING, started_at__lt=stale)


def renderings_waiting() -> list[int]:
    """Renderings queued while the broker was down, or left running by a worker that died."""
    return list(
        Rendering.objects.filter(_claimable())
        .order_by("requested_at")
        .values_list("pk", flat=True)
    )


def rendering_run(rendering: Rendering, *, claimed: bool = False) -> Rendering | None:
    """Render the PDF, saying how far it has got. Run by the Celery task or the commands. The
    rendering is claimed first, so two workers never make the same one; None if another
    worker has it."""
    if not claimed:
        taken = Rendering.objects.filter(_claimable(), pk=rendering.pk).update(
            state=Rendering.State.RUNNING, step="Starting", started_at=timezone.now()
        )
        if not taken:
            return None

    def progress(percent: int, step: str) -> None:
        Rendering.objects.filter(pk=rendering.pk).update(
            state=Rendering.State.RUNNING, progress=percent, step=step
        )

    edition = rendering.edition
    try:
        pdf = render_pdf(edition, progress=progress)
    except Exception as error:
        Rendering.objects.filter(pk=rendering.pk).update(
            state=Rendering.State.FAILED, error=repr(error)[:2000], finished_at=timezone.now()
        )
        raise
    name = f"annual-report-{edition.year}-v{edition.version}.pdf"
    rendering.refresh_from_db()
    rendering.pdf.save(name, ContentFile(pdf), save=False)
    rendering.state, rendering.progress, rendering.step = Rendering.State.DONE, 100, "Ready"
    rendering.finished_at = timezone.now()
    rendering.save()
    if edition.is_published and not edition.pdf:
        Edition.objects.filter(pk=edition.pk, pdf="").update(
            pdf=rendering.pdf.name, pdf_sha256=hashlib.sha256(pdf).hexdigest()
        )
    return rendering


@transaction.atomic
def edition_publish(edition: Edition, *, by) -> Rendering:
    """Freeze the figures as they stand and render the published PDF from them."""
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    _editable(edition)
    tables = count_tables(edition.year, counting=edition.counting)
    edition.frozen = {
        "tables": {key: table.to_dict() for key, table in tables.items()},
        "extracts": [c.extract for c in edition.compliments.all() if c.extract],
        "code_assessment": code_assessment(edition),
        "ombudsman_cases": ombudsman_cases(edition),
        "actions_agreed": actions_agreed(edition),
    }
    edition.status = Edition.Status.PUBLISHED
    edition.published_by, edition.published_at = by, timezone.now()
    edition.save()
    return rendering_request(edition, by=by)
