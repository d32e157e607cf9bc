"""Data for training: teacher–student grid functions and the 8×8 digits cut into patches.

* :func:`teacher_data`: the targets are the exact grid tensor of a random teacher circuit
  (:func:`~symtd.circuits.builders.deep` at a random integer point), whose separation ranks
  are known, on every template tuple d in [M]^N (inputs: template indices), scaled to RMS 1.
* :func:`digits_data`: scikit-learn's 8×8 handwritten digits (shipped inside the package,
  no download), pixels / 16 in [0, 1], cut into N = 8 rows of s = 8 pixels or N = 16 blocks
  of 2×2 (s = 4, in Z order, so that the deep tree's pairs pool neighbouring blocks);
  labels 0..9 or binary (digit >= 5).
* :func:`kmeans_templates`: M template patches (k-means centres, rounded to multiples of
  1/256 so that they are exact short rationals).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import torch

from symtd.circuits.builders import deep, shallow
from symtd.circuits.circuit import Circuit
from symtd.errors import SymtdError
from symtd.tensors.grid import exact_grid_tensor


@dataclass
class Dataset:
    """Inputs and targets split into training and test parts (torch tensors, on the CPU).

    ``x``: template indices (B, N) or patches (B, s, N); ``y``: float targets (regression)
    or class labels (long); ``teacher``: the circuit that made the targets, if any.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    task: str  # "regression" or "binary" or "classes"
    teacher: Circuit | None = None


def _split(
    x: torch.Tensor, y: torch.Tensor, test_fraction: float, seed: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    import torch

    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    cut = len(x) - int(round(test_fraction * len(x)))
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def teacher_data(
    N: int,
    M: int,
    widths: int | list[int],
    operator: str = "product",
    geometry: str = "deep",
    seed: int = 0,
    test_fraction: float = 0.25,
) -> Dataset:
    """Teacher–student data: the grid function of a random teacher on all M^N tuples.

    The teacher is ``symtd.deep(N, M, widths, operator)`` (``geometry="shallow"``:
    ``symtd.shallow(N, M, widths)``) at the random integer point ``seed``; the targets are
    its exact grid tensor divided by its RMS (as float64: the scaling changes no rank).

    Examples
    --------
    >>> data = teacher_data(4, 2, 2, "product", seed=0)
    >>> tuple(data.x_train.shape), tuple(data.x_test.shape), data.task
    ((12, 4), (4, 4), 'regression')
    >>> round(float((data.y_train.square().sum() + data.y_test.square().sum()) / 16), 6)
    1.0
    """
    import itertools

    import torch

    if geometry == "deep":
        architecture = deep(N, M, widths, operator)
    else:
        architecture = shallow(N, M, widths if isinstance(widths, int) else widths[0], operator)
    teacher = architecture.at_random_point(seed=seed)
    exact = exact_grid_tensor(teacher)
    largest = max((abs(x) for x in exact.numerator.flat), default=0)  # exact integers
    G = (exact.numerator / largest if largest else exact.numerator).astype(float).reshape(-1)
    rms = float(np.sqrt(np.mean(G**2)))  # G in [-1, 1]: no overflow for any N
    y = torch.tensor(G / rms if rms > 0 else G, dtype=torch.float64)
    x = torch.tensor(list(itertools.product(range(M), repeat=N)))
    parts = _split(x, y, test_fraction, seed)
    return Dataset(*parts, task="regression", teacher=teacher)


def digit_patches(images: np.ndarray, N: int) -> np.ndarray:
    """8×8 images (B, 8, 8) as patches (B, s, N): N = 8 rows (s = 8) or N = 16 2×2 blocks
    (s = 4) in Z order (block (i, j) of the 4×4 block grid at the interleaved bits of i, j).

    >>> import numpy as np
    >>> image = np.arange(64).reshape(1, 8, 8)
    >>> digit_patches(image, 16)[0, :, :3].T.tolist()  # Z order: (0,0), (0,1), (1,0)
    [[0, 1, 8, 9], [2, 3, 10, 11], [16, 17, 24, 25]]
    """
    B = len(images)
    if N == 8:
        return images.transpose(0, 2, 1).copy()  # (B, s = column, N = row)
    if N != 16:
        raise SymtdError(f"digits come as N = 8 rows or N = 16 blocks of 2x2, not N = {N}")
    blocks = images.reshape(B, 4, 2, 4, 2).transpose(0, 1, 3, 2, 4).reshape(B, 4, 4, 4)
    order = [(_unshuffle(z, 1), _unshuffle(z, 0)) for z in range(16)]
    return np.stack([blocks[:, i, j, :] for i, j in order], axis=2)


def _unshuffle(z: int, bit: int) -> int:
    """Every other bit of z starting at ``bit`` (Morton decoding)."""
    return sum(((z >> (2 * b + bit)) & 1) << b for b in range(2))


def digits_data(
    N: int = 8, binary: bool = True, seed: int = 0, test_fraction: float = 0.25
) -> Dataset:
    """scikit-learn's 1,797 digits as patches (see the module docstring).

    Examples
    --------
    >>> data = digits_data(16)  # doctest: +SKIP
    >>> tuple(data.x_train.shape[1:]), data.task  # doctest: +SKIP
    ((4, 16), 'binary')
    """
    import importlib

    import torch

    digits = importlib.import_module("sklearn.datasets").load_digits()  # untyped: Any
    patches = digit_patches(digits.images / 16.0, N)
    x = torch.tensor(patches, dtype=torch.float32)
    labels = torch.tensor(digits.target)
    y = (labels >= 5).to(torch.float32) if binary else labels
    parts = _split(x, y, test_fraction, seed)
    return Dataset(*parts, task="binary" if binary else "classes")


def kmeans_templates(patches: torch.Tensor, M: int, seed: int = 0) -> np.ndarray:
    """M template patches: k-means centres of all patches (B, s, N), rounded to multiples
    of 1/256, as an exact (M, s) object array of Fractions."""
    import importlib

    KMeans = importlib.import_module("sklearn.cluster").KMeans  # untyped: Any
    points = patches.transpose(1, 2).reshape(-1, patches.shape[1]).double().numpy()
    centres = KMeans(M, n_init=4, random_state=seed).fit(points).cluster_centers_
    rounded = np.empty(centres.shape, dtype=object)
    for index, c in np.ndenumerate(centres):
        rounded[index] = Fraction(round(c * 256), 256)
    return rounded
