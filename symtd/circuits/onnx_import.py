"""Trained ONNX models as symtd circuits, with every weight the exact rational it is.

A float32/float64 weight w is the dyadic rational ``Fraction(float(w))``; nothing is
rounded, so the imported circuit's grid tensor is exactly the model's function (in real
arithmetic on its float weights) evaluated at the templates. Layout: input (B, s, N) or
(B, s, H, W), s the patch dimension, positions numbered row-major.

* The first Conv (kernel 1, bias allowed), with or without a Relu after it, is the
  representation layer: R[d, k] = act(Σ_c W[k, c] T[d, c] + b[k]) for the M templates T.
  When R is square (k = M) it becomes F; otherwise F = I and R is folded into the first
  conv block (B R^T, exact).
* Each level is a 1×1 Conv without bias (consecutive ones are multiplied exactly), an
  optional Relu and a pooling: MaxPool / ReduceMax / GlobalMaxPool (operator ``max``: ReLU,
  then max; the Relu may come right after the pooling instead, the same function),
  AveragePool / ReduceMean / GlobalAveragePool (``avg``: ReLU, then the mean),
  ReduceProd, possibly after a Reshape, or a Mul of Slices (``product``: no activation).
  Pooling with stride below the kernel, or Slices that overlap, give overlapping windows
  (a DAG, format v2); one initializer used by several Convs is one shared block.
* After the last pooling (one position left) a 1×1 Conv, Gemm or MatMul to one output.

Anything the chosen operator cannot reproduce exactly is refused with one line naming the
node and its op: a bias in a hidden layer, a Relu before product pooling, max or average
pooling without ReLU, Conv kernels above 1 (a convolution sums its window; no operator
does), padding, dilation, groups, and any other op. So is a model ONNX does not define
(:func:`symtd.circuits.onnx_graph.check_model`: schemas, strict types, names defined once).
"""

from __future__ import annotations

import math
import os
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from symtd.algebra.rational import parse_rational
from symtd.circuits.circuit import MAX_POSITIONS, MAX_WEIGHTS, MAX_WIDTH, Circuit, Node
from symtd.circuits.formats import MAX_FILE_BYTES, network_to_dict, read_json
from symtd.circuits.onnx_graph import (
    attributes,
    broadcasts,
    check_model,
    exact_array,
    identity,
    pool_windows,
    read_tensor,
    reshape_target,
)
from symtd.circuits.onnx_graph import node_where as _where
from symtd.errors import SymtdError, escape

__all__ = ["MAX_GRAPH_NODES", "load_onnx", "onnx_to_dict", "read_templates"]

#: Graph nodes a model may hold (files are at most 512 MiB, as network files).
MAX_GRAPH_NODES = 10_000
_POOLS = {op: "max" for op in ("MaxPool", "GlobalMaxPool", "ReduceMax")}
_POOLS.update({op: "avg" for op in ("AveragePool", "GlobalAveragePool", "ReduceMean")})
_POOLS["ReduceProd"] = "product"
_BOOKKEEPING = ("Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity")
_ARITY = {"Conv": (2, 3), "Gemm": (2, 3), "MatMul": (2, 2), "Reshape": (2, 2), "Squeeze": (1, 2)}
_ARITY.update({op: (1, 2) for op in ("Unsqueeze", "ReduceMax", "ReduceMean", "ReduceProd")})


# -- public API ---------------------------------------------------------------------------------
def load_onnx(model: str | os.PathLike[str] | Any, templates: ArrayLike | str | Path) -> Circuit:
    """The ONNX model as a concrete circuit whose weights are its float weights, exactly.

    Parameters
    ----------
    model : str, os.PathLike or onnx.ModelProto
        A path to an ``.onnx`` file (at most 512 MiB, no external data) or an
        ``onnx.ModelProto``.
    templates : array_like, str or Path
        The M templates, an (M, s) array (s the model's input channels), or a path to a
        ``.npy`` file or a JSON list of lists of exact numbers (integers or strings such as
        ``"-3/2"``, ``"0.25"``). Float entries of arrays are read as the exact binary
        rationals they are.

    Returns
    -------
    Circuit
        Format v2 circuit over N positions (row-major for 2-D inputs) and M templates; its
        grid tensor is the model's output at every template tuple, exactly.

    Raises
    ------
    SymtdError
        One line naming the node and op for anything not imported exactly.

    Examples
    --------
    >>> import numpy as np, onnx, symtd
    >>> from onnx import helper, numpy_helper, TensorProto
    >>> w = lambda name, a: numpy_helper.from_array(np.array(a, np.float32), name)
    >>> graph = helper.make_graph(
    ...     [helper.make_node("Conv", ["x", "R"], ["r"]),        # representation, kernel 1
    ...      helper.make_node("Conv", ["r", "A"], ["c"]),
    ...      helper.make_node("ReduceProd", ["c"], ["p"], axes=[2], keepdims=1),
    ...      helper.make_node("Conv", ["p", "out"], ["y"])],
    ...     "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 1, 2])],
    ...     [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1, 1])],
    ...     [w("R", [[[1]], [[-1]]]), w("A", [[[0.5], [0.25]]]), w("out", [[[2]]])])
    >>> model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    >>> from symtd.circuits.onnx_import import load_onnx
    >>> net = load_onnx(model, [[1], [3]])
    >>> symtd.grid_tensor(net).to_strings()  # 2·(x0/4)·(x1/4), exact
    ['1/8', '3/8', '3/8', '9/8']
    """
    proto, T = _model_proto(model), read_templates(templates)
    try:
        return _Importer(proto, T).run()
    except SymtdError as exc:  # name the file, as the network readers do
        if not isinstance(model, (str, os.PathLike)):
            raise
        raise SymtdError(f"{escape(os.fspath(model), 120, quote=False)}: {exc}") from None


def onnx_to_dict(
    model: str | os.PathLike[str] | Any, templates: ArrayLike | str | Path
) -> dict[str, Any]:  # a network document (JSON values)
    """The imported model as a ``symtd-network/2`` document (exact strings); see
    :func:`load_onnx`."""
    return network_to_dict(load_onnx(model, templates), version=2)


def read_templates(templates: ArrayLike | str | Path) -> np.ndarray:
    """Templates as an (M, s) object array of exact Fractions (floats read exactly).

    >>> [str(x) for x in read_templates([[0.1], ["1/3"]]).flat]
    ['3602879701896397/36028797018963968', '1/3']
    """
    strict = False
    if isinstance(templates, (str, os.PathLike)):
        path = os.fspath(templates)
        where = escape(path, 120, quote=False)
        if path.endswith(".npy"):
            templates = _read_npy(path, where)
        else:  # a JSON float is not exact: refused, as in network files
            templates = read_json(path, "templates file")
            strict = True
    else:
        where = "templates"
    try:
        array = np.array(templates, dtype=object)
    except ValueError:
        raise SymtdError(f"{where}: templates must be an (M, s) array") from None
    if array.ndim != 2 or 0 in array.shape:
        raise SymtdError(f"{where}: templates must be a non-empty (M, s) array")
    if array.shape[0] > MAX_WIDTH or array.size > MAX_WEIGHTS:
        raise SymtdError(f"{where}: too many templates (at most {MAX_WIDTH:,} rows)")
    out = np.empty(array.shape, dtype=object)
    for index, value in np.ndenumerate(array):
        at = f"{where}[{index[0]}][{index[1]}]"
        out[index] = parse_rational(value, at) if strict else _exact(value, at)
    return out


def _exact(value: object, where: str) -> Fraction:
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise SymtdError(f"{where}: {value} is not a finite number")
        return Fraction(float(value))
    if isinstance(value, np.integer):
        return Fraction(int(value))
    if isinstance(value, Fraction):
        return value
    return parse_rational(value, where)


def _read_npy(path: str, where: str) -> Any:
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            raise SymtdError(f"{where}: the templates file is larger than 512 MiB")
        array = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise SymtdError(f"{where}: no such file") from None
    except (OSError, ValueError, EOFError) as exc:
        raise SymtdError(f"{where}: not a .npy array: {escape(str(exc))}") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "iuf":
        raise SymtdError(f"{where}: templates must be a numeric array")
    return array.tolist() if array.dtype.kind != "f" else list(map(list, array.astype(float)))


# -- the model file -------------------------------------------------------------------------------
def _model_proto(model: Any) -> Any:  # onnx.ModelProto
    import onnx

    if isinstance(model, onnx.ModelProto):
        return model
    if not isinstance(model, (str, os.PathLike)):
        raise SymtdError("model must be a path to an .onnx file or an onnx.ModelProto")
    where = escape(os.fspath(model), 120, quote=False)
    try:
        if os.path.getsize(model) > MAX_FILE_BYTES:
            raise SymtdError(f"{where}: the model is larger than {MAX_FILE_BYTES // 2**20} MiB")
        with open(model, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise SymtdError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise SymtdError(f"{where}: is a directory, not an ONNX model") from None
    except OSError as exc:
        raise SymtdError(f"{where}: cannot read: {escape(str(exc))}") from None
    proto = onnx.ModelProto()
    try:
        proto.ParseFromString(data)
    except Exception:  # protobuf's DecodeError and friends
        raise SymtdError(f"{where}: not an ONNX model (malformed protobuf)") from None
    if not proto.HasField("graph"):
        raise SymtdError(f"{where}: not an ONNX model (no graph)")
    return proto


# -- the import -----------------------------------------------------------------------------------
class _Importer:
    """Walks the graph from its input to its output, one op at a time."""

    def __init__(self, model: Any, templates: np.ndarray) -> None:
        self.graph = model.graph
        self.T = templates
        self.M = templates.shape[0]
        self.shape: tuple[int, ...] = ()  # the current tensor's shape, batch 1
        self.channels = 0
        if len(self.graph.node) > MAX_GRAPH_NODES:
            raise SymtdError(f"the graph has more than {MAX_GRAPH_NODES:,} nodes")
        self.constants: dict[str, np.ndarray] = {}
        if sum(math.prod(t.dims) for t in self.graph.initializer) > MAX_WEIGHTS:
            raise SymtdError(f"the initializers hold more than {MAX_WEIGHTS:,} entries")
        for t in self.graph.initializer:
            self.constants[t.name] = read_tensor(t, f"initializer {escape(t.name)}")
        self.consumers: dict[str, list[Any]] = {}
        for node in self.graph.node:
            if node.domain not in ("", "ai.onnx"):
                raise SymtdError(f"{_where(node)}: operator domain {escape(node.domain)}")
            if node.op_type == "Constant":
                self._constant(node)
                continue
            for name in node.input:
                self.consumers.setdefault(name, []).append(node)
        check_model(model)  # a model ONNX defines: schemas, types, names defined once
        # the state of the walk
        self.nodes: list[Node] = []
        self.blocks: dict[str, np.ndarray] = {}
        self.block_keys: dict[tuple, str] = {}
        self.operator: str | None = None
        self.F: np.ndarray | None = None  # the representation R (M × K) once read
        self.pending: np.ndarray | None = None  # conv weights since the last pooling
        self.pending_key: tuple = ()
        self.relu: Any = None  # the Relu node after the pending conv
        self.nonnegative = False  # the values before the pending conv are >= 0

    def _constant(self, node: Any) -> None:
        if len(node.output) != 1 or [a.name for a in node.attribute] != ["value"]:
            raise SymtdError(f"{_where(node)}: only a Constant with a tensor 'value' is supported")
        self.constants[node.output[0]] = read_tensor(node.attribute[0].t, _where(node))

    # -- the walk ---------------------------------------------------------------------------------
    def run(self) -> Circuit:
        inputs = [i for i in self.graph.input if i.name not in self.constants]
        if len(inputs) != 1 or len(self.graph.output) != 1:
            raise SymtdError(
                f"the model must have one input and one output, got {len(inputs)} and "
                f"{len(self.graph.output)}"
            )
        current, target = inputs[0].name, self.graph.output[0].name
        self._input_shape(inputs[0])
        seen = {current}
        while current != target:
            users = self.consumers.get(current, [])
            if not users:
                raise SymtdError(
                    f"tensor {escape(current)} is computed but never reaches the output"
                )
            if all(u.op_type == "Slice" for u in users):
                node, current = users[0], self._slices(current, users)
            elif len(users) > 1:
                raise SymtdError(
                    f"{_where(users[1])}: tensor {escape(current)} feeds {len(users)} nodes; "
                    f"only chains (and products of Slices) are imported"
                )
            else:
                node = users[0]
                if list(node.input[:1]) != [current] or len(node.output) != 1:
                    raise SymtdError(f"{_where(node)}: unsupported inputs or outputs")
                self._step(node)
                current = node.output[0]
            if current in seen:
                raise SymtdError(f"{_where(node)}: the graph has a cycle")
            seen.add(current)
        return self._finish()

    def _input_shape(self, value: Any) -> None:
        dims = value.type.tensor_type.shape.dim if value.type.HasField("tensor_type") else []
        sizes: list[int] = [int(d.dim_value) if d.HasField("dim_value") else 0 for d in dims]
        if len(sizes) not in (3, 4) or any(s < 1 for s in sizes[1:]):
            raise SymtdError(
                f"input {escape(value.name)}: expected a static shape (B, s, N) or (B, s, H, W)"
            )
        if dims[0].HasField("dim_value") and sizes[0] != 1:
            raise SymtdError(f"input {escape(value.name)}: batch size must be 1 or symbolic")
        if math.prod(sizes[2:]) > MAX_POSITIONS:
            raise SymtdError(f"input {escape(value.name)}: more than {MAX_POSITIONS:,} positions")
        if sizes[1] != self.T.shape[1]:
            raise SymtdError(
                f"the templates have {self.T.shape[1]} entries each but the input has "
                f"{sizes[1]} channels"
            )
        self.N = math.prod(sizes[2:])
        self.shape = (1, *sizes[1:])
        self.items = np.array([f"x{j}" for j in range(self.N)], dtype=object).reshape(sizes[2:])
        self.channels = sizes[1]

    def _step(self, node: Any) -> None:
        op = node.op_type
        low, high = _ARITY.get(op, (1, 1))
        if not low <= len(node.input) <= high:
            raise SymtdError(f"{_where(node)}: {len(node.input)} inputs")
        if op == "Conv":
            self._conv(node)
        elif op == "Relu":
            attributes(node, {})
            self._relu(node)
        elif op in ("Gemm", "MatMul"):
            self._linear(node)
        elif op in _POOLS:
            self._pool_op(node)
        elif op in _BOOKKEEPING:
            self._reshape(node, self._new_shape(node))
        else:
            raise SymtdError(f"{_where(node)}: unsupported operator")

    def _weight(self, node: Any, index: int) -> np.ndarray:
        if len(node.input) <= index or node.input[index] not in self.constants:
            raise SymtdError(f"{_where(node)}: input {index} must be an initializer or Constant")
        array = self.constants[node.input[index]]
        if array.dtype.kind == "f" and array.size == 0:
            raise SymtdError(f"{_where(node)}: input {index} is empty (shape {array.shape})")
        return array

    # -- convolutions -----------------------------------------------------------------------------
    def _conv(self, node: Any) -> None:
        W = self._weight(node, 1)
        spatial = len(self.shape) - 2
        attrs = attributes(
            node,
            {
                "kernel_shape": [1] * spatial,
                "strides": [1] * spatial,
                "dilations": [1] * spatial,
                "pads": [0] * (2 * spatial),
                "group": 1,
                "auto_pad": b"NOTSET",
            },
            free=("kernel_shape",),
        )
        if W.dtype.kind != "f" or W.ndim != len(self.shape) or self.shape[0] != 1:
            raise SymtdError(f"{_where(node)}: weights of shape {W.shape} for input {self.shape}")
        kernel = list(W.shape[2:])
        if kernel != [1] * spatial or attrs["kernel_shape"] not in (kernel, [1] * spatial):
            raise SymtdError(
                f"{_where(node)}: kernel {kernel}: only 1×1 convolutions are imported "
                f"(a wider convolution sums its window, which no symtd operator does; "
                f"overlapping windows come from pooling with stride below the kernel)"
            )
        if W.shape[1] != self.channels:
            raise SymtdError(
                f"{_where(node)}: weights for {W.shape[1]} channels, got {self.channels}"
            )
        matrix = exact_array(W.reshape(W.shape[:2]))
        bias = self._weight(node, 2) if len(node.input) > 2 and node.input[2] else None
        if bias is not None and bias.shape != W.shape[:1]:
            raise SymtdError(f"{_where(node)}: bias of shape {bias.shape}")
        if self.F is None:  # the representation layer
            R = self.T.dot(matrix.T)
            if bias is not None:
                R = R + exact_array(bias)[None, :]
            self.F, self.pending_key = R, ()
        else:
            if bias is not None and any(x != 0 for x in bias.flat):
                raise SymtdError(
                    f"{_where(node)}: a bias in a hidden layer (symtd's conv blocks have none)"
                )
            self._compose(node, matrix, (("Conv", node.input[1]),))
        self.channels = W.shape[0]
        self.shape = (1, self.channels, *self.shape[2:])

    def _compose(self, node: Any, matrix: np.ndarray, key: tuple) -> None:
        if self.relu is not None:
            raise SymtdError(
                f"{_where(node)}: follows {_where(self.relu)} without pooling in between "
                f"(symtd applies the activation only inside pooling)"
            )
        if self.pending is None:
            self.pending, self.pending_key = matrix, key
        else:
            self.pending, self.pending_key = matrix.dot(self.pending), (*self.pending_key, *key)

    def _relu(self, node: Any) -> None:
        if self.F is None:
            raise SymtdError(f"{_where(node)}: a Relu on the input (before any Conv)")
        if self.pending is not None:
            self.relu = self.relu or node
        elif not self.nodes and not self.nonnegative:  # the representation's activation
            self.F = np.vectorize(lambda x: max(x, Fraction(0)), otypes=[object])(self.F)
            self.nonnegative = True
        elif not self.nonnegative:
            raise SymtdError(
                f"{_where(node)}: a Relu right after product pooling (the product operator "
                f"has a linear activation)"
            )

    def _linear(self, node: Any) -> None:
        if self.items.size != 1 or not self.nodes:
            raise SymtdError(
                f"{_where(node)}: a dense layer is imported only after the last pooling "
                f"(one position left)"
            )
        W = self._weight(node, 1)
        if W.dtype.kind != "f" or W.ndim != 2:
            raise SymtdError(f"{_where(node)}: expected a 2-D float weight matrix")
        factor, flip = Fraction(1), 0
        if node.op_type == "Gemm":
            attrs = attributes(
                node,
                {"alpha": 1.0, "beta": 1.0, "transA": 0, "transB": 0},
                free=("alpha", "beta", "transB"),
            )
            if len(self.shape) != 2:
                raise SymtdError(f"{_where(node)}: Gemm needs a 2-D input, got shape {self.shape}")
            factor, flip = Fraction(attrs["alpha"]), int(bool(attrs["transB"]))
            W = W.T if flip else W
            bias = self._weight(node, 2) if len(node.input) > 2 and node.input[2] else None
            if bias is not None and not broadcasts(bias.shape, (1, W.shape[1])):
                raise SymtdError(f"{_where(node)}: C of shape {bias.shape} for (1, {W.shape[1]})")
            if bias is not None and attrs["beta"] != 0 and any(x != 0 for x in bias.flat):
                raise SymtdError(f"{_where(node)}: a bias on the output (symtd's output has none)")
        else:
            attributes(node, {})
        if self.shape[-1] != self.channels or W.shape[0] != self.channels:
            raise SymtdError(
                f"{_where(node)}: weights of shape {W.shape} for {self.channels} channels"
            )
        matrix = exact_array(W.T) * factor
        self._compose(node, matrix, ((node.op_type, node.input[1], flip, str(factor)),))
        self.channels = W.shape[1]
        self.shape = (*self.shape[:-1], self.channels)

    # -- shapes -----------------------------------------------------------------------------------
    def _new_shape(self, node: Any) -> tuple[int, ...]:
        shape, op = self.shape, node.op_type
        if op == "Identity":
            attributes(node, {})
            return shape
        if op == "Flatten":
            axis = attributes(node, {"axis": 1}, free=("axis",))["axis"]
            axis = axis + len(shape) if axis < 0 else axis
            if not 0 <= axis <= len(shape):
                raise SymtdError(f"{_where(node)}: axis out of range")
            return (math.prod(shape[:axis]), math.prod(shape[axis:]))
        if op == "Reshape":
            allow = attributes(node, {"allowzero": 0}, free=("allowzero",))["allowzero"]
            target = self._indices(node, 1)
            return reshape_target(node, shape, target, bool(allow))
        axes = self._axes(node, required=(op == "Unsqueeze"))
        if op == "Squeeze":
            axes = axes if axes is not None else [a for a, d in enumerate(shape) if d == 1 and a]
            axes = [a + len(shape) if a < 0 else a for a in axes]
            if len(set(axes)) != len(axes):
                raise SymtdError(f"{_where(node)}: an axis appears twice")
            if any(not 0 <= a < len(shape) or shape[a] != 1 for a in axes):
                raise SymtdError(f"{_where(node)}: squeezes an axis that is not 1")
            return tuple(d for a, d in enumerate(shape) if a not in axes)
        rank = len(shape) + len(axes or [])
        axes = sorted(a + rank if a < 0 else a for a in axes or [])
        if any(not 0 <= a < rank for a in axes) or len(set(axes)) != len(axes):
            raise SymtdError(f"{_where(node)}: bad axes {axes}")
        rest = iter(shape)
        return tuple(1 if a in axes else next(rest) for a in range(rank))

    def _axes(self, node: Any, required: bool) -> list[int] | None:
        attrs = attributes(
            node,
            {"axes": None, "keepdims": 1, "noop_with_empty_axes": 0},
            free=("axes", "keepdims"),
        )
        axes = attrs["axes"]
        if len(node.input) > 1 and node.input[1]:
            axes = self._indices(node, 1)
        if axes is None and required:
            raise SymtdError(f"{_where(node)}: needs axes")
        return axes

    def _indices(self, node: Any, index: int) -> list[int]:
        """An integer input (shape, axes, starts, ...): a 1-D int32/int64 constant."""
        array = self._weight(node, index)
        if array.dtype.kind != "i" or array.ndim != 1:
            raise SymtdError(f"{_where(node)}: input {index} must be a 1-D integer tensor")
        return [int(a) for a in array]

    def _reshape(self, node: Any, shape: tuple[int, ...]) -> None:
        if math.prod(shape) != math.prod(self.shape):
            raise SymtdError(f"{_where(node)}: shape {shape} does not fit {self.shape}")
        if len(shape) >= 2 and shape[:2] == self.shape[:2] and self.shape[1] == self.channels:
            self.items = self.items.reshape(shape[2:])
        elif self.items.size != 1 or shape[0] != 1:
            raise SymtdError(
                f"{_where(node)}: shape {shape} mixes channels and positions (only the root's "
                f"channels may be flattened)"
            )
        self.shape = shape

    # -- pooling ----------------------------------------------------------------------------------
    def _pool_op(self, node: Any) -> None:
        op, items = node.op_type, self.items
        if len(self.shape) != items.ndim + 2 or self.shape[1] != self.channels or not items.ndim:
            raise SymtdError(f"{_where(node)}: pooling on a flattened tensor")
        spatial = items.ndim
        out: tuple[int, ...]
        if op in ("GlobalMaxPool", "GlobalAveragePool"):
            attributes(node, {})
            windows, out = [list(items.flat)], (1,) * spatial
        elif op in ("MaxPool", "AveragePool"):
            if len(node.output) != 1:
                raise SymtdError(f"{_where(node)}: the Indices output is not supported")
            attrs = attributes(
                node,
                {
                    "kernel_shape": None,
                    "strides": [1] * spatial,
                    "pads": [0] * (2 * spatial),
                    "dilations": [1] * spatial,
                    "ceil_mode": 0,
                    "auto_pad": b"NOTSET",
                    "storage_order": 0,
                    "count_include_pad": 0,
                },
                free=("kernel_shape", "strides", "count_include_pad"),
            )
            kernel, strides = attrs["kernel_shape"], attrs["strides"]
            if kernel is None or len(kernel) != spatial or len(strides) != spatial:
                raise SymtdError(f"{_where(node)}: kernel_shape and strides need {spatial} entries")
            windows, out = pool_windows(node, items, kernel, strides)
        else:  # ReduceMax, ReduceMean, ReduceProd
            axes = self._axes(node, required=False)
            keep = attributes(
                node,
                {"axes": None, "keepdims": 1, "noop_with_empty_axes": 0},
                free=("axes", "keepdims"),
            )["keepdims"]
            rank = items.ndim + 2
            axes = sorted([a + rank if a < 0 else a for a in axes] if axes else range(rank))
            if len(set(axes)) != len(axes):
                raise SymtdError(f"{_where(node)}: an axis appears twice")
            if not axes or axes[0] < 2 or axes[-1] >= rank:
                raise SymtdError(f"{_where(node)}: reduces the batch or channel axis")
            moved = np.moveaxis(items, [a - 2 for a in axes], list(range(-len(axes), 0)))
            left: tuple[int, ...] = tuple(moved.shape[: items.ndim - len(axes)])
            sizes: list[int] = list(items.shape)
            windows = [list(w) for w in moved.reshape(math.prod(left), -1)]
            out = tuple(1 if a + 2 in axes else n for a, n in enumerate(sizes)) if keep else left
        self._pool(node, _POOLS[op], windows, out)

    def _slices(self, current: str, users: list[Any]) -> str:
        """Slices of the current tensor multiplied together: product pooling."""
        parts: dict[str, list[np.ndarray]] = {}
        for node in users:
            attributes(node, {})
            if len(node.input) < 3 or len(self.shape) != self.items.ndim + 2:
                raise SymtdError(
                    f"{_where(node)}: Slice needs starts and ends inputs (opset >= 10)"
                )
            if node.input[0] != current or len(node.output) != 1:
                raise SymtdError(f"{_where(node)}: unsupported inputs or outputs")
            starts, ends = self._indices(node, 1), self._indices(node, 2)
            rank, given = len(self.shape), len(node.input)
            axes = self._indices(node, 3) if given > 3 and node.input[3] else range(len(starts))
            steps = self._indices(node, 4) if given > 4 and node.input[4] else [1] * len(starts)
            axes = [a + rank if a < 0 else a for a in axes]
            if not len(starts) == len(ends) == len(axes) == len(steps) == len(set(axes)):
                raise SymtdError(
                    f"{_where(node)}: starts, ends, axes and steps need one length and "
                    f"distinct axes"
                )
            index = [slice(None)] * self.items.ndim
            for a, start, end, step in zip(axes, starts, ends, steps):
                if a < 2 or a >= rank or step < 1:
                    raise SymtdError(f"{_where(node)}: slices only positions, with positive steps")
                index[a - 2] = slice(start, end, step)
            parts[node.output[0]] = [self.items[tuple(index)]]
        while True:
            muls = [
                u
                for n in parts
                for u in self.consumers.get(n, [])
                if u.op_type == "Mul" and all(i in parts for i in u.input)
            ]
            if not muls:
                break
            mul = muls[0]
            attributes(mul, {})
            if (
                len(mul.input) != 2
                or mul.input[0] == mul.input[1]
                or len(mul.output) != 1
                or any(len(self.consumers[i]) != 1 for i in mul.input)
            ):
                raise SymtdError(f"{_where(mul)}: a Mul of two distinct slices is expected")
            parts[mul.output[0]] = parts.pop(mul.input[0]) + parts.pop(mul.input[1])
        if len(parts) != 1:
            node = next((u for n in parts for u in self.consumers.get(n, [])), users[0])
            raise SymtdError(
                f"{_where(node)}: Slices must all be multiplied together (product pooling)"
            )
        ((name, pieces),) = parts.items()
        if len(pieces) < 2:
            raise SymtdError(f"{_where(users[0])}: a Slice is imported only in a Mul of Slices")
        if len({p.shape for p in pieces}) != 1:
            raise SymtdError(f"{_where(users[0])}: multiplied Slices must have one shape")
        windows = [list(w) for w in np.stack([p.reshape(-1) for p in pieces], axis=1)]
        self._pool(users[0], "product", windows, pieces[0].shape)
        return name

    def _pool(self, node: Any, kind: str, windows: list[list[str]], out: tuple[int, ...]) -> None:
        if self.F is None:
            raise SymtdError(f"{_where(node)}: pooling before the representation Conv")
        if self.operator not in (None, kind):
            raise SymtdError(
                f"{_where(node)}: {kind} pooling after {self.operator} pooling (a symtd circuit "
                f"has one operator)"
            )
        if kind == "product" and self.relu is not None:
            raise SymtdError(
                f"{_where(self.relu)}: a Relu before product pooling (the product operator "
                f"has a linear activation)"
            )
        if (
            kind != "product"
            and self.relu is None
            and not (self.pending is None and self.nonnegative)
            and not (kind == "max" and self._relu_follows(node))
        ):
            after = " (or right after it)" if kind == "max" else ""
            raise SymtdError(
                f"{_where(node)}: {kind} pooling without a Relu before it{after} (symtd's "
                f"{kind} operator applies ReLU to every member)"
            )
        used = {m for w in windows for m in w}
        if any(len(set(w)) != len(w) for w in windows):
            raise SymtdError(f"{_where(node)}: a window holds one position twice")
        missing = [m for m in self.items.flat if m not in used]
        if missing:
            raise SymtdError(
                f"{_where(node)}: {len(missing)} input(s) in no window (the model ignores them; "
                f"a symtd circuit uses every position)"
            )
        block = self._block()
        width = self.blocks[block].shape[0]
        first = len(self.nodes)
        self.nodes.extend(Node(width, tuple((m, block) for m in w)) for w in windows)
        self.items = np.array([f"n{first + t}" for t in range(len(windows))], dtype=object)
        self.items = self.items.reshape(out)
        self.shape = (1, self.channels, *out)
        self.operator, self.pending, self.relu = kind, None, None
        self.nonnegative = kind != "product"

    def _relu_follows(self, node: Any) -> bool:
        """The pooled tensor goes only to a Relu: relu(max(a, b)) = max(relu(a), relu(b))."""
        users = self.consumers.get(node.output[0], [])
        return (
            len(users) == 1
            and users[0].op_type == "Relu"
            and node.output[0] != self.graph.output[0].name
        )

    def _block(self) -> str:
        """Name the pending conv weights (identity when none) as a block, shared by key."""
        matrix, key = self.pending, self.pending_key
        if matrix is None:
            matrix = identity(self.channels)
            key = ("identity", self.channels)
        if not self.nodes:  # the first level acts on the representation
            R = self.F
            assert R is not None
            if R.shape[0] != R.shape[1]:
                matrix, key = matrix.dot(R.T), ("representation", *key)
                self.F = identity(self.M)
        return self._name(key, matrix)

    def _name(self, key: tuple, matrix: np.ndarray) -> str:
        if key not in self.block_keys:
            base = "W" + str(len(self.block_keys))
            if len(key) == 1 and isinstance(key[0], tuple) and key[0][0] == "Conv":
                base = "w_" + re.sub(r"[^A-Za-z0-9_]", "_", key[0][1])[:40]
            name, k = base, 1
            while name in self.blocks:
                name, k = f"{base}_{k}", k + 1
            self.block_keys[key] = name
            self.blocks[name] = matrix
        return self.block_keys[key]

    def _finish(self) -> Circuit:
        if not self.nodes:
            raise SymtdError("the model has no pooling layer")
        if self.items.size != 1:
            raise SymtdError(
                f"the last pooling leaves {self.items.size} positions; the output must read "
                f"one (the root)"
            )
        if self.relu is not None:
            raise SymtdError(
                f"{_where(self.relu)}: a Relu after the last pooling (symtd's output is linear)"
            )
        if math.prod(self.shape) != 1:
            raise SymtdError(
                f"the output has {math.prod(self.shape)} entries per sample; expected 1"
            )
        out = self.pending if self.pending is not None else identity(1)
        self.blocks["out"] = out.reshape(-1)
        assert self.F is not None
        return Circuit(
            self.N,
            self.M,
            self.nodes,
            self.operator or "product",
            output="out",
            weights=self.blocks,
            F=self.F,
        )
