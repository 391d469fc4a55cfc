"""How an edition of the annual report, or the dashboard, counts: the two bases the seed
councils publish on, and what "% on time" is a share of. reporting.statistics does the counting."""

from dataclasses import dataclass

from django.db.models import TextChoices


class Basis(TextChoices):
    """Which cases an edition's stage figures describe (the seed councils publish both)."""

    COMPLETIONS = "completions", "Each stage's responses issued in the year"
    INTAKE = "intake", "The complaints received in the year, each with the outcome it had"


class OnTimeBase(TextChoices):
    """What "% on time" is a share of."""

    RESPONDED = "responded", "the responses issued"
    RESPONDED_OR_WITHDRAWN = "responded_or_withdrawn", "the responses issued and those withdrawn"


@dataclass(frozen=True)
class Counting:
    """How an edition, or the dashboard, counts: its basis and the base of "% on time"."""

    basis: str = Basis.COMPLETIONS
    on_time_base: str = OnTimeBase.RESPONDED

    def describe(self) -> str:
        if self.basis == Basis.INTAKE:
            text = (
                "Stage figures describe the complaints received in the year, each with the "
                "outcome it had when the figures were counted, whenever it was answered."
            )
        else:
            text = (
                "Stage figures count each stage's responses issued in the year, whenever the "
                "complaint was received; ongoing means not answered by the year's last day."
            )
        return f"{text} “% on time” is a share of {OnTimeBase(self.on_time_base).label}."


# How the demo council, and any edition not told otherwise, counts.
DEFAULT = Counting()
