"""The complaints manager keeps the Stage 2 and 3 pool: adds an external investigator (a
negative rate refused first), records a check, reads the capacity page, and is refused
removing someone still appointed. Every page is checked by axe-core."""

import datetime as dt

import pytest

from complaints.models import Appointment, Level, Part, PoolMember
from tests.factories import PoolMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_complaints_manager_keeps_the_pool(sign_in, build, complaints_manager):
    appointed = PoolMemberFactory(parts=["investigates"])
    stage = build.case(level=Level.INVESTIGATION).current_stage
    Appointment.objects.create(
        stage=stage,
        member=appointed,
        part=Part.INVESTIGATING_OFFICER,
        appointed_on=dt.date.today(),
        rate=appointed.rate,
        rate_unit=appointed.rate_unit,
    )

    morgan = sign_in(complaints_manager)
    morgan.follow("Pool")
    assert str(appointed) in morgan.page.inner_text("#pool")
    morgan.follow("Add someone to the pool")
    page = morgan.page
    page.fill("#id_first_name", "Pat")
    page.fill("#id_last_name", "Okafor")
    page.fill("#id_email", "pat.okafor@agency.example")
    page.check("input[name=engagement][value=agency]")
    page.check("input[name=parts][value=investigating_officer]")
    page.check("input[name=parts][value=panel_member]")
    page.fill("#id_rate", "-10")
    morgan.press("Add to the pool")
    assert "The rate must be £0 or more" in morgan.text()
    assert not PoolMember.objects.filter(user__email="pat.okafor@agency.example").exists()
    page.fill("#id_rate", "375")
    morgan.press("Add to the pool")
    assert "Pat Okafor added to the pool" in morgan.text()

    morgan.follow("Record a check")
    page.check("input[name=kind][value=dbs]")
    for name, day in (("obtained_on", dt.date(2025, 1, 10)), ("expires_on", dt.date(2025, 1, 9))):
        page.fill(f"#id_{name}_0", str(day.day))
        page.fill(f"#id_{name}_1", str(day.month))
        page.fill(f"#id_{name}_2", str(day.year))
    morgan.press("Record the check")
    assert "The expiry date must be after the date it was obtained" in morgan.text()
    page.fill("#id_expires_on_2", "2099")
    morgan.press("Record the check")
    assert "recorded" in morgan.text()

    morgan.goto("/pool/capacity/")
    assert "Average working days from request to appointment" in morgan.text()

    morgan.goto(f"/pool/{appointed.pk}/remove/")
    assert stage.case.reference in morgan.page.inner_text("#still-appointed")
    appointed.refresh_from_db()
    assert appointed.left_on is None
