"""A history-import file made in a test: rows as dicts, written as the CSV a council uploads."""

import csv
import io


def csv_bytes(rows: list[dict]) -> bytes:
    header = list(dict.fromkeys(k for row in rows for k in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, header)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def case_row(reference: str, received_on: str, **values) -> dict:
    """A statutory complaint about Safeguarding from a parent, by e-mail, with `values`."""
    return {
        "reference": reference,
        "procedure": "statutory",
        "received_on": received_on,
        "channel": "email",
        "service_area": "Safeguarding",
        "complainant_name": f"Complainant {reference}",
        "complainant_relationship": "parent",
        **values,
    }
