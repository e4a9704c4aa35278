from django.core.management.base import CommandError
from django.utils.translation import gettext, gettext_lazy
from tqdm import tqdm

from minqing.core import context
from minqing.core.cli import CliCommand
from minqing.demo.generate import DEMO_ACCOUNTS, SCALES, DemoError, Timings, demo_password, generate


class Command(CliCommand):
    help = gettext_lazy(
        "Load the demo (双牌县 at the chosen scale and a small 晋安区) into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="village")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--quiet", action="store_true", help=gettext_lazy("no progress bar"))

    def handle(self, *args, scale, seed, quiet, **options):
        bar = (
            None
            if quiet
            else tqdm(
                desc=gettext("demo"), unit=" " + gettext("rows"), file=self.stderr._out, mininterval=0.5
            )
        )

        def progress(label, n):
            if bar is not None:
                bar.set_description(gettext("demo: %(step)s") % {"step": gettext(label)})
                bar.update(n)

        timings = Timings()
        with context.acting(channel="cli"):
            try:
                counts = generate(scale=scale, seed=seed, progress=progress, timings=timings)
            except DemoError as exc:
                raise CommandError(gettext("Cannot load the demo: %(reason)s") % {"reason": exc}) from None
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
            gettext(
                "Demo loaded (%(scale)s, seed %(seed)s): %(households)s households, %(members)s members, "
                "%(cadres)s cadres in %(units)s units, %(regions)s regions"
            )
            % {
                "scale": scale,
                "seed": seed,
                "households": counts.households,
                "members": counts.members,
                "cadres": counts.cadres,
                "units": counts.units,
                "regions": counts.regions,
            }
        )
        print_logins(self.stdout)


def print_logins(out) -> None:
    password, _ = demo_password()
    out.write("")
    out.write(gettext("Demo logins (one password for all of them): %(password)s") % {"password": password})
    width = max(map(len, DEMO_ACCOUNTS)) + 1
    for username, what in DEMO_ACCOUNTS.items():
        out.write(f"  {username:<{width}} {gettext(what)}")
    out.write("")
