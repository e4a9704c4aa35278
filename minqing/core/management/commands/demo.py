from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext
from tqdm import tqdm

from minqing.core import context
from minqing.demo.generate import DEMO_ACCOUNTS, SCALES, DemoError, Timings, demo_password, generate


class Command(BaseCommand):
    help = "Load the demo (双牌县 at the chosen scale and a small 晋安区) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="village")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, scale, seed, quiet, **options):
        bar = None if quiet else tqdm(desc="demo", unit=" rows", file=self.stderr._out, mininterval=0.5)

        def progress(label, n):
            if bar is not None:
                bar.set_description(f"demo: {label}")
                bar.update(n)

        timings = Timings()
        with context.acting(channel="cli"):
            try:
                counts = generate(scale=scale, seed=seed, progress=progress, timings=timings)
            except DemoError as exc:
                raise CommandError(f"cannot load the demo: {exc}") from None
            finally:
                if bar is not None:
                    bar.close()
        if not quiet:
            for label, wall, cpu in timings.phases:
                self.stdout.write(
                    gettext("%(phase)s: %(wall).1f s (CPU %(cpu).1f s)")
                    % {"phase": gettext(label), "wall": wall, "cpu": cpu}
                )
        self.stdout.write(
            f"demo loaded ({scale}, seed {seed}): {counts.households} households, {counts.members} members, "
            f"{counts.cadres} cadres in {counts.units} units, {counts.regions} regions"
        )
        print_logins(self.stdout)


def print_logins(out) -> None:
    password, _ = demo_password()
    out.write("")
    out.write("Demo logins (one password for all of them): " + password)
    for username, what in DEMO_ACCOUNTS.items():
        out.write(f"  {username:<13} {what}")
    out.write("")
