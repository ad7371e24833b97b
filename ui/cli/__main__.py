"""``python -m ui.cli``: the ``lantai`` command line."""

import sys

from . import app

sys.exit(app())
