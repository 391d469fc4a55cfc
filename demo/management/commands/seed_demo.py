import time

from django.core.management.base import BaseCommand

from complaints.signals import history_imported
from config.reference_data import load_all_reference_data
from demo.council import seed_demo, seed_learning, seed_ombudsman_and_compliments


class Command(BaseCommand):
    help = (
        "Create the fictional demo council: staff with a log-in per role, service areas, teams "
        "and five financial years of cases. Idempotent: it tops cases up to the target."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cases",
            type=int,
            default=None,
            help="Total number of cases wanted (default: about 400 a year, as the seeds report).",
        )
        parser.add_argument("--seed", type=int, default=2024, help="Random seed.")

    def handle(self, *args, cases, seed, **options):
        if cases is not None and cases < 0:
            self.stderr.write("--cases must be 0 or more.")
            raise SystemExit(2)
        load_all_reference_data()
        started = time.monotonic()

        def progress(done, wanted):
            self.stdout.write(
                f"  {done:,} of {wanted:,} cases ({time.monotonic() - started:.0f} s)"
            )

        added = seed_demo(cases=cases, seed=seed, progress=progress)
        forms = seed_learning(seed=seed)
        seed_ombudsman_and_compliments(seed=seed)
        history_imported.send(sender=self.__class__)  # forms and compliments: in bulk, unsignalled
        self.stdout.write(
            f"Demo council ready: {added:,} cases and {forms:,} lessons-learnt forms added in "
            f"{time.monotonic() - started:.1f} s."
        )
