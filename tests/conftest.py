import os
from pathlib import Path

import pytest

# Pin Rich to a wide, plain, non-terminal console so CLI output is the same everywhere.
os.environ.setdefault("COLUMNS", "200")
os.environ.pop("FORCE_COLOR", None)

SHARED_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def shared_file(relative: str) -> Path:
    """A file of ../shared/data, or a clean skip when this checkout has none."""
    path = (SHARED_DATA / relative).resolve()
    if not path.is_file():
        pytest.skip(f"shared data {relative} is not present")
    return path
