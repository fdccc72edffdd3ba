"""``python -m cli ARGS``: the same as ``decision-support ARGS`` (``serve`` starts its
job workers this way, so they run on the same interpreter)."""

import sys

from cli.main import main

sys.exit(main())
