"""A council's history as the import template lays it out, for timing the import: N cases over
five years, in a mix like the seed councils' (most answered at Stage 1, some refused, withdrawn,
resolved at Stage 0, or taken to Stage 2 and 3)."""

import datetime as dt
import random

from complaints.workingdays import add_working_days

OUTCOMES = ["upheld", "partially_upheld", "not_upheld", "inconclusive", "no_finding"]
NATURES = ["communication", "staff_conduct", "quality_of_service", "case_management"]


def history_rows(count: int, *, areas: list[tuple[str, str]], seed: int = 7) -> list[dict]:
    """`areas` are (service area, team) names the rows name."""
    rng = random.Random(seed)
    start = dt.date(2020, 4, 1)
    rows = []
    for i in range(count):
        received = add_working_days(start, rng.randrange(1200))
        area, team = rng.choice(areas)
        natures = rng.sample(NATURES, rng.randint(1, 3))
        row = {
            "reference": f"H-{i:06d}",
            "procedure": "statutory",
            "received_on": received.isoformat(),
            "channel": rng.choice(["email", "telephone", "letter", "e_form"]),
            "service_area": area,
            "complainant_name": f"Complainant {i}",
            "complainant_relationship": rng.choice(["parent", "parent", "foster_carer"]),
            "natures": "; ".join(natures),
        }
        kind = rng.random()
        if kind < 0.08:
            row |= {"refused_on": _wd(received, 3), "refusal_reason": "out_of_time"}
        elif kind < 0.25:
            row |= {"stage0_responded_on": _wd(received, 2), "stage0_outcome": "resolved_early"}
        elif kind < 0.32:
            row |= {
                "stage1_team": team,
                "withdrawn_on": _wd(received, 4),
                "withdrawal_reason": "complainant_withdrew",
            }
        else:
            answered = add_working_days(received, rng.choice([6, 9, 12, 18]))
            findings = [rng.choice(OUTCOMES[:3]) for _ in natures]
            row |= {
                "stage1_team": team,
                "stage1_responded_on": answered.isoformat(),
                "stage1_outcome": rng.choice(OUTCOMES[:3]),
                "stage1_findings": "; ".join(findings),
            }
            if rng.random() < 0.1:
                requested = add_working_days(answered, 10)
                done = add_working_days(requested, rng.choice([22, 40, 70]))
                row |= {
                    "stage2_requested_on": requested.isoformat(),
                    "stage2_escalation_reason": "desired_outcome_not_met",
                    "stage2_responded_on": done.isoformat(),
                    "stage2_outcome": rng.choice(OUTCOMES[:3]),
                    "stage2_findings": "; ".join(rng.choice(OUTCOMES[:3]) for _ in natures),
                    "stage2_investigator_fee": "1450.00",
                }
                row["closed_on"] = add_working_days(done, 30).isoformat()
            else:
                row["closed_on"] = add_working_days(answered, 25).isoformat()
        rows.append(row)
    return rows


def _wd(day: dt.date, n: int) -> str:
    return add_working_days(day, n).isoformat()
