"""Two councils' published years, entered through the history import as a council would bring
them in, must come out of the annual report as they published them (../shared/seeds/).

- Redcar & Cleveland 2023/24 (`000_451025d80c343c70.txt`), counted on the completions basis with
  "% on time" a share of the responses and withdrawals: 43 complaints, and what became of each;
  Stage 1 14 within 10 days, 13 within 20, 3 withdrawn, 47%; Stage 2 12 (3 in time, 8 not, 1
  ongoing); Stage 3 6; six service areas from a joint complaint; 168 compliments.
- Staffordshire 2016/17's Stage 2 (`001_a19bae57f26bc45c.txt`): 9 investigations started
  there at Stage 2, with 73 findings, 33 upheld, 29 not upheld, 8 partially upheld, 3 no finding.

The rows are made here from the published figures; the dates are chosen to fall in the bands
the councils report.
"""

import datetime as dt

import pytest

from complaints.history_import import import_cases
from complaints.models import EscalationReason, ResponseMethod
from complaints.workingdays import add_working_days
from compliments.history_import import import_compliments
from compliments.models import ComplimentSource
from reporting.annual_report import count_tables, report_sections
from reporting.counting import Basis, Counting, OnTimeBase
from reporting.models import Edition
from tests.factories import ServiceAreaFactory, TeamFactory
from tests.support.history import csv_bytes

pytestmark = pytest.mark.django_db

REDCAR_AREAS = {  # each complaint's main service area, in order; one more is joint
    "Safeguarding": 20,
    "Children in Our Care": 13,
    "MACH / Assessment": 6,
    "Health Visiting and School Nurses": 1,
    "Social Work Academy": 1,
    "Independent Review": 2,
}


def _wd(day: dt.date, n: int) -> str:
    return add_working_days(day, n).isoformat()


def redcar_rows() -> list[dict]:
    areas = [name for name, n in REDCAR_AREAS.items() for _ in range(n)]
    stage_1_outcomes = ["upheld"] * 3 + ["partially_upheld"] * 9 + ["not_upheld"] * 12
    stage_1_outcomes += ["inconclusive"] * 2
    stage_2_outcomes = ["partially_upheld"] * 6 + ["not_upheld"] * 3
    stage_2_outcomes += ["unable_to_prove_disprove"] * 2
    stage_3_ends = ["not_upheld", "unable_to_prove_disprove", "partially_upheld"]
    stage_3_ends += ["partially_upheld", "withdrawn", "ongoing"]
    rows = []
    for i in range(43):
        received = add_working_days(dt.date(2023, 4, 3), 2 * i)
        team = f"{areas[i]} team"
        row = {
            "reference": f"RC-{i + 1:03d}",
            "procedure": "statutory",
            "received_on": received.isoformat(),
            "channel": "email",
            "service_area": areas[i],
            "complainant_name": f"Complainant {i + 1}",
            "complainant_relationship": "parent",
        }
        if i == 0:
            row["joint_service_areas"] = "Children in Our Care"
        if i < 4:  # could not proceed: refused at screening
            reason = ["court_proceedings", "court_proceedings", "safeguarding_referral"]
            row |= {
                "refused_on": _wd(received, 2),
                "refusal_reason": [*reason, "anonymous"][i],
            }
        elif i < 13:  # resolved informally at Stage 0
            row |= {"stage0_responded_on": _wd(received, 3), "stage0_outcome": "resolved_early"}
        elif i == 13:  # withdrawn before Stage 1
            row |= {
                "stage0_team": team,
                "withdrawn_on": _wd(received, 2),
                "withdrawal_reason": "complainant_withdrew",
            }
        elif i < 17:  # withdrawn during Stage 1
            row |= {
                "stage1_team": team,
                "withdrawn_on": _wd(received, 4),
                "withdrawal_reason": "complainant_withdrew",
            }
        else:  # answered at Stage 1: 13 within 10 working days here, 13 in 11 to 20
            n = i - 17
            stage_1 = add_working_days(received, 15 if n < 13 else 8)
            row |= {
                "stage1_team": team,
                "stage1_responded_on": stage_1.isoformat(),
                "stage1_outcome": stage_1_outcomes[n],
            }
            if n < 12:  # went on to Stage 2: 3 within 25 days, 8 over 65, 1 ongoing
                stage_2 = add_working_days(stage_1, 5)
                row |= {
                    "stage2_requested_on": stage_2.isoformat(),
                    "stage2_escalation_reason": "desired_outcome_not_met",
                    "stage2_previous_response_method": "written_only",
                }
                if n < 11:
                    answered = add_working_days(stage_2, 20 if n < 3 else 70)
                    row |= {
                        "stage2_responded_on": answered.isoformat(),
                        "stage2_outcome": stage_2_outcomes[n],
                    }
                    if n < 6:  # and Stage 3
                        stage_3 = add_working_days(answered, 5)
                        row["stage3_requested_on"] = stage_3.isoformat()
                        end = stage_3_ends[n]
                        if end == "withdrawn":
                            row |= {
                                "withdrawn_on": _wd(stage_3, 10),
                                "withdrawal_reason": "complainant_withdrew",
                            }
                        elif end != "ongoing":
                            row |= {
                                "stage3_panel_held_on": _wd(stage_3, 20),
                                "stage3_panel_report_on": _wd(stage_3, 23),
                                "stage3_responded_on": _wd(stage_3, 35),
                                "stage3_outcome": end,
                            }
        rows.append(row)
    # The 14th answer within 10 days: a complaint received the year before.
    rows.append(
        {
            "reference": "RC-2223-099",
            "procedure": "statutory",
            "received_on": "2023-03-27",
            "channel": "email",
            "service_area": "Safeguarding",
            "complainant_name": "Complainant 0",
            "complainant_relationship": "parent",
            "stage1_team": "Safeguarding team",
            "stage1_responded_on": "2023-04-05",
            "stage1_outcome": "not_upheld",
        }
    )
    return rows


@pytest.fixture
def redcar(complaints_manager):
    for name in REDCAR_AREAS:
        TeamFactory(service=ServiceAreaFactory(name=name), name=f"{name} team")
    result = import_cases("redcar-2023-24.csv", csv_bytes(redcar_rows()), by=complaints_manager)
    assert result.ok, result.problems[:5]
    assert result.created == 44
    compliments = [
        {
            "reference": f"RC-C-{n:03d}",
            "received_on": (dt.date(2023, 4, 1) + dt.timedelta(days=2 * n)).isoformat(),
            "service_area": "Safeguarding",
            "source": ComplimentSource.objects.first().code,
            "channel": "email",
            "summary": "Thank you",
        }
        for n in range(168)
    ]
    imported = import_compliments("compliments.csv", csv_bytes(compliments), by=complaints_manager)
    assert imported.ok and imported.created == 168, imported.problems[:3]
    return Counting(basis=Basis.COMPLETIONS, on_time_base=OnTimeBase.RESPONDED_OR_WITHDRAWN)


def test_redcar_2023_24_as_published(redcar):
    t = count_tables(2023, counting=redcar)

    assert t["representations"].value("complaint") == 43
    outcomes = t["complaint_outcomes"]
    published = {
        "upheld": 3,
        "partially_upheld": 9,
        "not_upheld": 12,
        "unable_to_determine": 2,
        "informal_resolution": 9,
        "withdrawn_before": 1,
        "withdrawn_during": 3,
        "unable_to_proceed": 4,
        "total": 43,
    }
    assert {key: outcomes.value(key) for key in published} == published
    assert outcomes.value("upheld", 1) == 7  # 3 of 43, as Redcar prints it
    reasons = {row.label: row.values[0] for row in t["unable_to_proceed"].rows}
    assert reasons == {
        "Anonymous complaint": 1,
        "Court proceedings": 2,
        "Safeguarding concern - referred to MASH/MACH": 1,
        "Total": 4,
    }

    stage_1 = t["timeliness_statutory_1"]
    assert stage_1.value("within_target") == 14
    assert stage_1.value("within_maximum") == 13
    assert stage_1.value("withdrawn") == 3
    assert stage_1.value("within_target", 1) == 47  # 14 of 30, not 14 of 27
    assert "responses issued and those withdrawn" in stage_1.note

    stages = t["complaints_by_stage"]
    assert stages.value("received_statutory_2") == 12
    assert stages.value("received_statutory_3") == 6
    stage_2 = t["timeliness_statutory_2"]
    assert (
        stage_2.value("within_target"),
        stage_2.value("within_maximum") + stage_2.value("beyond_maximum"),
        stage_2.value("ongoing"),
    ) == (3, 8, 1)
    column = t["outcomes"].columns.index("Stage 2")
    stage_2_outcomes = {row.key: row.values[column] for row in t["outcomes"].rows}
    assert (
        stage_2_outcomes["partially_upheld"],
        stage_2_outcomes["not_upheld"],
        stage_2_outcomes["unable_to_determine"],
    ) == (6, 3, 2)

    areas = {row.label: row.values[0] for row in t["service_areas"].rows}
    assert [areas[name] for name in REDCAR_AREAS] == [20, 14, 6, 1, 1, 2]
    assert areas["Total"] == 44
    assert "exceeds the number of complaints (43" in t["service_areas"].note
    assert t["representations"].value("compliments") == 168


def test_redcar_on_the_intake_basis_counts_the_years_complaints_whenever_answered(redcar):
    intake = Counting(basis=Basis.INTAKE, on_time_base=OnTimeBase.RESPONDED_OR_WITHDRAWN)
    t = count_tables(2023, counting=intake)

    stage_1 = t["timeliness_statutory_1"]
    # the complaint received in 2022/23 is not among them
    assert (stage_1.value("within_target"), stage_1.value("within_maximum")) == (13, 13)
    assert stage_1.value("withdrawn") == 3
    assert t["timeliness_statutory_2"].value("ongoing") == 1
    assert t["complaints_by_stage"].value("received_statutory_2")
    assert t["complaint_outcomes"].value("total") == 43


def test_the_report_says_how_it_counts_and_shows_what_became_of_the_complaints(redcar):
    edition = Edition.objects.create(
        year=2023, basis=redcar.basis, on_time_base=redcar.on_time_base
    )
    sections = report_sections(edition, count_tables(2023, counting=redcar), draw=False)
    outcomes = next(s for s in sections if s.title == "Outcomes of complaints")

    assert "responses issued in the year" in outcomes.intro
    assert [t.key for t in outcomes.tables][:2] == ["complaint_outcomes", "unable_to_proceed"]


STAFFORDSHIRE_AREAS = {
    "Looked after Children and Disability Services": 6,
    "Specialist Safeguarding, Targeted Services and Youth Offending Services": 3,
}


def staffordshire_rows() -> list[dict]:
    findings = ["upheld"] * 33 + ["not_upheld"] * 29 + ["partially_upheld"] * 8
    findings += ["no_finding"] * 3
    areas = [name for name, n in STAFFORDSHIRE_AREAS.items() for _ in range(n)]
    rows, start = [], 0
    for i in range(9):
        elements = 9 if i == 0 else 8  # 73 in all
        mine = findings[start : start + elements]
        start += elements
        received = add_working_days(dt.date(2016, 5, 2), 20 * i)
        rows.append(
            {
                "reference": f"ST-{i + 1}",
                "procedure": "statutory",
                "received_on": received.isoformat(),
                "channel": "letter",
                "service_area": areas[i],
                "complainant_name": f"Parent {i + 1}",
                "complainant_relationship": "parent",
                "natures": "; ".join(["social_work_practice"] * elements),
                "earlier_stages": "Stage 1 answered before the council kept this record",
                "stage2_requested_on": received.isoformat(),
                "stage2_responded_on": _wd(received, 60),
                "stage2_outcome": "partially_upheld",
                "stage2_findings": "; ".join(mine),
            }
        )
    return rows


def test_staffordshire_2016_17_stage_2_findings_as_published(complaints_manager):
    for name in STAFFORDSHIRE_AREAS:
        ServiceAreaFactory(name=name)
    result = import_cases("staffs.csv", csv_bytes(staffordshire_rows()), by=complaints_manager)
    assert result.ok, result.problems[:5]

    t = count_tables(2016)

    stages = t["complaints_by_stage"]
    assert stages.value("received_statutory_2") == 9
    assert not stages.value("received_statutory_1")  # not invented
    column = t["findings"].columns.index("Stage 2")
    found = {row.key: row.values[column] for row in t["findings"].rows}
    assert (
        found["upheld"],
        found["not_upheld"],
        found["partially_upheld"],
        found["no_finding"],
        found["total"],
    ) == (33, 29, 8, 3, 73)
    assert found["unable_to_determine"] == 0  # "no finding" is not swallowed
    areas = {row.label: row.values[0] for row in t["service_areas"].rows}
    assert [areas[name] for name in STAFFORDSHIRE_AREAS] == [6, 3]


def test_redcar_stage_2_and_3_by_service_area_and_why_they_were_asked_for(redcar):
    t = count_tables(2023, counting=redcar)

    reason = EscalationReason.objects.get(code="desired_outcome_not_met").label
    method = ResponseMethod.objects.get(code="written_only").label
    reasons, methods = t["escalation_reasons"], t["response_methods"]
    stage_2 = reasons.columns.index("Stage 2")
    assert {r.label: r.values[stage_2] for r in reasons.rows} == {reason: 12, "Total": 12}
    assert {r.label: r.values[stage_2] for r in methods.rows} == {method: 12, "Total": 12}
    by_area = t["later_stages_by_area"]
    assert by_area.value("total", stage_2) == 12
    assert by_area.columns == ["Stage 2", "Stage 3"]


def test_the_year_before_compares_as_redcar_published_it(redcar, complaints_manager):
    from reporting import published
    from reporting.annual_report import _key_figures

    # 2022/23 holds one stray case brought in; Redcar published 250 compliments and (say)
    # 49 complaints for it.
    published.load_csv(
        "year,table,row,value\n"
        "2022,representations,complaint,49\n"
        "2022,representations,compliments,250\n",
        source="Redcar & Cleveland annual report 2022/23",
    )

    t = count_tables(2023, counting=redcar)

    reps = t["representations"]
    assert reps.columns[:2] == ["2023/24", "2022/23"]
    assert (reps.value("complaint", 1), reps.value("compliments", 1)) == (49, 250)
    assert reps.value("total", 1) == 299
    summary = " ".join(_key_figures(t, 5))
    assert "43 representations were received. That is down 12% on 49 in 2022/23." in summary
    assert "21000%" not in summary


def test_a_change_on_a_base_below_the_threshold_is_given_in_counts():
    from reporting.annual_report import _change

    assert _change(43, 1, "2022/23", 5) == "That is 42 up on 2022/23."
    assert _change(43, 49, "2022/23", 5) == "That is down 12% on 49 in 2022/23."
    assert _change(4, 4, "2022/23", 5) == "The same as in 2022/23."


def test_published_figures_with_a_bad_line_are_refused_whole(db):
    from complaints.errors import DomainError
    from reporting import published
    from reporting.models import PublishedFigure

    with pytest.raises(DomainError, match="Line 3"):
        published.load_csv(
            "year,table,row,value\n2022,representations,complaint,49\n2022,x,y,lots\n"
        )
    assert not PublishedFigure.objects.exists()


def test_the_manager_uploads_published_figures_and_a_wrong_table_is_refused(
    complaints_manager, client
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from reporting.models import PublishedFigure
    from tests.support.forms import token

    def upload(text):
        data = SimpleUploadedFile("figures.csv", text.encode(), content_type="text/csv")
        return client.post(
            reverse("published-figures"),
            {"submission": token(), "file": data, "source": "Annual report 2022/23"},
        )

    client.force_login(complaints_manager)
    page = client.get(reverse("published-figures")).content.decode()
    assert "<code>representations</code>" in page

    wrong = upload("year,table,row,value\n2022,representations,Complaint,49\n2022,nonsense,A,1\n")
    assert wrong.status_code == 400
    assert "Line 3: the report has no table “nonsense”" in wrong.content.decode()
    assert not PublishedFigure.objects.exists()

    done = upload("year,table,row,value\n2022,representations,Complaint,49\n")
    assert done.status_code == 302
    figure = PublishedFigure.objects.get()
    assert (figure.year, figure.row, figure.value, figure.source) == (
        2022,
        "Complaint",
        49,
        "Annual report 2022/23",
    )


def test_only_a_manager_uploads_published_figures(team_manager, client):
    from django.urls import reverse

    client.force_login(team_manager)
    assert client.get(reverse("published-figures")).status_code == 403


def test_a_published_figure_keeps_its_history_and_an_absurd_count_is_refused(db):
    from complaints.errors import DomainError
    from reporting import published
    from reporting.models import PublishedFigure

    published.load_csv("year,table,row,value\n2022,representations,Complaint,49\n")
    published.load_csv("year,table,row,value\n2022,representations,Complaint,51\n")
    assert [h.value for h in PublishedFigure.objects.get().history.all()] == [51, 49]
    with pytest.raises(DomainError, match="Line 2: give a year from 2000 to 2058 and a count"):
        published.load_csv("year,table,row,value\n2022,representations,Complaint,9999999999\n")
