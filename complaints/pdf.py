"""Every PDF the service makes (letters, the annual report, subject-access summaries) is laid out
here from HTML, as tagged PDF/UA-1: headings, tables with their header cells, images with their
alternative text, a title and a language, so a screen reader can follow it. Public-sector
documents must be accessible (the Public Sector Bodies Accessibility Regulations 2018)."""

from io import BytesIO

from django.conf import settings

VARIANT = "pdf/ua-1"


def layout(html: str):
    """The laid-out document, whose pages can be counted before it is written."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).render()


def write(document) -> bytes:
    out = BytesIO()
    document.write_pdf(out, pdf_variant=VARIANT)
    return out.getvalue()


def from_html(html: str) -> bytes:
    return write(layout(html))
