"""``python -m madoguchi``: the same as the ``madoguchi`` command."""

import sys

from madoguchi.cli import main

sys.exit(main())
