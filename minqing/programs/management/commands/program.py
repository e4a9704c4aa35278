import json
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import context
from minqing.core.cli import CliCommand, file_error
from minqing.programs.schema import TemplateInvalid, parse_template, template_text
from minqing.programs.services import program_add, program_catalogue


class Command(CliCommand):
    help = gettext_lazy("Program templates: list, validate FILE, add FILE (a new program without code).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help=gettext_lazy("the programs a campaign can be started from"))
        listing.add_argument("--json", action="store_true")
        sub.add_parser("validate", help=gettext_lazy("check a template file")).add_argument("file")
        sub.add_parser("add", help=gettext_lazy("check and add a template file")).add_argument("file")

    def handle(self, *args, action, **options):
        if action == "list":
            rows = []
            for key, data in program_catalogue().items():
                rows.append(
                    {
                        "key": key,
                        "name": data["name"],
                        "seed": data.get("seed", ""),
                        "phases": len(data.get("phases", [])),
                        "rules": len(data.get("rules", [])),
                        "rule_types": sorted({r["type"] for r in data.get("rules", [])}),
                    }
                )
            if options["json"]:
                self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            else:
                for row in rows:
                    shape = _("%(phases)s phases, %(rules)s rules") % row
                    self.stdout.write(f"{row['key']:<12} {row['seed']:<4} {row['name']}  ({shape})")
            return
        try:
            raw = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise file_error(exc, options["file"], writing=False) from None
        try:
            # UTF-8 with or without its mark, or GBK as Chinese Windows saves it (schema.template_text).
            text = template_text(raw)
            if action == "validate":
                data = parse_template(text)
                self.stdout.write(
                    _("Valid: %(key)s (%(name)s), %(rules)s rules")
                    % {"key": data["key"], "name": data["name"], "rules": len(data["rules"])}
                )
            else:
                with context.acting(channel="cli"):
                    template = program_add(actor=None, text=text)
                self.stdout.write(
                    _("Added: %(key)s (%(name)s)") % {"key": template.key, "name": template.name}
                )
        except TemplateInvalid as exc:
            raise CommandError("\n" + "\n".join(str(e) for e in exc.errors)) from None
