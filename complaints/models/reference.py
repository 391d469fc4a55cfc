"""Category lists a complaints manager edits in the admin.

Each list is seeded from the seed councils' annual reports (complaints/reference_data.yaml,
loaded by `manage.py load_reference_data`). Reports count cases by these rows, so a category
is retired by unticking "active", never deleted while cases use it.
"""

from django.db import models


class Category(models.Model):
    code = models.SlugField(
        max_length=60, unique=True, help_text="Stable identifier used in exports."
    )
    label = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True, help_text="Untick to stop offering it on forms.")

    class Meta:
        abstract = True
        ordering = ["order", "label"]

    def __str__(self) -> str:
        return self.label


class Channel(Category):
    """How a representation reached the council."""

    class Meta(Category.Meta):
        verbose_name = "channel"


class Relationship(Category):
    """The complainant's relationship to the child: the report's "customer group"."""

    is_child = models.BooleanField(
        default=False, help_text="The complainant is a child or young person: offer advocacy."
    )

    class Meta(Category.Meta):
        verbose_name = "complainant relationship"


class Nature(Category):
    """The nature (type) of a complaint element."""

    class Meta(Category.Meta):
        verbose_name = "nature of complaint"
        verbose_name_plural = "natures of complaint"


class RefusalReason(Category):
    class Procedure(models.TextChoices):
        STATUTORY = "statutory", "Children Act only"
        CORPORATE = "corporate", "Corporate only"
        BOTH = "both", "Both procedures"

    procedure = models.CharField(max_length=10, choices=Procedure.choices, default=Procedure.BOTH)

    class Meta(Category.Meta):
        verbose_name = "refusal reason"


class Finding(Category):
    """A finding on an element, or a stage's overall outcome, in the council's own words.

    Reports count by `group`, so "inconclusive" and "unable to prove or disprove" add up together.
    The last four groups are ends without a finding, which councils publish as outcomes of
    their own; "no finding" is only what a council recorded as no finding.
    """

    class Group(models.TextChoices):
        UPHELD = "upheld", "Upheld"
        PARTIALLY_UPHELD = "partially_upheld", "Partially upheld"
        NOT_UPHELD = "not_upheld", "Not upheld"
        UNABLE_TO_DETERMINE = "unable_to_determine", "Unable to determine"
        NO_FINDING = "no_finding", "No finding"
        INFORMAL_RESOLUTION = "informal_resolution", "Resolved informally"
        UNABLE_TO_PROCEED = "unable_to_proceed", "Unable to proceed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        SIGNPOSTED = "signposted", "Signposted"

    group = models.CharField(max_length=20, choices=Group.choices)

    class Meta(Category.Meta):
        verbose_name = "finding"


class RemedyKind(Category):
    """A remedy or outcome: what the complainant seeks and what the council provides."""

    class Group(models.TextChoices):
        # Forms list the outcomes a complainant may seek under these headings.
        PUTTING_RIGHT = "putting_right", "Apology, explanation and putting the record right"
        CARE = "care", "The child's care, support and services"
        MONEY = "money", "Money"
        SERVICE = "service", "Learning and change in the service"
        OTHER = "other", "Other"

    requires_amount = models.BooleanField(default=False, help_text="A payment: record the amount.")
    group = models.CharField(max_length=15, choices=Group.choices, default=Group.OTHER)

    class Meta(Category.Meta):
        verbose_name = "remedy or outcome"
        verbose_name_plural = "remedies and outcomes"


class EscalationReason(Category):
    """The main reason a complainant gives for asking for the next stage."""

    class Meta(Category.Meta):
        verbose_name = "escalation reason"


class ResponseMethod(Category):
    """How the previous stage's response was given (in writing only, meeting, …)."""

    class Meta(Category.Meta):
        verbose_name = "response method"


class ExtensionReason(Category):
    class Meta(Category.Meta):
        verbose_name = "extension reason"


class WithdrawalReason(Category):
    class Meta(Category.Meta):
        verbose_name = "withdrawal reason"


class EligibilityGround(Category):
    """Who may complain under the Children Act 1989 s26(3)."""

    needs_sufficient_interest = models.BooleanField(
        default=False,
        help_text="Eligible only if the council decides they have sufficient interest.",
    )

    class Meta(Category.Meta):
        verbose_name = "eligibility ground"


class SufficientInterestTest(Category):
    """One question of the "sufficient interest" checklist."""

    class Meta(Category.Meta):
        verbose_name = "sufficient interest test"


class AdvocacyProvider(Category):
    class Meta(Category.Meta):
        verbose_name = "advocacy provider"


class Gender(Category):
    class Meta(Category.Meta):
        verbose_name = "gender"


class Ethnicity(Category):
    class Meta(Category.Meta):
        verbose_name = "ethnicity"
        verbose_name_plural = "ethnicities"


class Disability(Category):
    class Meta(Category.Meta):
        verbose_name = "disability"
        verbose_name_plural = "disability answers"


class SexualOrientation(Category):
    class Meta(Category.Meta):
        verbose_name = "sexual orientation"


class AgeBand(Category):
    class Meta(Category.Meta):
        verbose_name = "age band"


# Every list, by the key used in reference_data.yaml and the admin.
CATEGORY_MODELS: dict[str, type[Category]] = {
    "channel": Channel,
    "relationship": Relationship,
    "nature": Nature,
    "refusal_reason": RefusalReason,
    "finding": Finding,
    "remedy_kind": RemedyKind,
    "escalation_reason": EscalationReason,
    "response_method": ResponseMethod,
    "extension_reason": ExtensionReason,
    "withdrawal_reason": WithdrawalReason,
    "eligibility_ground": EligibilityGround,
    "sufficient_interest_test": SufficientInterestTest,
    "advocacy_provider": AdvocacyProvider,
    "gender": Gender,
    "ethnicity": Ethnicity,
    "disability": Disability,
    "sexual_orientation": SexualOrientation,
    "age_band": AgeBand,
}
