"""complaints.pdf: every PDF the service makes is tagged, for screen readers."""

import subprocess

from complaints import pdf


def test_a_pdf_is_tagged_pdf_ua_with_its_title(tmp_path):
    path = tmp_path / "letter.pdf"
    path.write_bytes(
        pdf.from_html(
            '<html lang="en-GB"><head><title>Your complaint</title></head>'
            "<body><h1>Your complaint</h1><p>We have received it.</p></body></html>"
        )
    )
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()

    assert "Tagged:          yes" in info
    assert "Title:           Your complaint" in info
