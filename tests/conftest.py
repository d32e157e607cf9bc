"""pytest configuration: fixtures shared by several test modules belong here, and nothing else.

Shared helpers, strategies and base documents live in tests/support.py; test modules import them
from there (``from support import ...``), never from conftest or from each other.
"""
