from django.core.management.base import BaseCommand

from complaints.reference_data import load_reference_data
from compliments.reference_data import load_reference_data as load_compliments_data
from ombudsman.reference_data import load_reference_data as load_ombudsman_data


class Command(BaseCommand):
    help = "Load the default categories and timescales; never overwrites admin changes."

    def handle(self, *args, **options):
        created = {**load_reference_data(), **load_ombudsman_data(), **load_compliments_data()}
        total = sum(created.values())
        self.stdout.write(
            f"Reference data: {total} new rows"
            + (
                " (" + ", ".join(f"{k} {v}" for k, v in created.items() if v) + ")"
                if total
                else ""
            )
        )
