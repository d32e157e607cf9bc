"""Training sweeps: cells that *train* a network and measure the exact ranks of what it learned.

A sweep document with a ``"train"`` object is a training sweep. Its grid cells (deep or
shallow, any operator of :mod:`symtd.learn`) are the students; each draw d is one seed,
(``seed`` + d) mod 2^32, which draws the data (the teacher, the train/test split, the digits'
templates) and the initialisation, so that in one draw every student learns the *same*
task. A task trains its student (:func:`symtd.learn.study.train_network`: Adam, one CPU
thread, deterministic), exports it exactly (float32 weights are dyadic rationals) and
writes, per partition (I, J), the rank of [G]_{I,J} of the learned grid tensor G — exact
over Q (``rank_kind`` "exact") or a modular lower bound ("lower") — beside the cell's proven
upper bound and shallow reach (as in every sweep), and the columns ``TRAINED_COLUMNS``:

* ``data``: "teacher" or "digits";
* ``numerical``: singular values of the float64 matricization above 10^-3 × the largest
  (inexact, labelled so: the directions the learned function uses at a visible scale);
* ``teacher_rank``, ``teacher_numerical``: the same for the teacher (-1 for digits);
* ``train_loss``, ``test_loss``, ``train_metric``, ``test_metric``: R² for a teacher,
  accuracy for digits.

The ``"train"`` object::

    {"data": "teacher" | "digits",
     "teacher": {"operator": "product", "widths": 2},  # teacher data: a random deep teacher
     "epochs": 600, "lr": 0.03, "batch_size": null,     # Adam; null = full batches
     "shared": false}                                   # students share weights per level

A training sweep has no ``"weights"`` (they are trained) and no ``"networks"`` (file cells
cannot be trained). This module only validates; the training itself imports PyTorch (the
``learn`` extra) inside the task.
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass
from typing import Any

from symtd.circuits import builders
from symtd.errors import SymtdError, escape
from symtd.tensors.evaluate import available_bytes, human_bytes

TRAIN_KEYS = {"data", "teacher", "epochs", "lr", "batch_size", "shared"}
DATA = ("teacher", "digits")
OPERATORS = ("product", "max", "avg", "sum")
ARCHITECTURES = ("deep", "shallow")
MAX_EPOCHS = 100_000
BYTES_PER_INPUT = 2048  # a task's peak memory per grid entry (measured: 1.6 KB at M^N = 1.7M)
INTEGER_TRAINED = ("numerical", "teacher_rank", "teacher_numerical")
FLOAT_TRAINED = ("train_loss", "test_loss", "train_metric", "test_metric")
TRAINED_COLUMNS = ["data", *INTEGER_TRAINED, *FLOAT_TRAINED]


@dataclass(frozen=True)
class Training:
    """A validated ``"train"`` object: data, teacher (operator, widths), epochs, learning
    rate, batch size (None: full batches) and weight sharing."""

    data: str
    teacher: tuple[str, int | tuple[int, ...]]
    epochs: int
    lr: float
    batch_size: int | None
    shared: bool


def training_from_dict(value: Any) -> Training:
    """Validate a ``"train"`` object (module docstring); PyTorch must be installed."""
    if not isinstance(value, dict):
        raise SymtdError("train must be an object")
    unknown = sorted(set(value) - TRAIN_KEYS)
    if unknown:
        raise SymtdError(f"unknown train key(s) {escape(unknown[:5])}")
    data = value.get("data", "teacher")
    if data not in DATA:
        raise SymtdError(f"train data must be teacher or digits, got {escape(data)}")
    teacher = _teacher(value.get("teacher", {"operator": "product", "widths": 2}))
    if data == "digits" and "teacher" in value:
        raise SymtdError("train: digits data has no teacher")
    epochs = _integer(value.get("epochs", 300), "train epochs", 1, MAX_EPOCHS)
    lr = value.get("lr", 0.02)
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr <= 10:
        raise SymtdError(f"train lr must be a number in (0, 10], got {escape(lr)}")
    batch = value.get("batch_size")
    batch = None if batch is None else _integer(batch, "train batch_size", 1, 2**31)
    shared = value.get("shared", True)
    if not isinstance(shared, bool):
        raise SymtdError(f"train shared must be true or false, got {escape(shared)}")
    for module, name in (("torch", "PyTorch"), ("sklearn", "scikit-learn")):
        if (module == "torch" or data == "digits") and importlib.util.find_spec(module) is None:
            raise SymtdError(
                f"a training sweep needs {name}: pip install 'symtd[learn]' (the learn extra)"
            )
    return Training(data, teacher, epochs, float(lr), batch, shared)


def check_cell(training: Training, architecture: str, N: int, M: int, operator: str) -> None:
    """Refuse a cell this training cannot run: an architecture or operator symtd.learn lacks,
    digits at N other than 8 or 16, a teacher whose widths do not fit N, and a grid too large
    to train on: a task holds the inputs, the exact and the float grid of all M^N template
    tuples, about ``BYTES_PER_INPUT`` bytes each, within half the free memory."""
    if architecture not in ARCHITECTURES:
        raise SymtdError(
            f"a training sweep trains deep or shallow networks, not {escape(architecture)}"
        )
    if operator not in OPERATORS:
        raise SymtdError(f"a training sweep trains {', '.join(OPERATORS)}, not {escape(operator)}")
    bits = N * math.log2(M) if M > 1 else 0.0
    limit = available_bytes() // 2
    if bits > 40 or BYTES_PER_INPUT * M**N > limit:
        need = f"2^{int(bits) + 11} B" if bits > 40 else human_bytes(BYTES_PER_INPUT * M**N)
        raise SymtdError(
            f"training on all M^N template tuples (M = {M}, N = {N}) needs about {need}, "
            f"over the limit of {human_bytes(limit)}; refused"
        )
    if training.data == "digits" and N not in (8, 16):
        raise SymtdError(f"digits come as N = 8 rows or N = 16 blocks, not N = {N}")
    if training.data == "teacher":
        if N < 2 or N & (N - 1):
            raise SymtdError(f"the deep teacher needs N = 2^L >= 2, got N = {N}")
        op, widths = training.teacher
        builders.deep(N, M, list(widths) if isinstance(widths, tuple) else widths, op)


def draw_seed(seed: int, draw: int) -> int:
    """The training seed of a draw: (``seed`` + draw) mod 2^32, the same for every cell, so
    that in one draw every student learns the same task (2^32: the seeds NumPy, PyTorch and
    scikit-learn all take)."""
    return (seed + draw) % 2**32


def _teacher(value: Any) -> tuple[str, int | tuple[int, ...]]:
    if not isinstance(value, dict) or set(value) - {"operator", "widths"}:
        raise SymtdError('train teacher must be {"operator": ..., "widths": ...}')
    operator = value.get("operator", "product")
    if operator not in OPERATORS:
        raise SymtdError(f"teacher operator must be one of {OPERATORS}, got {escape(operator)}")
    widths = value.get("widths", 2)
    if isinstance(widths, list) and widths:
        return operator, tuple(_integer(w, "teacher widths entry", 1, 64) for w in widths)
    return operator, _integer(widths, "teacher widths", 1, 64)


def _integer(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SymtdError(f"{what} must be an integer in {low}..{high:,}, got {escape(value)}")
    return value


def is_float_column(column: str) -> bool:
    """True for the float columns of a training sweep's rows (losses and metrics)."""
    return column in FLOAT_TRAINED


def check_float(column: str, value: float) -> str | None:
    """Why a loss or metric value is out of range (None if it is fine): losses are >= 0,
    R² and accuracy are <= 1; NaN (a diverged training) is allowed, infinities are not."""
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "infinite"
    if column.endswith("loss") and value < 0:
        return "a negative loss"
    if column.endswith("metric") and value > 1:
        return "a metric above 1"
    return None
