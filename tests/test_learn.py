"""symtd.learn: trainable networks, their exact export (circuit, ONNX) and the rank study.

Independent paths: the exported circuit's exact grid tensor against the model's own float64
forward pass; the folding of the level scales against a model without them (exact
equality); ONNX against onnxruntime and against the importer; learned ranks against the
architecture's proven bounds and the theory (a shallow ConvAC of width Z has rank <= Z).
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import symtd  # noqa: E402
from symtd.errors import SymtdError  # noqa: E402
from symtd.learn.data import digit_patches, teacher_data  # noqa: E402
from symtd.learn.export import grid_inputs, model_grid, to_circuit, to_onnx  # noqa: E402
from symtd.learn.models import PoolingNetwork  # noqa: E402
from symtd.learn.study import numerical_rank, study_cell, summarise  # noqa: E402
from symtd.learn.train import train  # noqa: E402

OPERATORS = ("product", "max", "avg", "sum")
SHAPES = [("deep", 8, [2, 3, 2]), ("shallow", 8, [3]), ("deep", 4, [3, 2])]


def calibrated(*args, templates=None, **kwargs):
    model = PoolingNetwork(*args, **kwargs)
    x = grid_inputs(model, templates)
    model.calibrate(x if model.patch_dim is None else x.float())
    return model


def test_import_symtd_loads_no_torch():
    code = "import sys, symtd, symtd.learn; assert 'torch' not in sys.modules, 'torch loaded'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("shared", [True, False])
@pytest.mark.parametrize("geometry,N,widths", SHAPES)
@pytest.mark.parametrize("operator", OPERATORS)
def test_exported_circuit_is_the_model_on_every_template_tuple(
    operator, geometry, N, widths, shared
):
    model = calibrated(N, 2, widths, operator, geometry, shared=shared, seed=N + len(widths))
    net = to_circuit(model)
    assert net.operator.name == operator and net.is_concrete and net.shared == shared
    exact, approx = symtd.grid_tensor(net).to_float(), model_grid(model)
    assert np.abs(exact).max() > 1e-3  # not the zero function
    assert np.allclose(exact, approx, rtol=1e-10, atol=1e-12 * np.abs(exact).max())


def test_weights_are_the_exact_floats_and_scales_fold_exactly():
    model = PoolingNetwork(4, 2, 2, "product", shared=False, seed=5)
    net = to_circuit(model)
    w = float(model.blocks[0].detach()[1, 0, 1])
    assert net.block("layer0_1")[0, 1] == Fraction(w) and Fraction(w).denominator > 1
    unscaled = symtd.grid_tensor(net)
    with torch.no_grad():  # 2^-3 after level 1, 2^5 after the root: same function if the
        model.shifts.copy_(torch.tensor([3, -5]))  # next blocks carry 2^3 and 2^-5 back
        model.blocks[1].mul_(8)
        model.output.mul_(2.0**-5)
    assert symtd.grid_tensor(to_circuit(model)) == unscaled  # exact equality of rationals


@pytest.mark.parametrize("operator", ["product", "max", "avg"])
def test_patch_model_exports_F_from_the_templates(operator):
    templates = [[Fraction(1, 2), 0, 1], [0, 1, Fraction(1, 4)], [1, 1, 1]]
    model = calibrated(4, 3, 2, operator, patch_dim=3, seed=2, templates=templates)
    with torch.no_grad():
        model.rep_bias.copy_(torch.tensor([0.25, -0.5, 0.0]))
    net = to_circuit(model, templates)
    A = [[Fraction(float(a)) for a in row] for row in model.rep_weight.tolist()]
    b = [Fraction(0.25), Fraction(-0.5), Fraction(0)]
    for i, t in enumerate(templates):
        for d in range(3):
            assert net.F[i, d] == max(sum(A[d][k] * t[k] for k in range(3)) + b[d], 0)
    exact = symtd.grid_tensor(net).to_float()
    assert np.allclose(exact, model_grid(model, templates), rtol=1e-10, atol=1e-12)


def test_bad_inputs_are_refused():
    model = PoolingNetwork(4, 2, 2)
    with pytest.raises(SymtdError, match="template indices"):
        model(torch.zeros(3, 5, dtype=torch.long))
    with pytest.raises(SymtdError, match="N = 2"):
        PoolingNetwork(6, 2, 2)
    with pytest.raises(SymtdError, match="widths"):
        PoolingNetwork(8, 2, [2, 2])
    with pytest.raises(SymtdError, match="templates"):
        to_circuit(PoolingNetwork(4, 2, 2, patch_dim=3))
    with pytest.raises(SymtdError, match="shared=True"):
        to_onnx(PoolingNetwork(4, 2, 2, shared=False))


@pytest.mark.slow
def test_training_is_deterministic_and_fits_a_teacher():
    data = teacher_data(4, 2, 2, "product", seed=1)
    runs = []
    for _ in range(2):
        model = PoolingNetwork(4, 2, 3, "product", shared=False, seed=1)
        history = train(model, data, epochs=80, lr=0.05, seed=1, device="cpu")
        runs.append((model, history))
    (a, ha), (b, hb) = runs
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert ha.losses == hb.losses
    assert ha.train_metric > 0.99 and ha.losses[-1] < ha.losses[0] / 50


def test_learned_ranks_respect_the_architecture():
    """A shallow ConvAC of width Z has rank <= Z under every partition (a sum of Z rank-one
    tensors); a deep one at generic learned weights reaches its certified generic rank."""
    data = teacher_data(4, 2, 2, "product", seed=0)
    shallow = PoolingNetwork(4, 2, [2], "product", "shallow", shared=False, seed=0)
    train(shallow, data, epochs=60, lr=0.05, device="cpu")
    deep = PoolingNetwork(4, 2, 2, "product", shared=False, seed=0)
    train(deep, data, epochs=60, lr=0.05, device="cpu")
    for I in ("odd-even", "low-high"):
        assert symtd.matricization_rank(to_circuit(shallow), I) <= 2
    assert symtd.matricization_rank(to_circuit(deep), "odd-even") == 4  # r^(N/2), generic
    assert symtd.matricization_rank(to_circuit(deep), "low-high") == 2  # the root's width


def test_numerical_rank_is_labelled_and_sane():
    G = np.einsum("i,j,k,l->ijkl", *[np.array([1.0, 2.0])] * 4)
    G = G + 1e-9 * np.arange(16).reshape(2, 2, 2, 2)  # rank one plus a tiny perturbation
    assert numerical_rank(G, (0, 2)) == 1
    assert summarise([{"r": 4}, {"r": 2}], ["r"]) == {"r": "3 [2, 4]"}


def test_digit_patches_cut_images_in_z_order():
    image = np.arange(64).reshape(1, 8, 8)
    rows = digit_patches(image, 8)
    assert rows.shape == (1, 8, 8) and rows[0, :, 3].tolist() == list(range(24, 32))
    blocks = digit_patches(image, 16)
    assert blocks.shape == (1, 4, 16)
    assert blocks[0, :, 3].tolist() == [18, 19, 26, 27]  # Z order: block (1, 1)
    assert blocks[0, :, 15].tolist() == [54, 55, 62, 63]
    assert sorted(blocks.flatten().tolist()) == list(range(64))


@pytest.mark.parametrize("operator", ["product", "max", "avg"])
def test_onnx_file_computes_the_model(operator, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    model = calibrated(8, 2, 2, operator, seed=3)
    with torch.no_grad():
        model.shifts.add_(2)  # folded into the next convolution
    to_onnx(model, str(tmp_path / "net.onnx"))
    session = ort.InferenceSession(str(tmp_path / "net.onnx"))
    x = grid_inputs(model)
    one_hot = torch.nn.functional.one_hot(x, 2).transpose(1, 2).float().numpy()
    (y,) = session.run(None, {"input": one_hot})
    with torch.no_grad():
        expected = model(x).numpy()
    assert y.shape == (len(x), 1, 1)
    assert np.allclose(y[:, 0, 0], expected, rtol=1e-5, atol=1e-6 * np.abs(expected).max())


@pytest.mark.parametrize("operator", ["product", "max", "avg"])
@pytest.mark.parametrize("geometry,widths", [("deep", [2, 3]), ("shallow", [3])])
def test_onnx_round_trip_through_the_importer(operator, geometry, widths):
    importer = pytest.importorskip("symtd.circuits.onnx_import")
    data = teacher_data(4, 2, 2, "product", seed=0)
    model = PoolingNetwork(4, 2, widths, operator, geometry, seed=4)
    train(model, data, epochs=20, lr=0.02, device="cpu")
    with torch.no_grad():
        model.shifts.add_(1)
    loaded = importer.load_onnx(to_onnx(model), np.eye(2, dtype=int))
    assert symtd.grid_tensor(loaded) == symtd.grid_tensor(to_circuit(model))


@pytest.mark.slow
def test_study_cell_reports_exact_ranks_within_the_bracket():
    row = study_cell("teacher", "max", "deep", 4, 2, 3, seed=0, epochs=100, lr=0.03, shared=False)
    for I in ("odd-even", "low-high"):
        assert 0 <= row[f"rank {I}"] <= row[f"upper {I}"]
        assert row[f"numerical {I}"] <= row[f"rank {I}"] or row[f"rank {I}"] == 0
    assert row["teacher odd-even"] == 4 and row["teacher low-high"] == 2  # product teacher


@pytest.mark.slow
def test_digits_cell_trains_a_patch_model():
    pytest.importorskip("sklearn")
    row = study_cell(
        "digits", "product", "deep", 8, 4, 4, seed=0, epochs=10, lr=0.01, batch_size=64
    )
    assert row["test metric"] > 0.6  # better than chance (0.52) on digit >= 5
    assert row["rank odd-even"] <= row["upper odd-even"] == 256  # min(4^4, r0^4)


@pytest.mark.parametrize("operator", ["product", "max"])
def test_onnx_round_trip_of_a_patch_model(operator):
    importer = pytest.importorskip("symtd.circuits.onnx_import")
    templates = [[Fraction(1, 2), 0], [0, Fraction(3, 4)], [1, 1]]
    model = calibrated(4, 3, 2, operator, patch_dim=2, seed=6, templates=templates)
    with torch.no_grad():
        model.rep_bias.copy_(torch.tensor([0.5, -0.25, 0.125]))
    loaded = importer.load_onnx(to_onnx(model), np.array(templates, dtype=object))
    exported = to_circuit(model, templates)
    assert symtd.grid_tensor(loaded) == symtd.grid_tensor(exported)
    assert np.abs(symtd.grid_tensor(exported).to_float()).max() > 0
