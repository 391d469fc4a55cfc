"""The access log: who opened which case, downloaded which file and exported what."""

import pytest
from django.db import connection
from django.urls import reverse

from complaints import audit
from complaints.models import AccessRecord, AppendOnly

pytestmark = pytest.mark.django_db
Action = AccessRecord.Action


@pytest.fixture
def case(build):
    return build.case("responded")


def test_opening_downloading_and_exporting_are_recorded(client, officer, build, case):
    document = build.attach(case, title="Sam's school report")
    letter = build.send_letter(case).document
    client.force_login(officer)
    client.get(reverse("case-detail", args=[case.reference]), REMOTE_ADDR="10.1.2.3")
    client.get(reverse("document-download", args=[case.reference, document.pk]))
    client.get(reverse("document-download", args=[case.reference, letter.pk]))
    client.get(reverse("case-export"), {"state": "responded", "name": "Sam Parent"})
    client.get(reverse("dashboard-table", args=["teams", "csv"]), {"year": 2025})
    log = list(AccessRecord.objects.order_by("id"))
    assert [(r.user, r.action, r.case) for r in log] == [
        (officer, Action.VIEWED_CASE, case),
        (officer, Action.DOWNLOADED_DOCUMENT, case),
        (officer, Action.DOWNLOADED_LETTER, case),
        (officer, Action.EXPORTED, None),
        (officer, Action.EXPORTED, None),
    ]
    assert log[0].address == "10.1.2.3"
    assert "state=responded" in log[3].detail
    assert "Sam" not in log[3].detail  # only the filters the list declares are kept
    assert "Sam" not in log[1].detail  # a document's number and kind, never its title


def test_the_api_list_logs_its_filters_and_nothing_else(client, officer):
    client.force_login(officer)
    client.get("/api/v1/cases/", {"state": "open", "email": "sam@example.org"})
    (record,) = AccessRecord.objects.filter(action=Action.EXPORTED)
    assert "state=open" in record.detail and "sam" not in record.detail


def test_a_page_someone_may_not_see_records_nothing(client, other_team_manager, case):
    client.force_login(other_team_manager)
    assert client.get(reverse("case-detail", args=[case.reference])).status_code == 404
    assert not AccessRecord.objects.exists()


def test_the_log_cannot_be_changed_or_deleted(officer, case, rf):
    request = rf.get("/")
    request.user = officer
    audit.record(request, Action.VIEWED_CASE, case=case)
    entry = AccessRecord.objects.get()
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AccessRecord.objects.update(detail="changed")
    with pytest.raises(AppendOnly):
        AccessRecord.objects.all().delete()


@pytest.mark.postgres
def test_postgres_itself_refuses_to_change_the_log(officer, case, rf, is_postgres):
    if not is_postgres:
        pytest.skip("the trigger is PostgreSQL's")
    request = rf.get("/")
    request.user = officer
    audit.record(request, Action.VIEWED_CASE, case=case)
    from django.db import DatabaseError, transaction

    for sql in (
        "UPDATE complaints_accessrecord SET detail = 'x'",
        "DELETE FROM complaints_accessrecord",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)


def test_nobody_edits_or_deletes_it_in_the_admin(client, officer, case):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(officer)
    client.get(reverse("case-detail", args=[case.reference]))
    entry = AccessRecord.objects.get()
    client.force_login(root)
    change = reverse("admin:complaints_accessrecord_change", args=[entry.pk])
    delete = reverse("admin:complaints_accessrecord_delete", args=[entry.pk])
    assert client.get(change).status_code == 200  # read-only
    assert client.post(change, {"detail": "edited"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:complaints_accessrecord_add")).status_code == 403
    assert AccessRecord.objects.get().detail == f"/cases/{case.reference}/"


def test_a_complaints_manager_reads_a_cases_log_and_a_persons_activity(
    client, officer, complaints_manager, case
):
    client.force_login(officer)
    client.get(reverse("case-detail", args=[case.reference]))
    client.force_login(complaints_manager)
    page = client.get(reverse("case-detail", args=[case.reference]))
    assert reverse("case-access-log", args=[case.reference]) in page.content.decode()
    log = client.get(reverse("case-access-log", args=[case.reference])).content.decode()
    assert officer.get_full_name() in log and "Opened the case" in log
    activity = client.get(reverse("person-activity", args=[officer.pk])).content.decode()
    assert case.reference in activity


def test_only_a_complaints_manager_reads_the_log(client, officer, case):
    client.force_login(officer)
    assert client.get(reverse("case-access-log", args=[case.reference])).status_code == 403
    assert client.get(reverse("person-activity", args=[officer.pk])).status_code == 403


def test_every_page_showing_a_case_and_its_admin_pages_are_logged(client, officer, case):
    from tests.factories import UserFactory

    client.force_login(officer)
    for url in (
        reverse("case-action", args=[case.reference, "contact"]),
        reverse("letter-start", args=[case.reference]),
        reverse("case-action", args=[case.reference, "document"]),
    ):
        assert client.get(url).status_code == 200
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    client.get(reverse("admin:complaints_case_change", args=[case.pk]))
    client.get(reverse("admin:complaints_case_history", args=[case.pk]))
    client.get(reverse("admin:complaints_stage_change", args=[case.current_stage_id]))
    log = AccessRecord.objects.filter(case=case, action=Action.VIEWED_CASE)
    assert log.filter(user=officer).count() == 3
    assert log.filter(user=root).count() == 3
    assert {r.detail for r in log.filter(user=officer)} == {
        f"/cases/{case.reference}/contact/",
        f"/cases/{case.reference}/letters/new/",
        f"/cases/{case.reference}/document/",
    }
