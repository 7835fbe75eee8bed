#!/usr/bin/env python
"""Django's management commands; `beststart` (see src/beststart/cli.py) is the same with
the demo commands on top."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beststart.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
