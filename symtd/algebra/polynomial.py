"""Polynomials on FLINT: product circuits expanded in python-flint's ``fmpq_mpoly``.

The grid entries of a product circuit are polynomials in its weights. symtd expands them
in FLINT (multivariate polynomials over Q in C), with one variable order fixed by the
circuit: its weight symbols sorted by name (the order of
:meth:`~symtd.circuit.Circuit.random_point`).
SymPy stays the interface: :class:`PolynomialTensor` entries become ``sympy.Expr`` when
they are read, :class:`Polynomial` wraps one entry (its FLINT polynomial, its sympy
expression on demand, LaTeX printed from the polynomial itself).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from symtd.errors import SymtdError


class Ring:
    """The polynomial ring Q[w_1, ..., w_n] of a circuit's weight symbols (sorted by name)."""

    def __init__(self, names):
        from flint import fmpq_mpoly_ctx

        self.names = tuple(names)
        self.ctx = fmpq_mpoly_ctx.get(self.names or ("_",), "deglex")
        self.gens = dict(zip(self.names, self.ctx.gens()))
        self._symbols = self._sympy_ring = None

    @property
    def symbols(self):
        """The sympy Symbols of the variables (real, as in circuits), made on first use."""
        if self._symbols is None:
            import sympy

            self._symbols = tuple(sympy.Symbol(n, real=True) for n in self.names)
        return self._symbols

    def constant(self, x):
        """The constant polynomial x (a Fraction, int or exact number string) of the ring."""
        from flint import fmpq

        x = Fraction(x)
        return self.ctx.constant(fmpq(x.numerator, x.denominator))

    def element(self, x):
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

    def array(self, values):
        """An object array of ring elements from an array of Fractions / sympy expressions."""
        values = np.asarray(values, dtype=object)
        return objects([self.element(x) for x in values.flat], values.shape)

    def to_sympy(self, p):
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


def objects(items, shape):
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

    def __init__(self, poly, ring):
        self.flint, self.ring, self._expr = poly, ring, None

    @property
    def nterms(self):
        """The number of non-zero terms (monomials with their coefficients)."""
        return len(self.flint)

    def to_sympy(self):
        """The polynomial as a sympy expression in real Symbols, made once (``as_expr()`` is the
        same)."""
        if self._expr is None:
            self._expr = self.ring.to_sympy(self.flint)
        return self._expr

    as_expr = to_sympy

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.to_sympy(), name)

    def __eq__(self, other):
        if isinstance(other, Polynomial):
            return self.ring.names == other.ring.names and self.flint == other.flint
        return self.to_sympy() == other

    __hash__ = None  # type: ignore[assignment]  # compared by value, never hashed

    def __repr__(self):
        return f"Polynomial({self.nterms} terms)"

    def __str__(self):
        return str(self.flint)

    def latex(self, max_terms=200):
        """LaTeX straight from the polynomial; beyond max_terms, the first terms, \\cdots and
        the number of terms (a size notice instead of megabytes of LaTeX)."""
        return polynomial_latex(self.flint, self.ring.names, max_terms)

    def _latex(self, printer=None):
        return self.latex()


def polynomial_latex(p, names, max_terms=200):
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


def _rational_latex(x):
    return str(x.numerator) if x.denominator == 1 else rf"\frac{{{x.numerator}}}{{{x.denominator}}}"


class PolynomialTensor:
    """A symbolic grid tensor of a product circuit with FLINT polynomial entries.

    Indexing with integers gives a ``sympy.Expr`` (made on access); ``poly(index)`` the
    FLINT polynomial; ``entry(index)`` a :class:`Polynomial`; ``to_sympy()`` the whole
    ``ImmutableDenseNDimArray``. Matricizing gives a PolynomialTensor of order 2, which
    :func:`symtd.rank.symbolic_rank` takes without going through sympy.
    """

    def __init__(self, polys, ring):
        self.polys, self.ring = np.asarray(polys, dtype=object), ring
        self._exprs = {}

    shape = property(
        lambda self: self.polys.shape, doc="The shape, a tuple (``(M,) * N`` for a grid tensor)."
    )
    ndim = property(lambda self: self.polys.ndim, doc="The order: the number of indices.")
    size = property(lambda self: self.polys.size, doc="The number of entries.")

    def poly(self, index):
        """The FLINT polynomial (``fmpq_mpoly``) at a full index."""
        return self.polys[tuple(index) if not isinstance(index, int) else index]

    def entry(self, index):
        """The entry at a full index as a :class:`Polynomial`."""
        return Polynomial(self.poly(index), self.ring)

    def __getitem__(self, index):
        value = self.polys[index]
        if isinstance(value, np.ndarray):
            return PolynomialTensor(value, self.ring)
        key = tuple(np.atleast_1d(index).tolist()) if not isinstance(index, tuple) else index
        if key not in self._exprs:
            self._exprs[key] = self.ring.to_sympy(value)
        return self._exprs[key]

    def reshape(self, *shape):
        """The same entries in another shape (row-major, as ``numpy.reshape``)."""
        return PolynomialTensor(self.polys.reshape(*shape), self.ring)

    def transpose(self, axes):
        """The tensor with its indices permuted: axis k of the result is axis ``axes[k]``."""
        return PolynomialTensor(self.polys.transpose(axes), self.ring)

    def tolist(self):
        """Nested lists of sympy expressions."""
        return np.vectorize(self.ring.to_sympy, otypes=[object])(self.polys).tolist()

    def to_sympy(self):
        """The tensor as a sympy ImmutableDenseNDimArray (a Matrix for order 2)."""
        import sympy

        flat = [self.ring.to_sympy(p) for p in self.polys.flat]
        if self.ndim == 2:
            return sympy.ImmutableMatrix(self.shape[0], self.shape[1], flat)
        return sympy.ImmutableDenseNDimArray(flat, self.shape)

    def __eq__(self, other):
        if isinstance(other, PolynomialTensor):
            return (
                self.shape == other.shape
                and self.ring.names == other.ring.names
                and all(a == b for a, b in zip(self.polys.flat, other.polys.flat))
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # compared by value, never hashed

    def __repr__(self):
        return f"PolynomialTensor(shape={self.shape}, {len(self.ring.names)} variables)"
