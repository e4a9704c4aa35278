"""`minqing` and `python -m minqing`: Django's manage.py with Minqing's settings, speaking
Simplified Chinese, or English where MINQING_LANGUAGE or the locale says so (core.cli)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")
    from django.core.management import execute_from_command_line

    from minqing.core.cli import activate_cli_language

    activate_cli_language(os.environ)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
