from django.core.management.base import BaseCommand

from accounts.roles import Role
from demo.council import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print the demo council's log-ins, one per role."

    def handle(self, *args, **options):
        self.stdout.write(f"\nDemo log-ins (password for all: {DEMO_PASSWORD})")
        for username, first, last, role, title in DEMO_USERS:
            self.stdout.write(f"  {username:<14} {Role(role).label:<22} {first} {last}, {title}")
        self.stdout.write("\nOpen http://127.0.0.1:8000 and sign in.\n")
