"""The .ci scripts are plain files, not a package: make them importable by name here."""

from __future__ import annotations

import sys
from pathlib import Path

CI_DIR = Path(__file__).resolve().parent.parent
if str(CI_DIR) not in sys.path:
    sys.path.insert(0, str(CI_DIR))
