"""The benchmark package ``bench/`` lives beside ``etl/`` but is not installed: put the checkout on the path."""

from __future__ import annotations

import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
if str(CHECKOUT) not in sys.path:
    sys.path.insert(0, str(CHECKOUT))
