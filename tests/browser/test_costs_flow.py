"""What a Stage 2 appointment costs, recorded in Chromium: time, an invoice refused then put
right, its approval, and the dashboard's costs. Every page is checked by axe-core."""

from decimal import Decimal

import pytest
from django.utils import timezone

from complaints.models import Case, Level, Part
from tests.factories import appointed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_time_and_an_invoice_are_recorded_approved_and_counted(
    sign_in, officer, complaints_manager, build, investigator
):
    case = build.case(Case.State.IN_PROGRESS, level=Level.INVESTIGATION)
    appointment = appointed(
        case.current_stage, investigator, Part.INVESTIGATING_OFFICER, rate=Decimal("350")
    )
    name = str(appointment.member)

    olivia = sign_in(officer)
    olivia.goto(f"/cases/{case.reference}/")
    assert "Appointments and costs" in olivia.text()
    olivia.follow(f"Record time and expenses for {name}")
    page = olivia.page
    page.fill("#id_quantity", "2")
    page.fill("#id_expenses", "18.40")
    olivia.press("Record time and expenses")
    assert "Time and expenses recorded." in olivia.text()
    assert "£718.40" in olivia.text()  # 2 days at £350, and £18.40

    olivia.follow(f"Record an invoice from {name}")
    page.fill("#id_number", "INV-0042")
    page.fill("#id_amount", "-100")
    olivia.press("Record invoice")
    assert "There is a problem" in olivia.text()
    assert "The invoice's amount must be more than £0." in olivia.text()
    page.fill("#id_amount", "650")
    olivia.press("Record invoice")
    assert "awaiting approval" in olivia.text()

    morgan = sign_in(complaints_manager)
    morgan.goto(f"/cases/{case.reference}/")
    morgan.follow("Approve invoice INV-0042")
    morgan.press("Approve invoice")
    assert "Invoice approved" in morgan.text()
    assert f"approved {timezone.localdate():%-d %b %Y}" in morgan.text()

    morgan.follow("Dashboard")
    assert "Costs of independent investigations and review panels" in morgan.text()
