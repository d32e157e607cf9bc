"""The trainable network: representation, 1×1 convolutions, activation-pooling, one output.

A :class:`PoolingNetwork` over N positions computes, for an input whose position j carries
the representation vector u_j in R^M,

    v^(0)_j = u_j,
    v^(l+1)_t = 2^(-k_l) · ρ(σ(W^l_i v^(l)_i) : i in window t),     l = 0..L-1,
    y = out · v^(L)_0,

the circuit of :func:`~symtd.circuits.builders.deep` (windows {2t, 2t+1}, L = log2 N
levels) or of :func:`~symtd.circuits.builders.shallow` (one window of all N positions,
width Z), with ρ, σ the operator's pooling and activation (product: σ = identity; max, avg,
sum: σ = ReLU). W^l is one matrix per level (``shared``, a 1×1 convolution) or one per
item (the theory's default).

The representation u_j is the one-hot vector e_d of a template index d (input: a long
tensor (B, N)), or f(x_j) = ReLU(A x_j + b) of a patch x_j in R^s (input: a float tensor
(B, s, N), ``patch_dim=s``; M channels, one per template; b starts at 0.1 so that a blank
patch does not make u_j = 0, which would zero every product above it).

**Numerical stability.** A product of many pooled values overflows or vanishes in float32.
Each level's pooled output is therefore multiplied by a power of two 2^(-k_l) (the buffer
``shifts``, set by :meth:`PoolingNetwork.calibrate` so that its RMS on the data is about 1).
Multiplying by a power of two is exact in floating point (barring under/overflow), and
every operator here is linear in the next block, so the export folds 2^(-k_l) into the
next block's weights as the exact rational it is: the exported circuit computes *exactly*
the function of the float32 weights as the model's real-arithmetic forward pass defines it
(:func:`symtd.learn.export.to_circuit`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from symtd.errors import SymtdError

OPERATORS = ("product", "max", "avg", "sum")
GEOMETRIES = ("deep", "shallow")


def pick_device(device: str | None = None) -> torch.device:
    """The given device, else CUDA when present, else the CPU."""
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class PoolingNetwork(torch.nn.Module):
    """A deep (binary tree) or shallow (global pooling) network, trainable.

    Parameters
    ----------
    N : int
        Positions (a power of two for ``geometry="deep"``).
    M : int
        Representation channels = templates (the grid tensor has shape (M,) * N).
    widths : int or sequence of int
        r_0..r_{L-1} (deep; an int repeats) or [Z] (shallow).
    operator : str
        "product" (ConvAC), "max" or "avg" (ReLU networks), "sum".
    geometry : str
        "deep" or "shallow".
    shared : bool
        One 1×1 convolution per level (True) or one block per item (False).
    patch_dim : int or None
        s for patch inputs (B, s, N) through ReLU(A x + b); None for template indices.
    seed : int
        Seed of the initial weights.

    Examples
    --------
    >>> import torch
    >>> from symtd.learn.models import PoolingNetwork
    >>> net = PoolingNetwork(8, 2, 3, "product")
    >>> [tuple(w.shape) for w in net.blocks], tuple(net.output.shape)
    ([(3, 2), (3, 3), (3, 3)], (3,))
    >>> net(torch.zeros(5, 8, dtype=torch.long)).shape  # template indices in, one output
    torch.Size([5])
    """

    shifts: torch.Tensor

    def __init__(
        self,
        N: int,
        M: int,
        widths: int | Sequence[int],
        operator: str = "product",
        geometry: str = "deep",
        *,
        shared: bool = True,
        patch_dim: int | None = None,
        seed: int = 0,
    ) -> None:
        super().__init__()
        if operator not in OPERATORS:
            raise SymtdError(f"unknown operator {operator!r}; expected one of {OPERATORS}")
        if geometry not in GEOMETRIES:
            raise SymtdError(f"unknown geometry {geometry!r}; expected one of {GEOMETRIES}")
        if geometry == "deep" and (N < 2 or N & (N - 1)):
            raise SymtdError(f"a deep network needs N = 2^L >= 2, got N={N}")
        if geometry == "shallow" and N < 2:
            raise SymtdError("a network needs N >= 2 positions")
        self.N, self.M, self.operator, self.geometry = N, M, operator, geometry
        self.shared, self.patch_dim = shared, patch_dim
        self.window = 2 if geometry == "deep" else N
        L = int(math.log2(N)) if geometry == "deep" else 1
        per_level = [int(widths)] * L if isinstance(widths, int) else [int(r) for r in widths]
        if len(per_level) != L or min(per_level) < 1:
            raise SymtdError(f"need {L} positive widths for this network, got {widths!r}")
        self.widths = tuple(per_level)
        self.items = tuple(N // self.window**level for level in range(L))  # inputs per level
        generator = torch.Generator().manual_seed(seed)

        def normal(*shape: int, fan_in: int) -> torch.nn.Parameter:
            data = torch.randn(*shape, generator=generator) / math.sqrt(fan_in)
            return torch.nn.Parameter(data)

        if patch_dim is not None:
            self.rep_weight = normal(M, patch_dim, fan_in=patch_dim)
            self.rep_bias = torch.nn.Parameter(torch.full((M,), 0.1))  # blank patch: u = b != 0
        blocks = []
        for level, (r, n) in enumerate(zip(self.widths, self.items)):
            q = M if level == 0 else self.widths[level - 1]
            blocks.append(normal(r, q, fan_in=q) if shared else normal(n, r, q, fan_in=q))
        self.blocks = torch.nn.ParameterList(blocks)
        self.output = normal(self.widths[-1], fan_in=self.widths[-1])
        self.register_buffer("shifts", torch.zeros(L, dtype=torch.long))

    @property
    def L(self) -> int:
        """The number of pooling levels."""
        return len(self.widths)

    def representation(self, x: torch.Tensor) -> torch.Tensor:
        """u_j per position: (B, M, N), one-hot of indices or ReLU(A x_j + b) of patches."""
        dtype = self.output.dtype
        if self.patch_dim is None:
            if x.dtype != torch.long or x.shape[1:] != (self.N,):
                raise SymtdError(f"expected template indices of shape (B, {self.N})")
            return torch.nn.functional.one_hot(x, self.M).to(dtype).transpose(1, 2)
        if x.shape[1:] != (self.patch_dim, self.N):
            raise SymtdError(f"expected patches of shape (B, {self.patch_dim}, {self.N})")
        z = torch.einsum("ms,bsn->bmn", self.rep_weight, x.to(dtype))
        return torch.relu(z + self.rep_bias[None, :, None])

    def pool(self, z: torch.Tensor) -> torch.Tensor:
        """σ then ρ over windows of ``window`` consecutive items: (B, r, n) -> (B, r, n/k)."""
        B, r, n = z.shape
        if self.operator != "product":
            z = torch.relu(z)
        z = z.reshape(B, r, n // self.window, self.window)
        if self.operator == "product":
            return z.prod(dim=-1)
        if self.operator == "max":
            return z.amax(dim=-1)
        if self.operator == "avg":
            return z.mean(dim=-1)
        return z.sum(dim=-1)

    def levels(self, x: torch.Tensor, calibrate: bool = False) -> torch.Tensor:
        """The root value v^(L) (B, r_{L-1}, 1); with ``calibrate`` the shifts are set on the
        way so that each level's scaled output has RMS in [2^-0.5, 2^0.5)."""
        v = self.representation(x)
        for level, W in enumerate(self.blocks):
            z = torch.einsum("rq,bqn->brn" if self.shared else "nrq,bqn->brn", W, v)
            pooled = self.pool(z)
            if calibrate:
                rms = float(pooled.detach().double().pow(2).mean().sqrt())
                shift = round(math.log2(rms)) if rms > 0 and math.isfinite(rms) else 0
                self.shifts[level] = shift
            v = pooled * (2.0 ** -int(self.shifts[level]))
        return v

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """y for each input of the batch: shape (B,)."""
        return torch.einsum("r,br->b", self.output, self.levels(x)[:, :, 0])

    @torch.no_grad()
    def calibrate(self, x: torch.Tensor) -> None:
        """Set the power-of-two ``shifts`` from a batch (data-dependent, exact to fold)."""
        self.levels(x, calibrate=True)
