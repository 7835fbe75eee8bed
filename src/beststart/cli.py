"""The `beststart` console command.

beststart demo [--seed N] [--families N] [--port P]   build the demo county and serve it
beststart seed [--people N] [--seed N]                build a county of N people
beststart serve [--port P] [--host H]                 serve with waitress
beststart <any Django management command>             migrate, check, createsuperuser, ...
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beststart.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["beststart", *argv])
    if len(args) == 1:
        args.append("help")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
