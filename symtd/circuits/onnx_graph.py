"""Reading ONNX graphs for :mod:`symtd.circuits.onnx_import`: validity, tensors, attributes.

An imported model must be one ONNX itself defines, so that "the model's function" is
unambiguous: every node passes ONNX's schema check for the model's opsets (attribute names
and types, input counts), the graph passes strict type inference (one float type
throughout), and every tensor name is defined once (a dense and a sparse initializer, or an
initializer and a Constant, of one name are refused: runtimes disagree on which wins).
Tensors become numpy arrays, float entries the exact dyadic rationals they are.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from symtd.circuits.circuit import MAX_WEIGHTS
from symtd.errors import SymtdError, escape

__all__ = [
    "attributes",
    "broadcasts",
    "check_model",
    "exact_array",
    "identity",
    "node_where",
    "pool_windows",
    "read_tensor",
    "reshape_target",
]

_FLOATS, _INTS = {1, 10, 11}, {6, 7}  # TensorProto data types: float32/16/64, int32/64


def node_where(node: Any) -> str:
    """``node NAME (OP)``, escaped: how every refusal names a node."""
    return f"node {escape(node.name or '(unnamed)')} ({escape(node.op_type, quote=False)})"


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return escape(lines[0] if lines else type(exc).__name__, 200, quote=False)


def check_model(model: Any) -> None:
    """Refuse a model ONNX does not define: names defined twice, nodes failing their schema,
    types failing strict inference.

    Raises
    ------
    SymtdError
        One line naming the tensor, or the node and its op.
    """
    from onnx import checker, shape_inference

    graph = model.graph
    dense = [t.name for t in graph.initializer]
    sparse = [t.values.name for t in graph.sparse_initializer]
    constants = set(dense) | set(sparse)
    names = dense + sparse + [i.name for i in graph.input if i.name not in constants]
    names += [out for node in graph.node for out in node.output if out]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise SymtdError(
                f"tensor {escape(name)} is defined twice (initializers, Constants, node "
                f"outputs and graph inputs need distinct names)"
            )
        seen.add(name)
    context = checker.C.CheckerContext()
    context.ir_version = model.ir_version
    context.opset_imports = {o.domain: o.version for o in model.opset_import}
    scope = checker.C.LexicalScopeContext()
    for node in graph.node:
        try:
            checker.check_node(node, context, scope)
        except Exception as exc:  # ValidationError, or the C++ checker's own errors
            raise SymtdError(
                f"{node_where(node)}: not a valid ONNX node: {_first_line(exc)}"
            ) from None
    try:
        shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    except Exception as exc:  # InferenceError names the op and node
        raise SymtdError(f"the model fails ONNX type inference: {_first_line(exc)}") from None


def read_tensor(proto: Any, what: str) -> np.ndarray:
    """An initializer as a numpy array: floats finite, no external data, bounded size."""
    from onnx import TensorProto, numpy_helper

    if proto.data_location == TensorProto.EXTERNAL or proto.external_data:
        raise SymtdError(f"{what}: external tensor data is not read")
    if proto.data_type not in _FLOATS and proto.data_type not in _INTS:
        raise SymtdError(f"{what}: tensor data type {proto.data_type} is not supported")
    if any(d < 0 for d in proto.dims) or math.prod(proto.dims) > MAX_WEIGHTS:
        raise SymtdError(f"{what}: more than {MAX_WEIGHTS:,} entries or a negative dimension")
    try:
        array = numpy_helper.to_array(proto)
    except Exception as exc:  # malformed raw data
        raise SymtdError(f"{what}: unreadable tensor: {escape(str(exc))}") from None
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise SymtdError(f"{what}: holds NaN or infinity")
    return array


def exact_array(array: np.ndarray) -> np.ndarray:
    """Float or integer entries as the exact Fractions they are."""
    out = np.empty(array.shape, dtype=object)
    out.flat[:] = [
        Fraction(float(x)) if array.dtype.kind == "f" else Fraction(int(x)) for x in array.flat
    ]
    return out


def identity(n: int) -> np.ndarray:
    """The n × n identity matrix of Fractions."""
    out = np.empty((n, n), dtype=object)
    for index in np.ndindex(n, n):
        out[index] = Fraction(int(index[0] == index[1]))
    return out


def attributes(node: Any, allowed: dict[str, Any], free: tuple[str, ...] = ()) -> dict[str, Any]:
    """Attribute values; each must be in ``allowed`` and equal its no-op value unless free."""
    from onnx import helper

    values = dict(allowed)
    if len({a.name for a in node.attribute}) != len(node.attribute):
        raise SymtdError(f"{node_where(node)}: an attribute appears twice")
    for a in node.attribute:
        if a.name not in allowed:
            raise SymtdError(f"{node_where(node)}: attribute {escape(a.name)} is not supported")
        default = allowed[a.name]
        kind = {int: 2, float: 1, bytes: 3}.get(type(default), 7)  # AttributeProto types
        if a.type != kind and not (kind == 1 and a.type == 2):
            raise SymtdError(f"{node_where(node)}: attribute {escape(a.name)} has the wrong type")
        value = helper.get_attribute_value(a)
        value = list(value) if isinstance(value, (list, tuple)) else value
        if isinstance(value, float) and not math.isfinite(value):
            raise SymtdError(f"{node_where(node)}: attribute {escape(a.name)} is not finite")
        if a.name not in free and value != allowed[a.name]:
            raise SymtdError(
                f"{node_where(node)}: attribute {escape(a.name)} = {escape(value, 40)} is not "
                f"supported (only {escape(allowed[a.name], 40)})"
            )
        values[a.name] = value
    return values


def broadcasts(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether ``shape`` broadcasts to ``target`` one way (numpy rules, as ONNX's Gemm C).

    >>> broadcasts((3,), (1, 3)), broadcasts((1, 1), (1, 3)), broadcasts((2, 3), (1, 3))
    (True, True, False)
    """
    return len(shape) <= len(target) and all(
        d in (1, t) for d, t in zip(reversed(shape), reversed(target))
    )


def reshape_target(
    node: Any, shape: tuple[int, ...], target: list[int], allowzero: bool
) -> tuple[int, ...]:
    """ONNX Reshape semantics: 0 copies the input's dimension, -1 is inferred."""
    if len(target) > 16 or target.count(-1) > 1 or any(t < -1 for t in target):
        raise SymtdError(f"{node_where(node)}: bad target shape {escape(target, 60)}")
    out = [
        shape[i] if t == 0 and not allowzero and i < len(shape) else t for i, t in enumerate(target)
    ]
    if -1 in out:
        known = math.prod(t for t in out if t != -1)
        if known == 0 or math.prod(shape) % known:
            raise SymtdError(f"{node_where(node)}: cannot infer -1 in {escape(target, 60)}")
        out[out.index(-1)] = math.prod(shape) // known
    return tuple(out)


def pool_windows(
    node: Any, items: np.ndarray, kernel: list[int], strides: list[int]
) -> tuple[list[list[str]], tuple[int, ...]]:
    """Pooling windows (floor mode): for each output index, the items under the kernel."""
    if items.ndim == 0 or any(
        k < 1 or s < 1 or k > n for k, s, n in zip(kernel, strides, items.shape)
    ):
        raise SymtdError(
            f"{node_where(node)}: kernel {kernel} / strides {strides} do not fit {items.shape}"
        )
    out = tuple((n - k) // s + 1 for n, k, s in zip(items.shape, kernel, strides))
    windows = []
    for index in np.ndindex(*out):
        box = tuple(slice(u * s, u * s + k) for u, k, s in zip(index, kernel, strides))
        windows.append(list(items[box].flat))
    return windows, out
