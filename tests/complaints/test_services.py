import datetime as dt
import threading

import pytest
from django.db import connection
from freezegun import freeze_time

from complaints.models import Case, Child
from tests.conftest import TODAY
from tests.factories import ComplainantFactory

D = dt.date


@pytest.mark.django_db
def test_references_run_per_year(build):
    first = build.log(received_on=D(2024, 3, 1))
    second = build.log(received_on=D(2024, 3, 2))
    other_year = build.log(received_on=D(2025, 1, 6))
    assert (first.reference, second.reference) == ("CSC-2024-00001", "CSC-2024-00002")
    assert other_year.reference == "CSC-2025-00001"


@pytest.mark.django_db
@freeze_time(TODAY)
def test_a_repeat_complaint_is_linked_to_the_open_case(build):
    child = Child.objects.create(name="Ruby Example", case_system_reference="MOS77")
    first = build.log(children=[child])
    second = build.log(children=[child], complainant=ComplainantFactory.build())
    assert second.repeat_of == first
    unrelated = build.log()
    assert unrelated.repeat_of is None


@pytest.mark.django_db
def test_elements_are_numbered_in_order(build):
    case = build.case(elements=3)
    assert list(case.elements.values_list("number", flat=True)) == [1, 2, 3]
    assert case.current_stage.element_findings.count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_references_stay_unique_when_twenty_intakes_race(build):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; CI runs this with DATABASE_URL set")
    references, errors = [], []
    barrier = threading.Barrier(20)

    def intake():
        try:
            barrier.wait()
            references.append(build.log(received_on=D(2025, 6, 2)).reference)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=intake) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(references)) == 20
    assert sorted(references) == [f"CSC-2025-{n:05d}" for n in range(1, 21)]
    assert Case.objects.count() == 20
