"""Compliance tests: make the shared builders importable under pytest's importlib import mode."""

from __future__ import annotations

import sys
from pathlib import Path

# importlib mode does not put test folders on sys.path; the builders module is named to avoid clashes.
sys.path.insert(0, str(Path(__file__).parent))
