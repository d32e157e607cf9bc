"""Write the example ONNX models of this folder (onnx.helper only, no framework): run
``python3 examples/onnx/make_models.py``; the files are the same on every run.

* ``deep_product_N16.onnx``: a deep ConvAC, N = 16 positions, patches of s = 2 numbers, a
  representation Conv with M = 2 channels, four levels of 1x1 Conv (2 channels) + product
  pooling of pairs (Reshape + ReduceProd), Gemm to one output.
* ``max_overlapping_N8.onnx``: ReLU + max pooling, N = 8: MaxPool 2/2, then MaxPool
  kernel 3 stride 1 (overlapping windows: a DAG), then MaxPool 2/2; the 1x1 Conv of the
  last two levels shares one initializer (one shared block).
* ``avg_N8.onnx``: ReLU + average pooling of pairs, three levels, a 1x1 Conv to the output.
* ``hidden_bias.onnx``: ``avg_N8`` with a bias in its first hidden Conv, which no symtd
  network has: ``symtd import`` refuses it (exit 2, one line naming the node).
* ``templates.npy``: the M = 2 templates, a 2 × 2 float32 array.

Import them with ``symtd import MODEL.onnx --templates templates.npy --out NET.json``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = Path(__file__).resolve().parent
S, M, R = 2, 2, 2  # patch size, templates (= representation channels), hidden channels


class Model:
    """A chain of ONNX nodes on a (B, S, N) input, built one layer at a time."""

    def __init__(self, N: int, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.nodes: list[onnx.NodeProto] = []
        self.inits: dict[str, onnx.TensorProto] = {}
        self.current, self.n = "x", N
        self.N = N

    def weight(self, name: str, shape: tuple[int, ...]) -> str:
        if name not in self.inits:
            array = self.rng.standard_normal(shape).astype(np.float32)
            self.inits[name] = numpy_helper.from_array(array, name)
        return name

    def node(self, op: str, inputs: list[str], **attrs: object) -> None:
        out = f"t{len(self.nodes)}"
        self.nodes.append(
            helper.make_node(
                op, [self.current, *inputs], [out], name=f"{op.lower()}{len(self.nodes)}", **attrs
            )
        )
        self.current = out

    def conv(self, name: str, out: int, inp: int, bias: bool = False) -> None:
        inputs = [self.weight(name, (out, inp, 1))]
        if bias:
            inputs.append(self.weight(name + "_bias", (out,)))
        self.node("Conv", inputs)

    def product_pool(self) -> None:
        shape = f"pairs{self.n}"
        self.inits[shape] = numpy_helper.from_array(
            np.array([0, 0, self.n // 2, 2], np.int64), shape
        )
        self.node("Reshape", [shape])
        self.node("ReduceProd", [], axes=[3], keepdims=0)
        self.n //= 2

    def pool(self, op: str, kernel: int, stride: int) -> None:
        self.node(op, [], kernel_shape=[kernel], strides=[stride])
        self.n = (self.n - kernel) // stride + 1

    def save(self, name: str) -> None:
        graph = helper.make_graph(
            self.nodes,
            name,
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", S, self.N])],
            [helper.make_tensor_value_info(self.current, TensorProto.FLOAT, ["batch", 1])],
            list(self.inits.values()),
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.producer_name = "symtd examples/onnx/make_models.py"
        onnx.checker.check_model(model)
        (HERE / f"{name}.onnx").write_bytes(model.SerializeToString())


def deep_product() -> None:
    model = Model(16, seed=1)
    model.conv("representation", M, S, bias=True)
    for level in range(4):
        model.conv(f"conv{level + 1}", R, M if level == 0 else R)
        model.product_pool()
    model.node("Flatten", [])
    model.node("Gemm", [model.weight("dense", (1, R))], transB=1)
    model.save("deep_product_N16")


def max_overlapping() -> None:
    model = Model(8, seed=2)
    model.conv("representation", M, S, bias=True)
    model.node("Relu", [])
    for name, inp, (kernel, stride) in (
        ("conv1", M, (2, 2)),
        ("shared", R, (3, 1)),
        ("shared", R, (2, 2)),
    ):
        model.conv(name, R, inp)
        model.node("Relu", [])
        model.pool("MaxPool", kernel, stride)
    model.node("Flatten", [])
    model.node("Gemm", [model.weight("dense", (1, R))], transB=1)
    model.save("max_overlapping_N8")


def avg(name: str = "avg_N8", hidden_bias: bool = False) -> None:
    model = Model(8, seed=25)
    model.conv("representation", M, S, bias=True)
    model.node("Relu", [])
    for level in range(3):
        model.conv(f"conv{level + 1}", R, M if level == 0 else R, bias=hidden_bias and not level)
        model.node("Relu", [])
        model.pool("AveragePool", 2, 2)
    model.conv("dense", 1, R)
    model.node("Flatten", [])
    model.save(name)


if __name__ == "__main__":
    deep_product()
    max_overlapping()
    avg()
    avg("hidden_bias", hidden_bias=True)
    np.save(HERE / "templates.npy", np.array([[0.5, -1.0], [1.25, 0.75]], np.float32))
    print("wrote", ", ".join(sorted(p.name for p in HERE.glob("*.onnx"))), "and templates.npy")
