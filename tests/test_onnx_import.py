"""``symtd import``: ONNX models become circuits whose grid tensor is the model's function at the
templates, exactly.

Each model is built with onnx.helper from a layer list; the same list is evaluated here,
independently of symtd, in exact rationals per template tuple, and by onnxruntime in float32.
"""

from __future__ import annotations

import itertools
import json
import runpy
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import symtd
from symtd.cli import main
from symtd.errors import SymtdError

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from symtd.circuits.onnx_import import load_onnx, onnx_to_dict  # noqa: E402


# -- building models and evaluating them exactly ----------------------------------------
def build(layers, s, N, name="m", spatial=None):
    """An ONNX model (opset 13) from a layer list; input (B, s, N) or (B, s, H, W)."""
    spatial = spatial or [N]
    nodes, inits, current, n = [], [], "x", list(spatial)
    done = set()

    def init(key, array):
        if key not in done:
            done.add(key)
            inits.append(numpy_helper.from_array(np.asarray(array), key))

    for i, layer in enumerate(layers):
        kind, out = layer[0], f"t{i}"
        ones = [1] * len(n)
        if kind in ("rep", "conv"):
            W = layer[1]
            key = layer[3] if kind == "conv" and isinstance(layer[-1], str) else f"W{i}"
            init(key, W.reshape(*W.shape, *ones))
            inputs = [current, key]
            if kind == "rep" or layer[2] is not None:
                init(f"b{i}", layer[2])
                inputs.append(f"b{i}")
            nodes.append(
                helper.make_node(
                    "Conv",
                    inputs,
                    [out],
                    name=f"conv{i}",
                    **layer[-1] if kind == "conv" and isinstance(layer[-1], dict) else {},
                )
            )
        elif kind == "relu":
            nodes.append(helper.make_node("Relu", [current], [out], name=f"relu{i}"))
        elif kind in ("maxpool", "avgpool"):
            op = "MaxPool" if kind == "maxpool" else "AveragePool"
            k, st = layer[1], layer[2]
            nodes.append(
                helper.make_node(
                    op,
                    [current],
                    [out],
                    name=f"pool{i}",
                    kernel_shape=[k] * len(n),
                    strides=[st] * len(n),
                )
            )
            n = [(m - k) // st + 1 for m in n]
        elif kind == "prod_reshape":  # 1-D: Reshape (0, 0, n/k, k), ReduceProd over the last axis
            k = layer[1]
            init(f"shape{i}", np.array([0, 0, n[0] // k, k], np.int64))
            nodes.append(
                helper.make_node("Reshape", [current, f"shape{i}"], [f"r{i}"], name=f"reshape{i}")
            )
            nodes.append(
                helper.make_node(
                    "ReduceProd", [f"r{i}"], [out], name=f"prod{i}", axes=[3], keepdims=0
                )
            )
            n = [n[0] // k]
        elif kind == "prod_slices":  # 1-D: product of k Slices start j, step st
            k, st = layer[1], layer[2]
            m = (n[0] - k) // st + 1
            names = []
            for j in range(k):
                for what, v in (("s", j), ("e", j + (m - 1) * st + 1), ("a", 2), ("p", st)):
                    init(f"{what}{i}_{j}", np.array([v], np.int64))
                names.append(f"sl{i}_{j}")
                nodes.append(
                    helper.make_node(
                        "Slice",
                        [current, f"s{i}_{j}", f"e{i}_{j}", f"a{i}_{j}", f"p{i}_{j}"],
                        [names[-1]],
                        name=f"slice{i}_{j}",
                    )
                )
            acc = names[0]
            for j in range(1, k):
                nxt = out if j == k - 1 else f"mul{i}_{j}"
                nodes.append(helper.make_node("Mul", [acc, names[j]], [nxt], name=f"mul{i}_{j}"))
                acc = nxt
            n = [m]
        elif kind == "flatten":
            nodes.append(helper.make_node("Flatten", [current], [out], name=f"flatten{i}"))
        elif kind == "gemm":
            init(f"G{i}", layer[1])
            nodes.append(
                helper.make_node("Gemm", [current, f"G{i}"], [out], name=f"gemm{i}", transB=1)
            )
        elif kind == "raw":  # a raw node: (op, attrs, extra initializers)
            for key, array in layer[3].items():
                init(key, array)
            nodes.append(
                helper.make_node(layer[1], [current, *layer[3]], [out], name=f"raw{i}", **layer[2])
            )
        current = out
    graph = helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, s, *spatial])],
        [helper.make_tensor_value_info(current, TensorProto.FLOAT, None)],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def exact(layers, x):
    """The model's output at one input x (s × N, Fractions), in exact rational arithmetic."""
    y = x
    for layer in layers:
        kind = layer[0]
        if kind in ("rep", "conv"):
            W = np.vectorize(lambda v: Fraction(float(v)), otypes=[object])(layer[1])
            y = W.dot(y)
            if layer[2] is not None:
                y = y + np.array([Fraction(float(b)) for b in layer[2]], dtype=object)[:, None]
        elif kind == "relu":
            y = np.vectorize(lambda v: max(v, Fraction(0)), otypes=[object])(y)
        elif kind in ("maxpool", "avgpool", "prod_reshape", "prod_slices"):
            k = layer[1]
            st = layer[2] if kind in ("maxpool", "avgpool", "prod_slices") else k
            m = (y.shape[1] - k) // st + 1
            cols = []
            for t in range(m):
                window = [y[:, t * st + i] for i in range(k)]
                if kind == "maxpool":
                    cols.append(
                        np.array(
                            [max(w[c] for w in window) for c in range(y.shape[0])], dtype=object
                        )
                    )
                elif kind == "avgpool":
                    cols.append(sum(window[1:], window[0]) / k)
                else:
                    prod = window[0]
                    for w in window[1:]:
                        prod = prod * w
                    cols.append(prod)
            y = np.stack(cols, axis=1)
        elif kind == "gemm":
            G = np.vectorize(lambda v: Fraction(float(v)), otypes=[object])(layer[1])
            y = G.dot(y.reshape(-1))
    return y.reshape(-1)[0]


def run_ort(model, T, N, spatial=None):
    """onnxruntime's float32 output at every template tuple, as an array of shape (M,)*N
    (positions row-major over ``spatial``)."""
    M = len(T)
    tuples = list(itertools.product(range(M), repeat=N))
    X = np.stack([T[list(d)].T for d in tuples]).astype(np.float32)
    X = X.reshape(len(tuples), T.shape[1], *(spatial or [N]))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    out = session.run(None, {"x": X})[0]
    return out.reshape((M,) * N).astype(np.float64)


def weights(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


def templates(rng, M, s):
    return rng.standard_normal((M, s)).astype(np.float32)


def check(layers, s, N, T, spatial=None, tuples=None):
    """Import, then compare with onnxruntime (float32 tolerance) and the exact reference."""
    model = build(layers, s, N, spatial=spatial)
    net = load_onnx(model, T)
    grid = symtd.grid_tensor(net).to_fractions()
    ref = run_ort(model, T, N)
    scale = max(1.0, float(np.abs(ref).max()))
    assert np.allclose(grid.astype(float), ref, rtol=1e-4, atol=1e-5 * scale)
    assert all(x.denominator & (x.denominator - 1) == 0 for x in grid.flat)  # dyadic
    Tq = np.vectorize(lambda v: Fraction(float(v)), otypes=[object])(T)
    every = list(itertools.product(range(len(T)), repeat=N))
    for d in every if tuples is None else every[:: max(1, len(every) // tuples)]:
        assert grid[d] == exact(layers, Tq[list(d)].T), d
    return net


# -- the three operators, overlapping windows, shared blocks ------------------------------
def test_max_pooling_deep():
    rng = np.random.default_rng(0)
    s, K, M, r = 2, 3, 3, 2
    layers = [
        ("rep", weights(rng, K, s), weights(rng, K)),
        ("relu",),
        ("conv", weights(rng, r, K), None),
        ("relu",),
        ("maxpool", 2, 2),
        ("conv", weights(rng, r, r), None),
        ("relu",),
        ("maxpool", 2, 2),
        ("flatten",),
        ("gemm", weights(rng, 1, r)),
    ]
    net = check(layers, s, 4, templates(rng, M, s))
    assert net.operator is symtd.MAX and net.is_tree and net.M == 3


def test_avg_pooling_with_representation_folded():
    rng = np.random.default_rng(1)
    s, K, M, r = 3, 4, 2, 3  # K != M: F = I, the representation folds into the first block
    layers = [
        ("rep", weights(rng, K, s), weights(rng, K)),
        ("relu",),
        ("conv", weights(rng, r, K), None),
        ("relu",),
        ("avgpool", 2, 2),
        ("conv", weights(rng, r, r), None),
        ("relu",),
        ("avgpool", 2, 2),
        ("conv", weights(rng, 1, r), None),
        ("flatten",),
    ]
    net = check(layers, s, 4, templates(rng, M, s))
    assert net.operator is symtd.AVG
    assert all(net.F[i, j] == (i == j) for i in range(M) for j in range(M))


def test_product_pooling_reshape_reduceprod():
    rng = np.random.default_rng(2)
    s, M, r = 2, 2, 2
    layers = [
        ("rep", weights(rng, M, s), weights(rng, M)),
        ("conv", weights(rng, r, M), None),
        ("prod_reshape", 2),
        ("conv", weights(rng, r, r), None),
        ("prod_reshape", 2),
        ("conv", weights(rng, r, r), None),
        ("prod_reshape", 2),
        ("flatten",),
        ("gemm", weights(rng, 1, r)),
    ]
    T = templates(rng, M, s)
    net = check(layers, s, 8, T)
    assert net.operator is symtd.PRODUCT and net.is_tree
    # F square: it is the representation R = T W^T + b itself (no ReLU), exactly
    W, b = (np.vectorize(lambda v: Fraction(float(v)), otypes=[object])(a) for a in layers[0][1:3])
    Tq = np.vectorize(lambda v: Fraction(float(v)), otypes=[object])(T)
    assert (net.F == Tq.dot(W.T) + b[None, :]).all()
    assert symtd.matricization_rank(net, "odd-even") == 16


def test_overlapping_product_slices_and_shared_block():
    rng = np.random.default_rng(3)
    s, M, r = 1, 2, 2
    A = weights(rng, r, r)
    layers = [
        ("rep", weights(rng, M, s), weights(rng, M)),
        ("conv", weights(rng, r, M), None),
        ("prod_slices", 2, 1),  # windows {t, t+1}: overlap
        ("conv", A, None, "shared"),
        ("prod_slices", 2, 2),
        ("conv", A, None, "shared"),
        ("prod_slices", 2, 1),  # the same initializer: one block
        ("flatten",),
        ("gemm", weights(rng, 1, r)),
    ]
    net = check(layers, s, 5, templates(rng, M, s))  # 5 -> 4 -> 2 -> 1
    assert not net.is_tree
    assert [len(node.pool) for node in net.nodes] == [2] * 7
    blocks = {b for node in net.nodes[4:] for _, b in node.pool}
    assert blocks == {"w_shared"}


def test_overlapping_max_pool_stride_below_kernel():
    rng = np.random.default_rng(4)
    s, M, r = 2, 2, 2
    layers = [
        ("rep", weights(rng, M, s), weights(rng, M)),
        ("relu",),
        ("conv", weights(rng, r, M), None),
        ("relu",),
        ("maxpool", 3, 1),  # 5 -> 3, overlapping
        ("conv", weights(rng, r, r), None),
        ("relu",),
        ("maxpool", 3, 1),  # 3 -> 1
        ("flatten",),
        ("gemm", weights(rng, 1, r)),
    ]
    net = check(layers, s, 5, templates(rng, M, s))
    assert not net.is_tree and net.operator is symtd.MAX


def test_two_dimensional_input_row_major():
    """(B, s, 2, 4) with 2x2 max pooling, then a 1x2 pool: positions are numbered row-major,
    so the first window is {x0, x1, x4, x5}; the grid equals onnxruntime's on all 256 tuples."""
    rng = np.random.default_rng(5)
    s, M, r = 2, 2, 2
    A = weights(rng, r, r)
    layers = [
        ("rep", weights(rng, M, s), weights(rng, M)),
        ("relu",),
        ("conv", weights(rng, r, M), None),
        ("relu",),
        ("maxpool", 2, 2),  # 2x4 -> 1x2
        ("conv", A, None),
        ("relu",),
        ("raw", "MaxPool", {"kernel_shape": [1, 2], "strides": [1, 2]}, {}),  # 1x2 -> 1x1
        ("flatten",),
        ("gemm", weights(rng, 1, r)),
    ]
    model = build(layers, s, 8, spatial=[2, 4])
    T = templates(rng, M, s)
    net = load_onnx(model, T)
    grid = symtd.grid_tensor(net).to_fractions()
    assert np.allclose(grid.astype(float), run_ort(model, T, 8, spatial=[2, 4]), 1e-5, 1e-6)
    assert [[m for m, _ in node.pool] for node in net.nodes] == [
        ["x0", "x1", "x4", "x5"],
        ["x2", "x3", "x6", "x7"],
        ["n0", "n1"],
    ]
    # exact: the same function on the flattened positions, windows taken row-major
    Tq = np.vectorize(lambda v: Fraction(float(v)), otypes=[object])(T)
    order = [0, 1, 4, 5, 2, 3, 6, 7]
    same = [*layers[:4], ("maxpool", 4, 4), ("conv", A, None), ("relu",), ("maxpool", 2, 2)]
    same += layers[8:]
    for d in list(itertools.product(range(M), repeat=8))[::17]:
        assert grid[d] == exact(same, Tq[[d[j] for j in order]].T)


def test_document_is_exact_v2():
    rng = np.random.default_rng(6)
    layers = [
        ("rep", weights(rng, 2, 1), weights(rng, 2)),
        ("conv", weights(rng, 2, 2), None),
        ("prod_reshape", 2),
        ("flatten",),
        ("gemm", weights(rng, 1, 2)),
    ]
    model = build(layers, 1, 2)
    T = templates(rng, 2, 1)
    doc = onnx_to_dict(model, T)
    assert doc["format"] == "symtd-network/2"
    W = layers[1][1]
    assert doc["weights"]["w_W1"][0][1] == str(Fraction(float(W[0, 1])))
    assert symtd.network_from_dict(json.loads(json.dumps(doc))) == load_onnx(model, T)


# -- the command line ------------------------------------------------------------
def save(tmp_path, model, T):
    path, tpath = tmp_path / "m.onnx", tmp_path / "T.npy"
    path.write_bytes(model.SerializeToString())
    np.save(tpath, T)
    return path, tpath


def run_cli(args, capsys):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_writes_a_loadable_network(tmp_path, capsys):
    rng = np.random.default_rng(7)
    layers = [
        ("rep", weights(rng, 2, 2), weights(rng, 2)),
        ("relu",),
        ("conv", weights(rng, 2, 2), None),
        ("relu",),
        ("maxpool", 2, 2),
        ("conv", weights(rng, 1, 2), None),
        ("flatten",),
    ]
    model = build(layers, 2, 2)
    T = templates(rng, 2, 2)
    path, tpath = save(tmp_path, model, T)
    code, out, err = run_cli(
        ["import", path, "--templates", tpath, "--out", tmp_path / "n.json"], capsys
    )
    assert code == 0, err
    net = symtd.load_network(tmp_path / "n.json")
    assert net == load_onnx(model, T)
    assert np.allclose(symtd.grid_tensor(net).to_float(), run_ort(model, T, 2), rtol=1e-5)


BASE = [("rep", np.eye(2, dtype=np.float32), np.zeros(2, np.float32))]


def refused(tmp_path, capsys, layers, expected, s=2, N=4, model=None):
    model = model or build(layers, s, N)
    path, tpath = save(tmp_path, model, np.eye(2, s, dtype=np.float32))
    code, out, err = run_cli(
        ["import", path, "--templates", tpath, "--out", tmp_path / "n.json"], capsys
    )
    assert code == 2 and out == ""
    assert err.startswith("symtd: error: ") and err.count("\n") == 1, err
    for word in expected:
        assert word in err, err
    assert not (tmp_path / "n.json").exists()
    return err


W2 = np.array([[1, 2], [3, -4]], np.float32)


def test_refuses_hidden_bias(tmp_path, capsys):
    layers = [
        *BASE,
        ("conv", W2, np.ones(2, np.float32)),
        ("relu",),
        ("maxpool", 4, 4),
        ("flatten",),
        ("gemm", W2[:1]),
    ]
    refused(tmp_path, capsys, layers, ["'conv1'", "(Conv)", "bias in a hidden layer"])


def test_refuses_unsupported_op(tmp_path, capsys):
    layers = [*BASE, ("raw", "Sigmoid", {}, {}), ("maxpool", 4, 4), ("flatten",), ("gemm", W2[:1])]
    refused(tmp_path, capsys, layers, ["'raw1'", "(Sigmoid)", "unsupported operator"])


def test_refuses_pads(tmp_path, capsys):
    layers = [
        *BASE,
        ("conv", W2, None, {"pads": [1, 1]}),
        ("relu",),
        ("maxpool", 4, 4),
        ("flatten",),
        ("gemm", W2[:1]),
    ]
    refused(tmp_path, capsys, layers, ["'conv1'", "(Conv)", "pads"])


def test_refuses_relu_before_product_and_max_without_relu(tmp_path, capsys):
    layers = [
        *BASE,
        ("conv", W2, None),
        ("relu",),
        ("prod_reshape", 4),
        ("flatten",),
        ("gemm", W2[:1]),
    ]
    refused(tmp_path, capsys, layers, ["'relu2'", "(Relu)", "product"])
    layers = [*BASE, ("conv", W2, None), ("maxpool", 4, 4), ("flatten",), ("gemm", W2[:1])]
    refused(tmp_path, capsys, layers, ["'pool2'", "(MaxPool)", "without a Relu"])


def test_refuses_wide_convolution(tmp_path, capsys):
    layers = [
        *BASE,
        ("raw", "Conv", {}, {"K3": np.ones((2, 2, 3), np.float32)}),
        ("relu",),
        ("maxpool", 2, 2),
        ("flatten",),
        ("gemm", W2[:1]),
    ]
    refused(tmp_path, capsys, layers, ["'raw1'", "(Conv)", "kernel [3]"])


def test_refuses_nan_weight(tmp_path, capsys):
    bad = W2.copy()
    bad[0, 1] = np.nan
    layers = [
        *BASE,
        ("conv", bad, None),
        ("relu",),
        ("maxpool", 4, 4),
        ("flatten",),
        ("gemm", W2[:1]),
    ]
    refused(tmp_path, capsys, layers, ["'W1'", "NaN"])


def test_refuses_malformed_file(tmp_path, capsys):
    path = tmp_path / "m.onnx"
    path.write_bytes(b"\x08\x07\x12\xff\xff\xff\xffgarbage")
    np.save(tmp_path / "T.npy", np.eye(2, dtype=np.float32))
    code, out, err = run_cli(
        ["import", path, "--templates", tmp_path / "T.npy", "--out", tmp_path / "n.json"], capsys
    )
    assert code == 2 and err.count("\n") == 1 and "m.onnx" in err and "ONNX" in err, err


def test_refuses_escape_hostile_names(tmp_path, capsys):
    layers = [*BASE, ("raw", "Sigmoid", {}, {}), ("maxpool", 4, 4), ("flatten",), ("gemm", W2[:1])]
    model = build(layers, 2, 4)
    model.graph.node[1].name = "evil\nsymtd: ok\x1b[2J"
    err = refused(tmp_path, capsys, layers, ["evil\\nsymtd: ok\\x1b[2J", "(Sigmoid)"], model=model)
    assert "\x1b" not in err


def test_templates_json_exact_and_floats_refused(tmp_path):
    rng = np.random.default_rng(8)
    layers = [
        ("rep", weights(rng, 2, 1), weights(rng, 2)),
        ("conv", weights(rng, 2, 2), None),
        ("prod_reshape", 2),
        ("flatten",),
        ("gemm", weights(rng, 1, 2)),
    ]
    model = build(layers, 1, 2)
    path = tmp_path / "T.json"
    path.write_text('[["1/3"], [2]]')
    net = load_onnx(model, path)
    T = np.array([[Fraction(1, 3)], [Fraction(2)]], dtype=object)
    assert symtd.grid_tensor(net).to_fractions()[0, 1] == exact(layers, T[[0, 1]].T)
    path.write_text("[[0.5], [2]]")
    with pytest.raises(SymtdError, match="not exact"):
        load_onnx(model, path)


def test_subprocess_help_and_error():
    out = subprocess.run(
        [sys.executable, "-c", "import sys, symtd.cli; sys.exit(symtd.cli.main())", "import", "-h"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0 and "--templates" in out.stdout


@pytest.mark.slow
def test_deep_N16_product_rank():
    """N = 16, M = r = 2 deep ConvAC from float32 weights: odd-even rank 2^8 = 256 (T4)."""
    rng = np.random.default_rng(9)
    layers = [("rep", weights(rng, 2, 2), weights(rng, 2))]
    for _ in range(4):
        layers += [("conv", weights(rng, 2, 2), None), ("prod_reshape", 2)]
    layers += [("flatten",), ("gemm", weights(rng, 1, 2))]
    net = check(layers, 2, 16, templates(rng, 2, 2), tuples=50)
    assert symtd.matricization_rank(net, "odd-even") == 256


def test_global_pools_reduce_ops_matmul_and_squeeze():
    """GlobalAveragePool, ReduceMax and MatMul/Squeeze are the same functions as avg/max pooling
    over all positions and Gemm: the imported grids equal the exact reference of those."""
    rng = np.random.default_rng(10)
    s, M, r, N = 2, 2, 2, 3
    rep, W, G = (weights(rng, M, s), weights(rng, M)), weights(rng, r, M), weights(rng, 1, r)
    T = templates(rng, M, s)
    Tq = np.vectorize(lambda v: Fraction(float(v)), otypes=[object])(T)
    axes = {"ax": np.array([2], np.int64)}
    for op, attrs, kind in (
        ("GlobalAveragePool", {}, "avgpool"),
        ("ReduceMax", {"axes": [2], "keepdims": 1}, "maxpool"),
    ):
        head = [("rep", *rep), ("relu",), ("conv", W, None), ("relu",)]
        tail = [("raw", "Squeeze", {}, axes), ("raw", "MatMul", {}, {"Wm": G.T.copy()})]
        model = build([*head, ("raw", op, attrs, {}), *tail], s, N)
        net = load_onnx(model, T)
        grid = symtd.grid_tensor(net).to_fractions()
        assert np.allclose(grid.astype(float), run_ort(model, T, N).reshape(grid.shape), 1e-5)
        same = [*head, (kind, N, N), ("flatten",), ("gemm", G)]
        for d in itertools.product(range(M), repeat=N):
            assert grid[d] == exact(same, Tq[list(d)].T)


def test_refuses_cycles_branches_and_unused_positions(tmp_path, capsys):
    layers = [*BASE, ("conv", W2, None), ("relu",), ("maxpool", 2, 2), ("flatten",)]
    model = build(layers, 2, 5)  # windows {0,1}, {2,3}: position 4 in none
    refused(tmp_path, capsys, layers, ["'pool3'", "(MaxPool)", "in no window"], N=5, model=model)
    model = build([*BASE, ("relu",), ("maxpool", 2, 2)], 2, 4)
    model.graph.node[1].output[0] = model.graph.node[0].output[0]  # Relu writes its own input
    refused(tmp_path, capsys, [], ["tensor 't0' is defined twice"], model=model)
    model = build([*BASE, ("relu",), ("maxpool", 4, 4)], 2, 4)
    model.graph.node.append(helper.make_node("Neg", ["t0"], ["z"], name="branch"))
    refused(tmp_path, capsys, [], ["'branch'", "(Neg)", "feeds 2 nodes"], model=model)


# -- examples/onnx ------------------------------------------------------------
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "onnx"


def test_examples_are_what_make_models_writes(tmp_path):
    make = runpy.run_path(str(EXAMPLES / "make_models.py"))
    make["HERE"] = tmp_path
    for build_one in (make["deep_product"], make["max_overlapping"], make["avg"]):
        build_one()
    make["avg"]("hidden_bias", hidden_bias=True)
    for path in tmp_path.glob("*.onnx"):
        assert path.read_bytes() == (EXAMPLES / path.name).read_bytes(), path.name


@pytest.mark.parametrize("name", ["max_overlapping_N8", "avg_N8"])
def test_examples_import_exactly(name):
    T = np.load(EXAMPLES / "templates.npy")
    model = onnx.load(str(EXAMPLES / f"{name}.onnx"))
    net = load_onnx(EXAMPLES / f"{name}.onnx", EXAMPLES / "templates.npy")
    grid = symtd.grid_tensor(net).to_fractions()
    ref = run_ort(model, T, 8)
    assert np.allclose(grid.astype(float), ref, rtol=1e-5, atol=1e-7)
    assert np.count_nonzero(ref) > 100  # not a dead network


# -- adversarial review: models that were accepted wrongly, or crashed ----------------------
def dense_then_pool(G, transB, name):
    """After the last pooling: Gemm(G, transB), Unsqueeze, ReduceProd over the one position."""
    u, pool = {"u": np.array([2], np.int64)}, {"axes": [2], "keepdims": 1}
    gemm = ("raw", "Gemm", {"transB": transB}, {name: G})
    return [("flatten",), gemm, ("raw", "Unsqueeze", {}, u), ("raw", "ReduceProd", pool, {})]


def test_gemm_transposes_are_not_one_shared_block():
    """One square initializer G read by Gemm with transB=1 and with transB=0 is two different
    matrices; it used to be one block keyed by its name (a wrong grid). The same model with
    G^T as its own initializer must give the identical grid, and onnxruntime agrees."""
    rng = np.random.default_rng(11)
    s, M, r = 2, 2, 2
    G = weights(rng, r, r)
    head = [("rep", weights(rng, M, s), weights(rng, M)), ("conv", weights(rng, r, M), None)]
    head.append(("raw", "ReduceProd", {"axes": [2], "keepdims": 1}, {}))
    tail = [("flatten",), ("gemm", weights(rng, 1, r))]
    T = templates(rng, M, s)
    shared = [*head, *dense_then_pool(G, 1, "G"), *dense_then_pool(G, 0, "G"), *tail]
    apart = [*head, *dense_then_pool(G.T.copy(), 0, "H"), *dense_then_pool(G, 0, "G"), *tail]
    model = build(shared, s, 2)
    grid = symtd.grid_tensor(load_onnx(model, T)).to_fractions()
    assert (grid == symtd.grid_tensor(load_onnx(build(apart, s, 2), T)).to_fractions()).all()
    assert np.allclose(grid.astype(float), run_ort(model, T, 2), rtol=1e-5, atol=1e-6)


def test_relu_right_after_max_pooling():
    """max(relu(a), relu(b)) = relu(max(a, b)): a Relu after MaxPool/ReduceMax (and none
    before) is the same function as symtd's max operator; the grid equals the exact reference
    and onnxruntime. After AveragePool it is not, and is refused."""
    rng = np.random.default_rng(12)
    s, M, K, r = 2, 3, 3, 2
    layers = [
        ("rep", weights(rng, K, s), weights(rng, K)),
        ("maxpool", 2, 1),  # the representation itself, overlapping windows, then the Relu
        ("relu",),
        ("conv", weights(rng, r, K), None),
        ("maxpool", 2, 1),
        ("relu",),
        ("conv", weights(rng, r, r), None),
        ("maxpool", 2, 2),
        ("relu",),
        ("flatten",),
        ("gemm", weights(rng, 1, r)),
    ]
    net = check(layers, s, 4, templates(rng, M, s))
    assert net.operator is symtd.MAX and not net.is_tree
    avg = [*BASE, ("conv", W2, None), ("avgpool", 4, 4), ("relu",), ("flatten",), ("gemm", W2[:1])]
    with pytest.raises(SymtdError, match=r"'pool2' \(AveragePool\): avg pooling without a Relu"):
        load_onnx(build(avg, 2, 4), np.eye(2, dtype=np.float32))


def test_refuses_tensor_names_defined_twice():
    """A dense and a sparse initializer of one name: onnxruntime takes the sparse one, the
    importer read the dense one (a wrong grid). An initializer and a Constant of one name are
    as ambiguous. Both are refused."""
    layers = [*BASE, ("conv", W2, None), ("relu",), ("maxpool", 4, 4), ("flatten",)]
    layers.append(("gemm", W2[:1]))
    model = build(layers, 2, 4)
    values = numpy_helper.from_array(-W2.reshape(-1), "W1")
    index = numpy_helper.from_array(np.arange(4, dtype=np.int64), "i")
    model.graph.sparse_initializer.append(helper.make_sparse_tensor(values, index, [2, 2, 1]))
    with pytest.raises(SymtdError, match=r"^tensor 'W1' is defined twice"):
        load_onnx(model, np.eye(2))
    model = build(layers, 2, 4)
    value = numpy_helper.from_array(-W2.reshape(2, 2, 1), "W1")
    model.graph.node.insert(0, helper.make_node("Constant", [], ["W1"], value=value))
    with pytest.raises(SymtdError, match=r"^tensor 'W1' is defined twice"):
        load_onnx(model, np.eye(2))


def test_refuses_models_onnx_does_not_define():
    """Accepted before, though onnxruntime refuses them (no function to import): an attribute
    MaxPool does not have, ReduceProd's axes attribute at opset 18, a float64 weight in a
    float32 model, an integer Gemm alpha."""
    tail = [("flatten",), ("gemm", W2[:1])]
    cip = ("raw", "MaxPool", {"kernel_shape": [4], "count_include_pad": 1}, {})
    prod = ("raw", "ReduceProd", {"axes": [2], "keepdims": 1}, {})
    alpha = ("raw", "Gemm", {"transB": 1, "alpha": 2}, {"G": W2[:1]})
    cases = [
        ([("conv", W2, None), ("relu",), cip, *tail], 13, r"'raw3' \(MaxPool\): not a valid"),
        ([("conv", W2, None), prod, *tail], 18, r"'raw2' \(ReduceProd\): not a valid ONNX"),
        ([("conv", W2.astype(np.float64), None), prod, *tail], 13, r"type inference.*Conv"),
        ([("conv", W2, None), prod, ("flatten",), alpha], 13, r"'raw4' \(Gemm\): not a valid"),
    ]
    for layers, opset, message in cases:
        model = build([*BASE, *layers], 2, 4)
        model.opset_import[0].version = opset
        with pytest.raises(SymtdError, match=message):
            load_onnx(model, np.eye(2))


def test_refuses_non_finite_scalars_and_malformed_inputs():
    """Gemm alpha = NaN crashed (ValueError); beta = inf with a zero C made the model's output
    NaN while the import dropped the bias; a C, a Reshape shape, axes or a bias of the wrong
    shape, and an empty weight, are refused in one line naming the node."""
    head = [*BASE, ("conv", W2, None), ("raw", "ReduceProd", {"axes": [2], "keepdims": 1}, {})]
    G, zero = {"G": W2[:1]}, np.zeros(1, np.float32)
    reshape = {"shape": np.array([[1, 2], [2, 2]], np.int64)}  # (1, 2, 2, 2) read flat
    prod23 = ("raw", "ReduceProd", {"axes": [2, 3], "keepdims": 0}, {})
    cases = [
        ([("flatten",), ("raw", "Gemm", {"transB": 1, "alpha": np.nan}, G)], "'alpha' is not f"),
        ([("flatten",), ("raw", "Gemm", {"transB": 1, "beta": np.inf}, {**G, "C": zero})], "'b"),
        ([("flatten",), ("raw", "Gemm", {"transB": 1}, {**G, "C": np.zeros(5, np.float32)})], "C"),
    ]
    for layers, message in cases:
        with pytest.raises(SymtdError, match=r"'raw4' \(Gemm\): (attribute )?" + message):
            load_onnx(build([*head, *layers], 2, 4), np.eye(2))
    tail = [("flatten",), ("gemm", W2[:1])]
    cases = [
        ([("conv", W2, None), ("raw", "Reshape", {}, reshape), prod23], r"\(Reshape\): input 1"),
        ([("conv", W2, None), ("raw", "ReduceProd", {"axes": [2, -1]}, {})], "axis appears tw"),
        ([("conv", W2, np.zeros(3, np.float32)), ("maxpool", 4, 4)], "conv1' \\(Conv\\): bias"),
    ]
    for layers, message in cases:
        with pytest.raises(SymtdError, match=message):
            load_onnx(build([*BASE, *layers, *tail], 2, 4), np.eye(2))
    empty = np.zeros((0, 2), np.float32)
    layers = [*BASE, ("conv", empty, None), ("relu",), ("maxpool", 4, 4), ("flatten",)]
    with pytest.raises(SymtdError, match=r"'conv1' \(Conv\): input 1 is empty"):
        load_onnx(build([*layers, ("gemm", empty[:, :1].T)], 2, 4), np.eye(2))
