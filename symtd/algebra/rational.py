"""Exact rational numbers and tensors.

A :class:`RationalTensor` is an exact tensor stored as an integer numerator array
(``int64`` when every entry provably fits, Python ``int`` objects otherwise) over one
positive common denominator, kept in lowest terms: gcd(denominator, all numerators) = 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from symtd.errors import SymtdError, escape

INT64_LIMIT = 2**63 - 1
#: Digits of one exact number in a file (the checker uses the same limit).
MAX_DIGITS = 10_000

_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DIGITS = re.compile(r"[0-9]")
_LIMIT = 10**MAX_DIGITS  # an integer has at most MAX_DIGITS digits iff |n| < _LIMIT
_SHORT = 4000  # digits Python's str/int convert without its 4300-digit limit


def int_to_str(n: int) -> str:
    """Decimal text of an exact integer of any size (python-flint beyond Python's 4,300-digit
    conversion limit, which symtd leaves as it is)."""
    if n.bit_length() <= 3.32 * _SHORT:
        return str(n)
    from flint import fmpz

    return str(fmpz(n))


def short_int(n: int, digits: int = 40) -> str:
    """An integer for a message: its digits grouped by thousands, or its order of magnitude
    beyond about ``digits`` digits (a hostile number neither floods a message nor meets
    Python's 4,300-digit conversion limit).

    >>> from symtd.algebra.rational import short_int
    >>> short_int(-12), short_int(2**31), short_int(10**100), short_int(-(10**100))
    ('-12', '2,147,483,648', 'about 10^100', 'about -10^100')
    """
    n = int(n)
    if n.bit_length() <= 3.32 * digits:
        return f"{n:,}"
    exponent = int(abs(n).bit_length() * math.log10(2))  # log10 |n|, within 0.3
    return f"about {'-' if n < 0 else ''}10^{exponent:,}"


def str_to_int(text: str) -> int:
    """The integer of a decimal text ``[+-]?[0-9]+`` of any length (see :func:`int_to_str`)."""
    if not _INTEGER.match(text):
        raise SymtdError(f"{escape(text, 40)} is not a decimal integer")
    if len(text) <= _SHORT:
        return int(text)
    from flint import fmpz

    sign = -1 if text[0] == "-" else 1
    return sign * int(fmpz(text.lstrip("+-")))


def count_digits(text: str) -> int:
    """The decimal digits written in a number's text (signs, "/", "." and exponents' letters
    not counted): a number of at most :data:`MAX_DIGITS` digits is read."""
    return len(_DIGITS.findall(text))


_RATIO = re.compile(r"[+-]?[0-9]+/[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+)\Z")


def parse_rational(value: object, where: str = "number") -> Fraction:
    """Read a JSON integer or a string "-3", "+3", "-3/2", "0.25", ".5" as an exact Fraction.

    Exactly the numbers the certificate checker accepts: no spaces, ASCII digits, at most
    :data:`MAX_DIGITS` decimal digits in all (10,000 digits are read, 10,001 refused).

    Parameters
    ----------
    value : object
        A JSON integer or string.
    where : str, default "number"
        What the value is, for the error message.

    Returns
    -------
    fractions.Fraction
        The exact value.

    Raises
    ------
    SymtdError
        For floats, bools, malformed strings, zero denominators and too many digits.

    Examples
    --------
    >>> import symtd
    >>> symtd.parse_rational("-3/2"), symtd.parse_rational("0.25"), symtd.parse_rational(7)
    (Fraction(-3, 2), Fraction(1, 4), Fraction(7, 1))
    >>> symtd.parse_rational(0.1)  # a float is not exact: refused
    Traceback (most recent call last):
    ...
    symtd.errors.SymtdError: number: JSON float 0.1 is not exact; write an integer or a string ...
    """
    if isinstance(value, bool) or isinstance(value, float):
        kind = "boolean" if isinstance(value, bool) else "float"
        raise SymtdError(
            f"{where}: JSON {kind} {value!r} is not exact; write an integer "
            f'or a string such as "-3/2" or "0.25"'
        )
    if isinstance(value, int):
        if abs(value) >= _LIMIT:
            raise SymtdError(f"{where}: a number of more than {MAX_DIGITS:,} digits")
        return Fraction(value)
    if isinstance(value, str):
        text = value
        if len(text) > MAX_DIGITS + 2 or count_digits(text) > MAX_DIGITS:
            raise SymtdError(f"{where}: a number of more than {MAX_DIGITS:,} digits")
        if _INTEGER.match(text):
            return Fraction(str_to_int(text))
        if _DECIMAL.match(text):
            whole, _, fraction = text.partition(".")
            sign = -1 if whole.startswith("-") else 1
            digits = whole.lstrip("+-") + fraction
            return Fraction(sign * str_to_int(digits or "0"), 10 ** len(fraction))
        if _RATIO.match(text):
            numerator, denominator = text.split("/")
            if str_to_int(denominator) == 0:
                raise SymtdError(f"{where}: {escape(value, 40)} has a zero denominator")
            return Fraction(str_to_int(numerator), str_to_int(denominator))
    raise SymtdError(
        f"{where}: {escape(value)} is not an exact rational "
        f'(expected an integer or a string such as "-3/2" or "0.25")'
    )


def format_rational(value: int | Fraction) -> str:
    """Lowest-terms string of a rational: "2", "-3/2"."""
    value = Fraction(value)
    if value.denominator == 1:
        return int_to_str(value.numerator)
    return f"{int_to_str(value.numerator)}/{int_to_str(value.denominator)}"


def as_fraction(value: object) -> Fraction:
    """A Python or sympy rational number as a Fraction (refuses anything inexact or symbolic)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return Fraction(int(value))
    sympy_number: Any = value  # sympy is untyped: a sympy Rational says so by is_Rational
    if getattr(sympy_number, "is_Rational", False):
        return Fraction(int(sympy_number.p), int(sympy_number.q))
    raise SymtdError(f"{value!r} is not an exact rational number")


def clear_denominators(values: ArrayLike) -> tuple[np.ndarray, int]:
    """Integer array X and positive integer d with values == X / d (values: array of rationals)."""
    values = np.asarray(values, dtype=object)
    fractions = [as_fraction(v) for v in values.flat]
    d = math.lcm(*(f.denominator for f in fractions)) if fractions else 1
    return integer_array([f.numerator * (d // f.denominator) for f in fractions], values.shape), d


def integer_array(ints: Iterable[int], shape: int | tuple[int, ...]) -> np.ndarray:
    """Array of Python ints as int64 when all fit, else as an object array of exact ints."""
    ints = list(ints)
    big = any(abs(i) > INT64_LIMIT for i in ints)
    array = np.empty(len(ints), dtype=object if big else np.int64)
    array[:] = ints
    return array.reshape(shape)


def check_prime(p: object) -> None:
    """Refuse (SymtdError) a modulus that is not a prime below 2^64."""
    from flint import fmpz

    if (
        isinstance(p, bool)
        or not isinstance(p, int)
        or p < 2
        or p >= 2**64
        or not fmpz(p).is_prime()
    ):
        raise SymtdError(f"modulus {p!r} must be a prime below 2^64")


def max_abs(array: np.ndarray) -> int:
    """Exact ``max |entry|`` of an integer array (0 for an empty one) as a Python int."""
    if array.size == 0:
        return 0
    return int(max(abs(int(array.max())), abs(int(array.min()))))


class RationalTensor:
    """An exact tensor numerator / denominator, normalized to lowest terms.

    Parameters
    ----------
    numerator : array_like
        Integer entries (int64 or exact Python ints); stored read-only.
    denominator : int, default 1
        A non-zero int; a negative one moves its sign to the numerator.

    Raises
    ------
    SymtdError
        When the numerator is not an integer array or the denominator is zero.

    Examples
    --------
    >>> import symtd
    >>> T = symtd.RationalTensor([[1, 2], [3, 4]], 6)  # the entries over 6, in lowest terms
    >>> T
    RationalTensor(['1/6', '1/3', '1/2', '2/3'], shape=(2, 2))
    >>> T[1, 1], T.transpose((1, 0))[0, 1]
    (Fraction(2, 3), Fraction(1, 2))
    >>> symtd.RationalTensor([2, 4, 6], 2)  # a common factor leaves the denominator
    RationalTensor(['1', '2', '3'], shape=(3,))
    """

    __slots__ = ("numerator", "denominator")

    def __init__(self, numerator: ArrayLike, denominator: int = 1) -> None:
        numerator = np.asarray(numerator)
        if numerator.dtype != object and numerator.dtype.kind != "i":
            raise SymtdError(f"RationalTensor needs an integer numerator, not {numerator.dtype}")
        denominator = int(denominator)
        if denominator == 0:
            raise SymtdError("RationalTensor denominator is zero")
        if denominator < 0:
            numerator, denominator = -numerator, -denominator
        common = 1 if denominator == 1 else _gcd_all(numerator, denominator)
        if common == denominator:  # an integer tensor (all zero included)
            numerator = numerator // common if numerator.any() else numerator
            denominator = 1
        elif common > 1:
            numerator = numerator // common
            denominator //= common
        if numerator.dtype == object and max_abs(numerator) <= INT64_LIMIT:
            numerator = numerator.astype(np.int64)
        numerator.flags.writeable = False
        self.numerator = numerator
        self.denominator = denominator

    @classmethod
    def from_rationals(cls, values: ArrayLike) -> RationalTensor:
        """From any array-like of ints, Fractions or sympy Rationals."""
        numerator, denominator = clear_denominators(values)
        return cls(numerator, denominator)

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape, a tuple of ints."""
        return self.numerator.shape

    @property
    def ndim(self) -> int:
        """The order: the number of indices."""
        return self.numerator.ndim

    @property
    def size(self) -> int:
        """The number of entries."""
        return self.numerator.size

    def __getitem__(self, index: Any) -> RationalTensor | Fraction:  # any numpy index
        item = self.numerator[index]
        if isinstance(item, np.ndarray):
            return RationalTensor(item, self.denominator)
        return Fraction(int(item), self.denominator)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RationalTensor):
            return NotImplemented
        return (
            self.shape == other.shape
            and self.denominator == other.denominator
            and bool(np.all(self.numerator == other.numerator))
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        if self.size <= 16:
            return f"RationalTensor({self.to_strings()}, shape={self.shape})"
        return f"RationalTensor(shape={self.shape}, denominator={self.denominator})"

    def reshape(self, *shape: int | tuple[int, ...]) -> RationalTensor:
        """The same entries in another shape (row-major, as ``numpy.reshape``)."""
        return RationalTensor(self.numerator.reshape(*shape), self.denominator)

    def transpose(self, axes: Sequence[int]) -> RationalTensor:
        """The tensor with its indices permuted: axis k of the result is axis ``axes[k]``."""
        return RationalTensor(self.numerator.transpose(axes), self.denominator)

    def to_fractions(self) -> np.ndarray:
        """Object ndarray of Fractions."""
        d = self.denominator
        out = np.empty(self.shape, dtype=object)
        out.flat[:] = [Fraction(int(x), d) for x in self.numerator.flat]
        return out

    def to_strings(self) -> list[str]:
        """Flat row-major list of lowest-terms strings ("2", "-3/2")."""
        d = self.denominator
        flat = self.numerator.ravel()
        if d == 1:
            return [int_to_str(x) for x in flat.tolist()]
        if flat.dtype == object or d > INT64_LIMIT:
            common = [math.gcd(x, d) for x in flat.tolist()]
            pairs = zip([x // g for x, g in zip(flat.tolist(), common)], [d // g for g in common])
        else:
            common = np.gcd(flat, d)
            pairs = zip((flat // common).tolist(), (d // common).tolist())
        return [int_to_str(x) if q == 1 else f"{int_to_str(x)}/{int_to_str(q)}" for x, q in pairs]

    def to_sympy(self) -> Any:  # a sympy ImmutableDenseNDimArray (sympy is untyped)
        """sympy ImmutableDenseNDimArray of Rationals."""
        import sympy

        d = self.denominator
        flat = [sympy.Rational(x, d) for x in self.numerator.ravel().tolist()]
        return sympy.ImmutableDenseNDimArray(flat, self.shape)

    def to_float(self) -> np.ndarray:
        """float64 ndarray (inexact)."""
        if self.numerator.dtype == object:
            return np.array(
                [x / self.denominator for x in self.numerator.flat], dtype=float
            ).reshape(self.shape)
        return self.numerator / self.denominator


def _gcd_all(numerator: np.ndarray, denominator: int) -> int:
    if numerator.size == 0:
        return denominator
    if numerator.dtype == object:
        return math.gcd(denominator, *numerator.ravel().tolist())
    return math.gcd(denominator, int(np.gcd.reduce(numerator, axis=None)))
