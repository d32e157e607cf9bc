"""What training finds: accuracy next to exact ranks of the learned function.

One study cell trains one network (:func:`study_cell`) and reports, per partition (I, J):

* ``rank``: the exact rank over Q of [G]_{I,J} of the *learned* function, G the exact grid
  tensor of the exported circuit (:func:`symtd.learn.export.to_circuit`,
  :func:`~symtd.ranks.matricization.matricization_rank`): exact, no tolerance;
* ``numerical``: the number of singular values of the float64 matricization above
  ``tolerance`` × the largest (inexact, labelled so: how many directions the function
  *uses* at a visible scale);
* ``lower`` / ``upper``: the architecture's separation rank bracket
  (:func:`~symtd.ranks.separation.separation_rank`: a rank reached at a random rational
  point, a proven upper bound such as the min-cut), the same for every seed;
* ``teacher``: the exact rank of the teacher's grid (teacher–student data only).

:func:`summarise` collects rows over seeds into min/median/max intervals.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from symtd.circuits.builders import deep, shallow
from symtd.circuits.circuit import Circuit
from symtd.circuits.partitions import partition
from symtd.errors import SymtdError
from symtd.ranks.matricization import matricization_rank
from symtd.ranks.separation import separation_rank
from symtd.tensors.grid import exact_grid_tensor

PARTITIONS = ("odd-even", "low-high")
TOLERANCE = 1e-3


@lru_cache(maxsize=64)
def architecture_bracket(
    geometry: str, N: int, M: int, widths: tuple[int, ...], operator: str, shared: bool, I: str
) -> tuple[int, int, str]:
    """(lower, upper, name of the upper bound) of the architecture's separation rank."""
    if geometry == "deep":
        net = deep(N, M, list(widths), operator, shared=shared)
    else:
        net = shallow(N, M, widths[0], operator, shared=shared)
    s = separation_rank(net, I, points=2, time_limit=20)
    return s.lower, s.upper, s.upper_bound


def numerical_rank(G: np.ndarray, rows: tuple[int, ...], tolerance: float = TOLERANCE) -> int:
    """Singular values of the float matricization above tolerance × the largest (inexact)."""
    N = G.ndim
    cols = tuple(j for j in range(N) if j not in rows)
    side = int(np.prod([G.shape[j] for j in rows]))
    A = np.transpose(G, rows + cols).reshape(side, -1)
    s = np.linalg.svd(A, compute_uv=False)
    return int(np.sum(s > tolerance * s[0])) if s.size and s[0] > 0 else 0


@dataclass
class Trained:
    """One trained network: the model, its exact circuit ``net`` (dyadic weights, scales
    folded), its float64 grid ``G`` (forward pass on every template tuple), the data (with
    its teacher circuit, if any) and the training :class:`~symtd.learn.train.History`."""

    model: Any
    net: Circuit
    G: np.ndarray
    dataset: Any
    history: Any
    seconds: float


def train_network(
    data: str,
    operator: str,
    geometry: str,
    N: int,
    M: int,
    widths: int | Sequence[int],
    seed: int,
    *,
    epochs: int = 300,
    lr: float = 0.02,
    batch_size: int | None = None,
    teacher: tuple[str, int | Sequence[int]] = ("product", 2),
    shared: bool = True,
    device: str | None = None,
) -> Trained:
    """Make the data, train one network and export it exactly.

    ``data``: "teacher" (targets: a random deep teacher ``symtd.deep(N, M, teacher[1],
    teacher[0])`` at the point ``seed``, inputs template indices) or "digits" (binary
    digits, N = 8 rows or 16 blocks, M k-means templates). ``widths``: r_0..r_{L-1} for
    deep (an int repeats), Z for shallow. Adam for ``epochs`` at rate ``lr`` on batches of
    ``batch_size`` (None: full batches); ``shared``: one block per level; ``device`` None:
    CUDA when present.

    The seed draws the teacher, the train/test split, the templates (digits) and the
    initialisation, so one seed gives every student the same task. The exported circuit's
    exact grid is checked against the float64 forward pass (an export bug raises
    :class:`~symtd.errors.SymtdError`).
    """
    import torch

    from symtd.learn.data import digits_data, kmeans_templates, teacher_data
    from symtd.learn.export import model_grid, to_circuit
    from symtd.learn.models import PoolingNetwork
    from symtd.learn.train import train

    start = time.perf_counter()
    if data == "teacher":
        dataset = teacher_data(N, M, list(_widths(teacher[1], N)), teacher[0], seed=seed)
        templates, patch_dim = None, None
    elif data == "digits":
        dataset = digits_data(N, binary=True, seed=seed)
        templates = kmeans_templates(dataset.x_train, M, seed=seed)
        patch_dim = int(dataset.x_train.shape[1])
    else:
        raise SymtdError(f"unknown data {data!r}; expected teacher or digits")
    torch.manual_seed(seed)
    model = PoolingNetwork(
        N, M, widths, operator, geometry, shared=shared, patch_dim=patch_dim, seed=seed
    )
    history = train(model, dataset, epochs, lr, batch_size, seed=seed, device=device)
    seconds = time.perf_counter() - start
    net = to_circuit(model, templates)
    G = model_grid(model, templates)
    _check_exact(net, G)
    return Trained(model, net, G, dataset, history, seconds)


def study_cell(
    data: str,
    operator: str,
    geometry: str,
    N: int,
    M: int,
    widths: int | Sequence[int],
    seed: int,
    *,
    partitions: Sequence[str] = PARTITIONS,
    **training: Any,
) -> dict[str, Any]:
    """Train one network and measure it (see the module docstring); one row (a dict).

    The arguments and the keywords ``training`` (epochs, lr, batch_size, teacher, shared,
    device) are those of :func:`train_network`; ``partitions`` are measured.

    Examples
    --------
    >>> row = study_cell("teacher", "product", "deep", 4, 2, 2, seed=0, epochs=100)
    >>> row["rank odd-even"], row["upper odd-even"], row["teacher odd-even"]
    (4, 4, 4)
    """
    t = train_network(data, operator, geometry, N, M, widths, seed, **training)
    shared = training.get("shared", True)
    trained = time.perf_counter()
    history, net, G, dataset = t.history, t.net, t.G, t.dataset
    row: dict[str, Any] = {
        "data": data,
        "operator": operator,
        "geometry": geometry,
        "N": N,
        "M": M,
        "widths": list(t.model.widths),
        "seed": seed,
        "train loss": history.train_loss,
        "test loss": history.test_loss,
        "train metric": history.train_metric,
        "test metric": history.test_metric,
        "train seconds": t.seconds,
    }
    for name in partitions:
        rows = partition(name, net)
        row[f"rank {name}"] = matricization_rank(net, rows)
        row[f"numerical {name}"] = numerical_rank(G, rows)
        lower, upper, how = architecture_bracket(
            geometry, N, M, t.model.widths, operator, shared, name
        )
        row[f"lower {name}"], row[f"upper {name}"] = lower, upper
        row[f"bound {name}"] = how
        if dataset.teacher is not None:
            T = exact_grid_tensor(dataset.teacher)
            row[f"teacher {name}"] = matricization_rank(dataset.teacher, rows)
            row[f"teacher numerical {name}"] = numerical_rank(T.to_float(), rows)
    row["rank seconds"] = time.perf_counter() - trained
    return row


def _widths(widths: int | Sequence[int], N: int) -> Sequence[int]:
    L = N.bit_length() - 1
    return [widths] * L if isinstance(widths, int) else list(widths)


def _check_exact(net: Any, G: np.ndarray) -> None:
    """The exported circuit's exact grid agrees with the float64 forward pass."""
    exact = exact_grid_tensor(net).to_float()
    scale = max(float(np.abs(exact).max()), 1e-300)
    if not np.allclose(exact, G, rtol=1e-9, atol=1e-9 * scale):
        raise SymtdError("the exported circuit disagrees with the model (export bug)")


def summarise(rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> dict[str, str]:
    """For each key, "median [min, max]" over the rows (numbers rounded to 3 places).

    >>> summarise([{"a": 1}, {"a": 3}, {"a": 2}], ["a"])
    {'a': '2 [1, 3]'}
    """
    out = {}
    for key in keys:
        values = [r[key] for r in rows if key in r]
        if not values:
            continue
        mid, low, high = statistics.median(values), min(values), max(values)
        out[key] = f"{_short(mid)} [{_short(low)}, {_short(high)}]"
    return out


def _short(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.3f}"
