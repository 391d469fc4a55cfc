import pytest

from complaints.models import CATEGORY_MODELS, Finding, StageDefinition, Timescale
from complaints.reference_data import load_reference_data

pytestmark = pytest.mark.django_db


def test_every_list_is_seeded_and_equality_lists_offer_not_stated_and_not_asked():
    for key, model in CATEGORY_MODELS.items():
        assert model.objects.exists(), key
    for key in ["gender", "ethnicity", "disability", "sexual_orientation", "age_band"]:
        codes = set(CATEGORY_MODELS[key].objects.values_list("code", flat=True))
        assert {"not_stated", "not_asked"} <= codes, key


def test_statutory_timescales_match_the_regulations():
    def days(level, step):
        return Timescale.objects.get(stage__procedure="statutory", stage__level=level, step=step)

    assert (days(1, "respond").target_days, days(1, "respond").max_days) == (10, 20)
    assert (days(2, "respond").target_days, days(2, "respond").max_days) == (25, 65)
    assert days(3, "panel_held").target_days == 30
    assert days(3, "panel_report").target_days == 5
    assert days(3, "council_response").target_days == 15
    assert days(1, "escalation_window").target_days == 20


def test_reloading_never_overwrites_an_administrators_change():
    upheld = Finding.objects.get(code="upheld")
    upheld.label = "Upheld in full"
    upheld.save()
    StageDefinition.objects.filter(procedure="statutory", level=0).update(active=False)
    assert sum(load_reference_data().values()) == 0
    assert Finding.objects.get(code="upheld").label == "Upheld in full"
    assert not StageDefinition.objects.get(procedure="statutory", level=0).active


def test_a_closure_day_cannot_stop_a_children_act_deadline():
    from django.core.exceptions import ValidationError

    ts = Timescale.objects.get(stage__procedure="statutory", stage__level=1, step="respond")
    ts.counts_closure_days = True
    with pytest.raises(ValidationError, match="Children Act deadlines"):
        ts.full_clean()
