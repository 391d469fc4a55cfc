from django import forms

from complaints.forms import CaseworkForm


class SearchForm(CaseworkForm):
    submit_label = "Search"
    submission = None  # a search may be sent any number of times

    search = forms.CharField(
        label="Name, e-mail, postcode or case system ID",
        max_length=150,
        help_text="Searches complainants and children whose data is still held.",
    )


class HoldForm(CaseworkForm):
    submit_label = "Hold the case"
    required_messages = {"reference": "Enter the case reference", "reason": "Say why"}

    reference = forms.CharField(label="Case reference", max_length=20)
    reason = forms.CharField(
        label="Why is the case held?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example a legal claim, an inquiry or an Ombudsman investigation.",
    )
