"""Render the annual report for a financial year to a PDF, for councils that schedule it:

    python manage.py annual_report 2025 --output annual-report-2025-26.pdf

With --html FILE it also writes the same report as one accessible web page, to publish beside
the PDF.

It renders the year's latest edition (published or draft) or, if none was started, the
figures alone with every narrative section marked "Not written yet". With --attach the PDF is
also kept on the edition, among its PDFs, and becomes a published edition's PDF if it has none.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting.annual_report import render_html, render_pdf
from reporting.models import Edition
from reporting.services import rendering_now


class Command(BaseCommand):
    help = "Render the annual report for the financial year starting 1 April YEAR to a PDF."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="e.g. 2025 for 1 April 2025 to 31 March 2026")
        parser.add_argument("--output", required=True, help="Where to write the PDF.")
        parser.add_argument(
            "--attach", action="store_true", help="Keep the PDF on the year's latest edition."
        )
        parser.add_argument("--html", help="Also write the report as a web page here.")

    def handle(self, *args, year: int, output: str, attach: bool = False, html=None, **options):
        if not 2000 <= year <= 2058:
            raise CommandError("Give the year the financial year starts in, e.g. 2025.")
        target = Path(output)
        if not target.parent.exists():
            raise CommandError(f"{target.parent} does not exist.")
        edition = Edition.objects.filter(year=year).order_by("-version").first()
        if edition is None:
            edition = Edition(year=year)  # not saved: nothing was drafted
        started = time.monotonic()
        if attach:
            if edition.pk is None:
                raise CommandError(f"No edition of {year} has been started, so none to attach to.")
            rendering = rendering_now(edition)
            with rendering.pdf.open("rb") as file:
                pdf = file.read()
        else:
            pdf = render_pdf(edition)
        target.write_bytes(pdf)
        if html:
            Path(html).write_text(render_html(edition), encoding="utf-8")
            self.stdout.write(f"Wrote {html}.")
        self.stdout.write(
            f"Wrote {target} ({len(pdf) / 1024:.0f} KB, {edition}) "
            f"in {time.monotonic() - started:.1f} s."
        )
