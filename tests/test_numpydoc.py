"""The API reference has structure: every public function and class of symtd (``symtd.__all__``)
carries a numpydoc docstring (summary, Parameters, Returns, Raises, Examples) that numpydoc's own
validator accepts, judged where the object is defined (``obj.__module__``), as the docs build
does it (docs/conf.py: ``numpydoc_validation_checks``)."""

import inspect
import re

import pytest
from numpydoc.docscrape import NumpyDocString
from numpydoc.validate import ERROR_MSGS, validate

import symtd
from symtd.circuits.operators import Operator

# Every check of numpydoc's validator but these four:
#   ES01  extended summary: a one-line summary often says it all (get_operator, rank).
#   SA01  See Also: not required; the API index and the module docstrings link related names.
#   PR08, RT04  description starts with a capital letter: descriptions here often start with
#         the mathematics or a name ("r_0, ..., r_{L-1}: ...", "``shared``, ...", "rank_Q(A)").
# So a docstring fails on: no docstring (GL08); a summary missing, not one line, not capitalized
# or without its period (SS01-SS06); parameters undocumented, unknown, out of order, untyped or
# undescribed (PR01-PR07, PR09, PR10); no Returns (RT01) for a function that returns something,
# no Yields for a generator (YD01); no Examples (EX01); unknown or misordered sections (GL06,
# GL07); and layout slips (GL01-GL03, GL05, GL10, RT02, RT03, RT05). The Sphinx side uses the
# same set: numpydoc_validation_checks = {"all", "ES01", "SA01", "PR08", "RT04"}.
IGNORED = {"ES01", "SA01", "PR08", "RT04"}
CHECKS = set(ERROR_MSGS) - IGNORED


def _documented(name):
    """True for the public functions and classes; the other public names are data."""
    obj = getattr(symtd, name)
    return inspect.isfunction(obj) or inspect.isclass(obj)


NAMES = [n for n in symtd.__all__ if _documented(n)]


def _errors(obj, qualified):
    """numpydoc's complaints about one object, restricted to CHECKS, as "CODE message"."""
    report = validate(qualified)
    return [f"{code} {message}" for code, message in report["errors"] if code in CHECKS]


def test_every_public_name_is_validated_or_is_an_operator_constant():
    """The names left out of validation are the operator constants (PRODUCT, MAX, SUM, AVG),
    documented by their class Operator and a #: comment; nothing else slips past."""
    data = [n for n in symtd.__all__ if not _documented(n)]
    assert sorted(data) == ["AVG", "MAX", "PRODUCT", "SUM"]
    assert all(isinstance(getattr(symtd, n), Operator) for n in data)
    assert len(NAMES) == len(symtd.__all__) - 4


@pytest.mark.parametrize("name", NAMES)
def test_the_docstring_passes_numpydoc_validation(name):
    obj = getattr(symtd, name)
    assert _errors(obj, f"{obj.__module__}.{name}") == []


def _own_source(obj):
    """The code that runs on a call: the function, or a class's constructor methods (those
    written by hand; a dataclass's generated __init__ has no source)."""
    if inspect.isfunction(obj):
        return inspect.getsource(obj)
    methods = [vars(obj).get(m) for m in ("__init__", "__post_init__")]
    return "".join(
        inspect.getsource(m) for m in methods if m and m.__code__.co_filename.endswith(".py")
    )


@pytest.mark.parametrize("name", NAMES)
def test_a_refusal_is_documented_under_raises(name):
    """A function (or constructor) that refuses input itself says so in its Raises section."""
    obj = getattr(symtd, name)
    raises = {p.type for p in NumpyDocString(inspect.getdoc(obj))["Raises"]}
    if re.search(r"raise SymtdError\b", _own_source(obj)):
        assert "SymtdError" in raises, name
    assert raises <= {"SymtdError"}, name  # the one exception type symtd raises on bad input


@pytest.mark.parametrize("name", NAMES)
def test_the_examples_section_is_a_doctest(name):
    """Examples are doctest sessions (test_docs.py runs them), not prose."""
    examples = NumpyDocString(inspect.getdoc(getattr(symtd, name)))["Examples"]
    assert any(line.startswith(">>> ") for line in examples), name


def _bare(x: int, flag: bool = False) -> int:
    """add one"""
    return x + 1


def _complete(x: int, flag: bool = False) -> int:
    """Add one to x.

    Parameters
    ----------
    x : int
        The number.
    flag : bool, default False
        Unused.

    Returns
    -------
    int
        x + 1.

    Examples
    --------
    >>> _complete(1)
    2
    """
    return x + 1


def test_the_validation_can_fail():
    """The checks catch a bare docstring (each complaint by its code) and pass a complete one."""
    codes = {e.split()[0] for e in _errors(_bare, f"{__name__}._bare")}
    assert {"SS02", "SS03", "PR01", "RT01", "EX01"} <= codes
    assert _errors(_complete, f"{__name__}._complete") == []
