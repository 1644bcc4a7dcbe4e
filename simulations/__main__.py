"""``python -m simulations``: see ``simulations.cli``."""

import sys

from .cli import main

sys.exit(main())
