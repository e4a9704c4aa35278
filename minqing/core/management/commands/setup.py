from django.core.management import call_command
from django.utils.translation import gettext_lazy

from minqing.core.cli import CliCommand
from minqing.demo.generate import database_is_empty

from .demo import print_logins


class Command(CliCommand):
    help = gettext_lazy(
        "Migrate the database and load the demo if it is empty (what `make run` does before serving)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", default="township")
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args, scale, no_demo, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if database_is_empty() and not no_demo:
            call_command("demo", scale=scale, stdout=self.stdout, stderr=self.stderr)
        elif not no_demo:
            print_logins(self.stdout)
