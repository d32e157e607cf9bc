"""``symtd import``: a trained ONNX model as a symtd network file, every weight exact."""

from __future__ import annotations

import argparse
from typing import Any

IMPORT_HELP = (
    "write a trained ONNX model as a symtd-network/2 file whose weights are its float weights "
    "as exact rationals (its grid tensor is the model's output at the templates, exactly)"
)
IMPORT_EPILOG = (
    "Supported: input (B, s, N) or (B, s, H, W); a kernel-1 Conv (bias allowed) with an "
    "optional Relu as the representation layer; then levels of 1x1 Conv without bias, Relu, "
    "and MaxPool/AveragePool/ReduceMax/ReduceMean (operators max, avg) or ReduceProd / a Mul "
    "of Slices without Relu (product); stride below the kernel gives overlapping windows; "
    "after the last pooling a 1x1 Conv, Gemm or MatMul to one output. Anything else exits 2 "
    "with one line naming the node and its op."
)


def register(commands: Any) -> None:
    """Add the ``import`` parser."""
    parser = commands.add_parser(
        "import",
        help="convert a trained ONNX model into an exact symtd network file",
        description=IMPORT_HELP,
        epilog=IMPORT_EPILOG,
    )
    parser.add_argument("model", help="the ONNX model file (.onnx, at most 512 MiB)")
    parser.add_argument(
        "--templates",
        required=True,
        metavar="T",
        help="the M templates, an (M, s) array: .npy, or JSON lists of exact numbers "
        '(integers or strings such as "-3/2", "0.25")',
    )
    parser.add_argument(
        "--out", required=True, metavar="NET.json", help="the network file to write"
    )
    parser.set_defaults(run=import_command)


def import_command(args: argparse.Namespace) -> None:
    """symtd import: read, convert exactly, write format v2; print one summary line."""
    from symtd.circuits.formats import dumps, network_to_dict
    from symtd.circuits.onnx_import import load_onnx
    from symtd.cli.common import write

    circuit = load_onnx(args.model, args.templates)
    write(args.out, dumps(network_to_dict(circuit, version=2)))
    print(
        f"{args.out}: N = {circuit.N}, M = {circuit.M}, operator {circuit.operator.name}, "
        f"{len(circuit.nodes)} pooling nodes, {len(circuit.shapes)} blocks, "
        f"{'a tree' if circuit.is_tree else 'a DAG (overlapping windows)'}; weights exact"
    )
