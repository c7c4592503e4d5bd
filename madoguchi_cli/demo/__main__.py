"""``python -m madoguchi_cli.demo``."""

import sys

from madoguchi_cli.demo.run import main

sys.exit(main())
