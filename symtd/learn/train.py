"""Training: Adam on full batches or minibatches, seeded and deterministic.

Loss: mean squared error for regression (teacher–student), the logistic loss for binary
labels (one output, a logit), cross-entropy is not offered (one output per network: the
rank study is about one function). The model is calibrated (power-of-two level scales,
:meth:`~symtd.learn.models.PoolingNetwork.calibrate`) on the training inputs first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from symtd.errors import SymtdError
from symtd.learn.data import Dataset
from symtd.learn.models import PoolingNetwork


@dataclass
class History:
    """Training loss per epoch and the final train/test loss and metric.

    ``metric``: R² = 1 - MSE / mean(y²) for regression (the targets have RMS 1, mean-free
    or not), accuracy for binary labels.
    """

    losses: list[float] = field(default_factory=list)
    train_loss: float = float("nan")
    test_loss: float = float("nan")
    train_metric: float = float("nan")
    test_metric: float = float("nan")


def evaluate(
    model: PoolingNetwork, x: torch.Tensor, y: torch.Tensor, task: str
) -> tuple[float, float]:
    """(loss, metric) of the model on (x, y), without gradients."""
    import torch

    with torch.no_grad():
        out = model(x).double()
        y = y.to(out.device).double()
        if task == "regression":
            mse = float(torch.mean((out - y) ** 2))
            return mse, 1.0 - mse / max(float(torch.mean(y**2)), 1e-300)
        loss = float(torch.nn.functional.binary_cross_entropy_with_logits(out, y))
        return loss, float(((out > 0).double() == y).double().mean())


def train(
    model: PoolingNetwork,
    data: Dataset,
    epochs: int = 200,
    lr: float = 0.01,
    batch_size: int | None = None,
    seed: int = 0,
    device: str | None = None,
    threads: int | None = 1,
) -> History:
    """Train ``model`` in place on ``data`` with Adam; returns its :class:`History`.

    ``batch_size`` None: full batches. ``device`` None: CUDA when present, else the CPU
    (the model is moved back to the CPU at the end). ``threads``: CPU threads for the
    duration (1 by default: these models are small, and on a shared machine more threads
    only wait for each other; None keeps torch's setting). Seeded; deterministic algorithms
    are requested for the duration (the previous settings are restored).

    Examples
    --------
    >>> from symtd.learn.data import teacher_data
    >>> from symtd.learn.models import PoolingNetwork
    >>> data = teacher_data(4, 2, 2, "product", seed=1)  # unshared weights, width 2
    >>> model = PoolingNetwork(4, 2, 3, "product", shared=False, seed=1)
    >>> history = train(model, data, epochs=80, lr=0.05, seed=1, device="cpu")
    >>> history.train_metric > 0.99  # a width-3 ConvAC fits the width-2 teacher
    True
    """
    import torch

    from symtd.learn.models import pick_device

    if data.task not in ("regression", "binary"):
        raise SymtdError(f"train fits one output; task {data.task!r} is not supported")
    where = pick_device(device)
    deterministic = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True, warn_only=True)
    before = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        torch.manual_seed(seed)
        model.to(where)
        x, y = data.x_train.to(where), data.y_train.to(where).to(model.output.dtype)
        model.calibrate(x)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        history = History()
        size = len(x) if batch_size is None else batch_size
        generator = torch.Generator().manual_seed(seed)
        for _ in range(epochs):
            order = torch.randperm(len(x), generator=generator).to(where)
            total = 0.0
            for start in range(0, len(x), size):
                batch = order[start : start + size]
                optimizer.zero_grad()
                loss = _loss(model(x[batch]), y[batch], data.task)
                loss.backward()
                optimizer.step()
                total += float(loss.detach()) * len(batch)
            history.losses.append(total / len(x))
        model.eval()
        history.train_loss, history.train_metric = evaluate(model, x, y, data.task)
        x_test, y_test = data.x_test.to(where), data.y_test.to(where)
        history.test_loss, history.test_metric = evaluate(model, x_test, y_test, data.task)
        model.train()
    finally:
        model.to("cpu")
        torch.use_deterministic_algorithms(deterministic)
        torch.set_num_threads(before)
    return history


def _loss(out: torch.Tensor, y: torch.Tensor, task: str) -> torch.Tensor:
    import torch

    if task == "regression":
        return torch.mean((out - y) ** 2)
    return torch.nn.functional.binary_cross_entropy_with_logits(out, y)
