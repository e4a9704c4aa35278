from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import context
from minqing.core.cli import CliCommand, write_bytes
from minqing.figures import documents
from minqing.org.models import Account

from ._viewer import add_selection_arguments, selection_from


class Command(CliCommand):
    help = gettext_lazy(
        "A periodic document of a campaign as Word or PDF: weekly feedback, monthly roll-up, quarterly "
        "bulletin, annual summary or briefing (charts drawn without a screen)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(documents.KINDS))
        add_selection_arguments(parser)
        parser.add_argument("--format", choices=documents.FORMATS, default="docx", dest="fmt")
        parser.add_argument("-o", "--output", required=True, help=gettext_lazy("the file to write"))

    def handle(self, *args, kind, fmt, output, **options):
        today = timezone.localdate()
        viewer, sel = selection_from(options, today=today, default_period=documents.DEFAULT_PERIOD[kind])
        # The document names cadres (the ten most active): generating it is recorded, as the page's.
        account = viewer if isinstance(viewer, Account) else None
        with context.acting(channel="cli", user=account):
            content, _name, _type = documents.generate(user=viewer, sel=sel, kind=kind, fmt=fmt)
        write_bytes(output, content)
        self.stdout.write(
            _("%(file)s (%(bytes)s bytes): %(kind)s, %(period)s")
            % {
                "file": output,
                "bytes": f"{len(content):,}",
                "kind": documents.KINDS[kind],
                "period": sel.period.label,
            }
        )
