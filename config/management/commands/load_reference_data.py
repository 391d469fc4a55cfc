from django.core.management.base import BaseCommand

from config.reference_data import load_all_reference_data


class Command(BaseCommand):
    help = "Load the default categories and timescales; never overwrites admin changes."

    def handle(self, *args, **options):
        created = load_all_reference_data()
        total = sum(created.values())
        self.stdout.write(
            f"Reference data: {total} new rows"
            + (
                " (" + ", ".join(f"{k} {v}" for k, v in created.items() if v) + ")"
                if total
                else ""
            )
        )
