import pytest
from django.utils import timezone
from freezegun import freeze_time

from complaints import workflow
from complaints.deadlines import working_days_left
from complaints.models import Case, Level
from complaints.selectors import case_list, cases_visible_to
from complaints.workingdays import calendars
from tests.conftest import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with freeze_time(TODAY):
        yield


def _render_rows(user):
    today = timezone.localdate()
    return [
        (
            c.reference,
            c.current_stage and c.current_stage.get_level_display(),
            c.current_stage and c.current_stage.team and c.current_stage.team.name,
            c.complainant.name,
            c.next_due_on,
            working_days_left(c.next_due_on, today),
        )
        for c in case_list(user=user).order_by("next_due_on")[:50]
    ]


# The complaints team's list is one query; others' first look up the teams they manage.
@pytest.mark.parametrize(("persona", "queries"), [("officer", 1), ("team_manager", 2)])
def test_listing_cases_costs_the_same_queries_whatever_the_number(
    persona, queries, build, request, django_assert_num_queries
):
    user = request.getfixturevalue(persona)
    for _ in range(3):
        build.case()
    calendars.get("statutory")  # the holiday calendar is cached per process
    _render_rows(user)  # warm the permission cache
    with django_assert_num_queries(queries):
        few = _render_rows(user)
    for _ in range(55):
        build.case()
    with django_assert_num_queries(queries):
        many = _render_rows(user)
    assert len(few) == 3 and len(many) == 50
    assert all(row[4] is not None and row[5] is not None for row in many)


def test_a_team_manager_sees_only_their_teams_cases(
    build, team_manager, other_team_manager, senior_manager
):
    mine = build.case()
    theirs = build.case()
    workflow.allocate(theirs, by=build.officer, team=other_team_manager.teams_managed.get())
    assert list(cases_visible_to(team_manager)) == [mine]
    assert list(cases_visible_to(other_team_manager)) == [theirs]
    assert set(cases_visible_to(senior_manager)) == {mine, theirs}


def test_investigators_see_only_the_cases_they_are_appointed_to(
    build, investigator, independent_person
):
    appointed = build.case(level=Level.INVESTIGATION)
    build.case()
    assert list(cases_visible_to(investigator)) == [appointed]
    assert list(cases_visible_to(independent_person)) == [appointed]
    assert appointed.state == Case.State.IN_PROGRESS


def test_rows_read_as_json_come_back_as_the_database_gives_them(build, officer):
    """The case page reads small lists inside its stages' query, as JSON: each row must come
    back with the types a plain read gives (dates, times with their zone, decimals, booleans,
    a joined row, an empty foreign key)."""
    from decimal import Decimal

    from complaints import selectors, services
    from complaints.models import Contact, ElementFinding, Remedy, RemedyKind, Stage

    case = build.case()
    stage = case.current_stage
    services.contact_record(
        case=case, by=officer, kind="call", happened_on=TODAY, note="Rang", with_whom="Mum"
    )
    services.remedy_add(
        stage=stage, kind=RemedyKind.objects.get(code="financial_payment"), amount=Decimal("10")
    )
    for model, joined in [(Contact, ()), (Remedy, ("kind",)), (ElementFinding, ("finding",))]:
        read = Stage.objects.annotate(rows=selectors._rows_as_json(model, joined)).get(pk=stage.pk)
        rebuilt = [selectors._rebuilt(model, row, joined) for row in read.rows]
        expected = list(model.objects.filter(stage=stage).order_by("pk"))
        assert sorted(rebuilt, key=lambda r: r.pk) == expected
        for mine, theirs in zip(sorted(rebuilt, key=lambda r: r.pk), expected, strict=True):
            for field in model._meta.concrete_fields:
                assert getattr(mine, field.attname) == getattr(theirs, field.attname), field
                if isinstance(getattr(theirs, field.attname), Decimal):  # "£10.00", not "£10"
                    assert str(getattr(mine, field.attname)) == str(getattr(theirs, field.attname))
                assert isinstance(
                    getattr(mine, field.attname), type(getattr(theirs, field.attname))
                ), field
            for name in joined:
                assert getattr(mine, name) == getattr(theirs, name)  # None when left empty
    assert Remedy.objects.get(stage=stage).amount == Decimal("10.00")


def test_joins_as_written_holds_postgresql_to_the_written_join_order_only_within_it(is_postgres):
    from django.db import connection

    from complaints.selectors import joins_as_written

    def limit():
        with connection.cursor() as cursor:
            cursor.execute("SHOW join_collapse_limit")
            return cursor.fetchone()[0]

    if not is_postgres:
        with joins_as_written():  # nothing to hold on SQLite
            assert Case.objects.count() == 0
        return
    before = limit()
    with joins_as_written():
        assert limit() == "1"
    assert limit() == before != "1"


def test_the_case_page_and_list_plan_their_joins_as_written(officer, build, client, is_postgres):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = build.case()
    client.force_login(officer)
    for url in ["/cases/", f"/cases/{case.reference}/"]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        held = [q["sql"] for q in queries if "set_config('join_collapse_limit', '1'" in q["sql"]]
        assert len(held) == (1 if is_postgres else 0), url
