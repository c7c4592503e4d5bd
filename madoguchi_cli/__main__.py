"""``python -m madoguchi_cli``: the same as the ``madoguchi`` command."""

import sys

from madoguchi_cli.cli import main

sys.exit(main())
