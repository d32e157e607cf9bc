"""Trained networks out: exact circuits and ONNX files.

:func:`to_circuit` writes a :class:`~symtd.learn.models.PoolingNetwork` as a
:class:`~symtd.circuits.circuit.Circuit` whose weights are the *exact* dyadic rationals its
float weights are (``Fraction(float(w))``: every float32 is m·2^e). The power-of-two level
scales 2^(-k_l) are folded into the next block exactly, and for patch inputs F[i, d] =
ReLU(A_d·t_i + b_d) is computed exactly from the templates t_i. So the circuit's exact grid
tensor *is* the model's function on the template tuples, in real arithmetic; the model's
float64 forward pass (:func:`model_grid`) agrees with it up to rounding.

:func:`to_onnx` writes the same network (shared weights only: ONNX's 1×1 convolutions share
them) in the layout :mod:`symtd.circuits.onnx_import` reads: input (B, s, N); a kernel-1
``Conv`` (+ bias, + ``Relu`` for patches; the identity on one-hot inputs); per level a
kernel-1 ``Conv`` without bias, ``Relu`` for max/avg, then ``MaxPool`` / ``AveragePool``
(kernel = stride = window) or ``Reshape`` + ``ReduceProd`` over the window; a last kernel-1
``Conv`` to one output (B, 1, 1).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike

from symtd.circuits.builders import deep, shallow
from symtd.circuits.circuit import Circuit
from symtd.errors import SymtdError
from symtd.learn.models import PoolingNetwork

ONNX_OPSET = 17


def exact_array(values: torch.Tensor, scale: Fraction = Fraction(1)) -> np.ndarray:
    """The tensor's entries as exact Fractions (times ``scale``), an object array.

    >>> import torch
    >>> exact_array(torch.tensor([0.1], dtype=torch.float32))[0]  # the float32 nearest 1/10
    Fraction(13421773, 134217728)
    """
    flat = values.detach().cpu().double().flatten().tolist()
    if not all(math.isfinite(x) for x in flat):
        raise SymtdError(
            "a weight is NaN or infinite: the training diverged (try a smaller lr); "
            "such a network computes no function to take ranks of"
        )
    exact = np.empty(len(flat), dtype=object)
    exact[:] = [Fraction(x) * scale for x in flat]
    return exact.reshape(tuple(values.shape))


def exact_templates(model: PoolingNetwork, templates: ArrayLike | None) -> np.ndarray | None:
    """Templates as an exact (M, s) object array (None for index models)."""
    if model.patch_dim is None:
        if templates is not None:
            raise SymtdError("a model on template indices takes no templates (F = identity)")
        return None
    if templates is None:
        raise SymtdError(f"a patch model needs templates: {model.M} points in R^{model.patch_dim}")
    points = np.asarray(templates, dtype=object)
    if points.shape != (model.M, model.patch_dim):
        raise SymtdError(
            f"templates must have shape ({model.M}, {model.patch_dim}), got {points.shape}"
        )
    exact = np.empty(points.shape, dtype=object)
    for index, x in np.ndenumerate(points):
        exact[index] = x if isinstance(x, (int, Fraction)) else Fraction(float(x))
    return exact


def template_matrix_of(model: PoolingNetwork, templates: ArrayLike | None) -> np.ndarray | None:
    """F[i, d] = ReLU(A_d·t_i + b_d), exact (None: the identity, for index models)."""
    points = exact_templates(model, templates)
    if points is None:
        return None
    A, b = exact_array(model.rep_weight), exact_array(model.rep_bias)
    F = points.dot(A.T) + b[None, :]
    return np.where(F > 0, F, np.array(Fraction(0), dtype=object))


def to_circuit(model: PoolingNetwork, templates: ArrayLike | None = None) -> Circuit:
    """The trained network as a circuit with exact weights (see the module docstring).

    Parameters
    ----------
    model : PoolingNetwork
        The network (any device, any float dtype).
    templates : array (M, s) or None
        The template patches t_1..t_M of a patch model (exact numbers or floats, each taken
        as the exact rational it is); None for a model on template indices.

    Returns
    -------
    Circuit
        :func:`~symtd.circuits.builders.deep` or :func:`~symtd.circuits.builders.shallow`
        with the model's weights, F from the templates.

    Examples
    --------
    >>> import numpy as np, torch, symtd
    >>> from symtd.learn.models import PoolingNetwork
    >>> model = PoolingNetwork(4, 2, 2, "max", seed=1)
    >>> net = to_circuit(model)
    >>> net
    Circuit(N=4, M=2, operator='max', levels=2, widths=(2, 2), shared=True, concrete)
    >>> bool(np.allclose(symtd.grid_tensor(net).to_float(), model_grid(model)))
    True
    """
    scales = [Fraction(1)] + [Fraction(2) ** -int(k) for k in model.shifts.tolist()]
    weights: dict[str, Any] = {
        f"layer{level}": exact_array(W, scales[level]) for level, W in enumerate(model.blocks)
    }
    weights["output"] = exact_array(model.output, scales[-1])
    F = template_matrix_of(model, templates)
    kwargs: dict[str, Any] = {"shared": model.shared, "weights": weights, "F": F}
    if model.geometry == "deep":
        return deep(model.N, model.M, list(model.widths), model.operator, **kwargs)
    return shallow(model.N, model.M, model.widths[0], model.operator, **kwargs)


def grid_inputs(model: PoolingNetwork, templates: ArrayLike | None = None) -> torch.Tensor:
    """Every template tuple (d_1..d_N) in the grid's C order, as the model's input batch:
    indices (M^N, N), or patches (M^N, s, N) with position j carrying t_{d_j} (float64)."""
    import torch

    tuples = torch.tensor(list(itertools.product(range(model.M), repeat=model.N)))
    if model.patch_dim is None:
        return tuples
    points = torch.tensor(np.asarray(templates, dtype=float), dtype=torch.float64)
    return points[tuples].transpose(1, 2)


def model_grid(model: PoolingNetwork, templates: ArrayLike | None = None) -> np.ndarray:
    """The model's float64 forward pass on every template tuple, shape (M,) * N (inexact)."""
    import copy

    import torch

    twin = copy.deepcopy(model).to("cpu", torch.float64).eval()
    with torch.no_grad():
        values = twin(grid_inputs(twin, templates))
    return values.numpy().reshape((model.M,) * model.N)


def to_onnx(model: PoolingNetwork, path: str | None = None) -> Any:  # an onnx.ModelProto
    """The trained network as an ONNX model (float32), saved to ``path`` when given.

    Shared weights only; the level scales 2^(-k_l) are folded into the next convolution
    (exact in float32; a weight that is not a float32 afterwards, e.g. an underflow or a
    float64 model, is refused). The templates are not part of the file: give them to
    :func:`symtd.circuits.onnx_import.load_onnx` (one-hot models: the identity).

    Examples
    --------
    >>> from symtd.learn.models import PoolingNetwork
    >>> proto = to_onnx(PoolingNetwork(4, 2, 2, "avg"))
    >>> [node.op_type for node in proto.graph.node]
    ['Conv', 'Conv', 'Relu', 'AveragePool', 'Conv', 'Relu', 'AveragePool', 'Conv']
    """
    import onnx
    from onnx import TensorProto, helper

    if not model.shared:
        raise SymtdError(
            "ONNX 1×1 convolutions share weights across positions; train with shared=True"
        )
    if model.operator == "sum":
        raise SymtdError("ONNX has no sum pooling; use avg (sum = window · avg)")
    initializers, nodes = [], []

    def constant(name: str, values: np.ndarray, dtype: Any = np.float32) -> str:
        initializers.append(
            helper.make_tensor(name, _proto_type(dtype), values.shape, values.flatten())
        )
        return name

    def folded(W: torch.Tensor, shift: int) -> np.ndarray:
        exact = exact_array(W, Fraction(2) ** -shift)
        out = np.array(exact.astype(float), dtype=np.float32)
        if any(Fraction(float(x)) != e for x, e in zip(out.flat, exact.flat)):
            raise SymtdError(
                "a weight times its level scale is not a float32 (underflow, or a float64 "
                "model: train in float32)"
            )
        return out

    channels = model.patch_dim if model.patch_dim is not None else model.M
    if model.patch_dim is None:
        A, inputs = np.eye(model.M, dtype=np.float32), ["input", "rep_weight"]
    else:
        A = folded(model.rep_weight, 0)
        bias = folded(model.rep_bias, 0)
        inputs = ["input", "rep_weight", constant("rep_bias", bias)]
    constant("rep_weight", A[:, :, None])
    nodes.append(helper.make_node("Conv", inputs, ["rep"], kernel_shape=[1]))
    x = "rep"
    if model.patch_dim is not None:
        nodes.append(helper.make_node("Relu", [x], ["rep_relu"]))
        x = "rep_relu"
    shifts = [0] + [int(k) for k in model.shifts.tolist()]
    k = model.window
    for level, W in enumerate(model.blocks):
        w = constant(f"W{level}", folded(W, shifts[level])[:, :, None])
        nodes.append(helper.make_node("Conv", [x, w], [f"z{level}"], kernel_shape=[1]))
        x = f"z{level}"
        if model.operator != "product":
            nodes.append(helper.make_node("Relu", [x], [f"a{level}"]))
            x = f"a{level}"
        pooled = f"v{level}"
        if model.operator == "product":
            r, n = model.widths[level], model.items[level]
            shape = constant(f"shape{level}", np.array([0, r, n // k, k]), np.int64)
            nodes.append(helper.make_node("Reshape", [x, shape], [f"w{level}"]))
            nodes.append(
                helper.make_node("ReduceProd", [f"w{level}"], [pooled], axes=[3], keepdims=0)
            )
        else:
            kind = "MaxPool" if model.operator == "max" else "AveragePool"
            nodes.append(helper.make_node(kind, [x], [pooled], kernel_shape=[k], strides=[k]))
        x = pooled
    out = constant("out_weight", folded(model.output, shifts[-1])[None, :, None])
    nodes.append(helper.make_node("Conv", [x, out], ["output"], kernel_shape=[1]))
    graph = helper.make_graph(
        nodes,
        f"symtd_{model.geometry}_{model.operator}",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["B", channels, model.N])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["B", 1, 1])],
        initializers,
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", ONNX_OPSET)])
    proto.ir_version = 8
    onnx.checker.check_model(proto)
    if path is not None:
        onnx.save(proto, path)
    return proto


def _proto_type(dtype: Any) -> int:
    from onnx import TensorProto

    return TensorProto.INT64 if np.dtype(dtype) == np.int64 else TensorProto.FLOAT
