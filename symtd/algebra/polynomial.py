"""Polynomials on FLINT: product circuits expanded in python-flint's ``fmpq_mpoly``.

The grid entries of a product circuit are polynomials in its weights. symtd expands them
in FLINT (multivariate polynomials over Q in C), with one variable order fixed by the
circuit: its weight symbols sorted by name (the order of
:meth:`~symtd.circuits.circuit.Circuit.random_point`).
SymPy stays the interface: :class:`PolynomialTensor` entries become ``sympy.Expr`` when
they are read, :class:`Polynomial` wraps one entry (its FLINT polynomial, its sympy
expression on demand, LaTeX printed from the polynomial itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from symtd.algebra.rational import int_to_str
from symtd.errors import SymtdError

# python-flint and sympy objects are typed Any: both libraries are imported only when first
# used (``import symtd`` loads neither), and sympy ships no type information.
FlintPolynomial = Any  # a FLINT fmpq_mpoly
SympyExpr = Any  # a sympy expression


class Ring:
    """The polynomial ring Q[w_1, ..., w_n] of a circuit's weight symbols (sorted by name)."""

    def __init__(self, names: Iterable[str]) -> None:
        from flint import fmpq_mpoly_ctx

        self.names = tuple(names)
        self.ctx = fmpq_mpoly_ctx.get(self.names or ("_",), "deglex")
        self.gens = dict(zip(self.names, self.ctx.gens()))
        self._symbols: tuple[SympyExpr, ...] | None = None
        self._sympy_ring: Any = None  # a sympy PolyRing, made on first use

    @property
    def symbols(self) -> tuple[SympyExpr, ...]:
        """The sympy Symbols of the variables (real, as in circuits), made on first use."""
        if self._symbols is None:
            import sympy

            self._symbols = tuple(sympy.Symbol(n, real=True) for n in self.names)
        return self._symbols

    def constant(self, x: int | Fraction | str) -> FlintPolynomial:
        """The constant polynomial x (a Fraction, int or exact number string) of the ring."""
        from flint import fmpq

        x = Fraction(x)
        return self.ctx.constant(fmpq(x.numerator, x.denominator))

    def element(self, x: Fraction | SympyExpr) -> FlintPolynomial:
        """A Fraction, a sympy polynomial expression or a symbol as a ring element."""
        if isinstance(x, Fraction):
            return self.constant(x)
        if x.is_Symbol and x.name in self.gens:
            return self.gens[x.name]
        import sympy

        symbols = sorted(x.free_symbols, key=str)
        if not x.is_polynomial(*symbols) or any(s.name not in self.gens for s in symbols):
            raise SymtdError(f"{x} is not a polynomial in the ring's symbols")
        if x.is_Rational:
            return self.constant(Fraction(int(x.p), int(x.q)))
        poly = sympy.Poly(x, *symbols, domain="QQ")
        total = self.constant(0)
        for monomial, c in poly.terms():
            term = self.constant(Fraction(int(c.numerator), int(c.denominator)))
            for symbol, e in zip(symbols, monomial):
                if e:
                    term *= self.gens[symbol.name] ** e
            total += term
        return total

    def array(self, values: ArrayLike) -> np.ndarray:
        """An object array of ring elements from an array of Fractions / sympy expressions."""
        values = np.asarray(values, dtype=object)
        return objects([self.element(x) for x in values.flat], values.shape)

    def to_sympy(self, p: FlintPolynomial) -> SympyExpr:
        """A ring element as a sympy expression (through sympy's sparse polynomial ring, which
        builds the canonical expression without re-sorting every product)."""
        from sympy import QQ

        if self._sympy_ring is None:
            from sympy.polys.rings import ring

            self._sympy_ring = ring(self.symbols, QQ)[0]
        R = self._sympy_ring
        return R.from_dict(
            {m: QQ(int(c.p), int(c.q)) for m, c in zip(p.monoms(), p.coeffs())}
        ).as_expr()


def objects(items: Sequence[object], shape: int | tuple[int, ...]) -> np.ndarray:
    """An object array holding these items as they are (numpy would unpack a FLINT polynomial,
    which has a length, if the list were converted in one go)."""
    out = np.empty(len(items), dtype=object)
    for k, item in enumerate(items):
        out[k] = item
    return out.reshape(shape)


class Polynomial:
    """One polynomial grid entry: ``flint`` (the fmpq_mpoly), ``nterms``, ``to_sympy()``.

    Attributes of sympy expressions (``xreplace``, ``subs``, ``free_symbols``, ...) are
    those of ``to_sympy()``, made on first use; LaTeX comes from the polynomial itself.
    """

    def __init__(self, poly: FlintPolynomial, ring: Ring) -> None:
        self.flint, self.ring, self._expr = poly, ring, None

    @property
    def nterms(self) -> int:
        """The number of non-zero terms (monomials with their coefficients)."""
        return len(self.flint)

    def to_sympy(self) -> SympyExpr:
        """The polynomial as a sympy expression in real Symbols, made once (``as_expr()`` is the
        same)."""
        if self._expr is None:
            self._expr = self.ring.to_sympy(self.flint)
        return self._expr

    as_expr = to_sympy

    def __getattr__(self, name: str) -> Any:  # whatever the sympy expression has
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.to_sympy(), name)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Polynomial):
            return self.ring.names == other.ring.names and self.flint == other.flint
        return self.to_sympy() == other

    __hash__ = None  # type: ignore[assignment]  # compared by value, never hashed

    def __repr__(self) -> str:
        return f"Polynomial({self.nterms} terms)"

    def __str__(self) -> str:
        return str(self.flint)

    def latex(self, max_terms: int = 200) -> str:
        """LaTeX straight from the polynomial; beyond max_terms, the first terms, \\cdots and
        the number of terms (a size notice instead of megabytes of LaTeX)."""
        return polynomial_latex(self.flint, self.ring.names, max_terms)

    def _latex(self, printer: object = None) -> str:
        return self.latex()


def polynomial_latex(p: FlintPolynomial, names: Sequence[str], max_terms: int = 200) -> str:
    """LaTeX of a FLINT polynomial whose variable names are LaTeX (symtd's symbol names)."""
    terms = list(zip(p.monoms(), p.coeffs()))
    if not terms:
        return "0"
    shown = terms if len(terms) <= max_terms else terms[: min(20, max_terms)]
    out = []
    for k, (monomial, c) in enumerate(shown):
        c = Fraction(int(c.p), int(c.q))
        factors = " ".join(
            name if e == 1 else f"{{{name}}}^{{{e}}}" for name, e in zip(names, monomial) if e
        )
        magnitude = abs(c)
        text = "" if magnitude == 1 and factors else _rational_latex(magnitude)
        body = f"{text} {factors}".strip()
        sign = "-" if c < 0 else ("+" if k else "")
        out.append(f"{sign} {body}".strip())
    text = " ".join(out)
    if len(shown) < len(terms):
        text += rf" + \cdots \quad \text{{({len(terms):,} terms; the first {len(shown)} shown)}}"
    return text


def _rational_latex(x: Fraction) -> str:
    if x.denominator == 1:
        return int_to_str(x.numerator)
    return rf"\frac{{{int_to_str(x.numerator)}}}{{{int_to_str(x.denominator)}}}"


class PolynomialTensor:
    """A symbolic grid tensor of a product circuit with FLINT polynomial entries.

    Indexing with integers gives a ``sympy.Expr`` (made on access); ``poly(index)`` the
    FLINT polynomial; ``entry(index)`` a :class:`Polynomial`; ``to_sympy()`` the whole
    ``ImmutableDenseNDimArray``. Matricizing gives a PolynomialTensor of order 2, which
    :func:`symtd.algebra.rank.symbolic_rank` takes without going through sympy.
    """

    def __init__(self, polys: ArrayLike, ring: Ring) -> None:
        self.polys, self.ring = np.asarray(polys, dtype=object), ring
        self._exprs: dict[Any, SympyExpr] = {}

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape, a tuple (``(M,) * N`` for a grid tensor)."""
        return self.polys.shape

    @property
    def ndim(self) -> int:
        """The order: the number of indices."""
        return self.polys.ndim

    @property
    def size(self) -> int:
        """The number of entries."""
        return self.polys.size

    def poly(self, index: int | Sequence[int]) -> FlintPolynomial:
        """The FLINT polynomial (``fmpq_mpoly``) at a full index."""
        return self.polys[tuple(index) if not isinstance(index, int) else index]

    def entry(self, index: int | Sequence[int]) -> Polynomial:
        """The entry at a full index as a :class:`Polynomial`."""
        return Polynomial(self.poly(index), self.ring)

    def __getitem__(self, index: Any) -> PolynomialTensor | SympyExpr:  # any numpy index
        value = self.polys[index]
        if isinstance(value, np.ndarray):
            return PolynomialTensor(value, self.ring)
        key = tuple(np.atleast_1d(index).tolist()) if not isinstance(index, tuple) else index
        if key not in self._exprs:
            self._exprs[key] = self.ring.to_sympy(value)
        return self._exprs[key]

    def reshape(self, *shape: int | tuple[int, ...]) -> PolynomialTensor:
        """The same entries in another shape (row-major, as ``numpy.reshape``)."""
        return PolynomialTensor(self.polys.reshape(*shape), self.ring)

    def transpose(self, axes: Sequence[int]) -> PolynomialTensor:
        """The tensor with its indices permuted: axis k of the result is axis ``axes[k]``."""
        return PolynomialTensor(self.polys.transpose(axes), self.ring)

    def tolist(self) -> list[Any]:  # nested lists of sympy expressions
        """Nested lists of sympy expressions."""
        return np.vectorize(self.ring.to_sympy, otypes=[object])(self.polys).tolist()

    def to_sympy(self) -> SympyExpr:
        """The tensor as a sympy ImmutableDenseNDimArray (a Matrix for order 2)."""
        import sympy

        flat = [self.ring.to_sympy(p) for p in self.polys.flat]
        if self.ndim == 2:
            return sympy.ImmutableMatrix(self.shape[0], self.shape[1], flat)
        return sympy.ImmutableDenseNDimArray(flat, self.shape)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PolynomialTensor):
            return (
                self.shape == other.shape
                and self.ring.names == other.ring.names
                and all(a == b for a, b in zip(self.polys.flat, other.polys.flat))
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # compared by value, never hashed

    def __repr__(self) -> str:
        return f"PolynomialTensor(shape={self.shape}, {len(self.ring.names)} variables)"
