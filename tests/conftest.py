"""pytest configuration: fixtures shared by several test modules belong here, and nothing else.

Shared helpers, strategies and base documents live in tests/support.py; test modules import them
from there (``from support import ...``), never from conftest or from each other.
"""

import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The README's docs command run once per session: (the finished process, the HTML folder).
    Warnings are errors, every reference must resolve, the gallery runs. Shared by
    tests/test_docs.py (the build and its offline scan) and tests/test_browser.py (the offline
    page in a real browser)."""
    out = tmp_path_factory.mktemp("site")
    html = out / "html"
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-b", "html"]
    build = subprocess.run(
        [*command, "-d", str(out / "doctrees"), str(DOCS), str(html)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    return build, html
