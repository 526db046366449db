"""ONNX export: onnxruntime's outputs against the estimators' own methods."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from aembed import DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder

ort = pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")
aembed_onnx = pytest.importorskip("aembed.onnx")

FAST = {"max_epochs": 2, "hidden_layer_sizes": (16,), "random_state": 0}
ESTIMATORS = {
    "dae": (DenoisingAEEmbedder, {}),
    "vae": (VAEEmbedder, {"activation": "elu"}),
    "vqvae": (VQVAEEmbedder, {"n_codes": 16, "activation": "gelu"}),
}
NETWORKS = {"mlp": {}, "conv": {"image_shape": (8, 8)}}
BATCH_SIZES = [1, 37, 10_000]


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X.astype(np.float32), y


@pytest.fixture(scope="module")
def rows(digits):
    """10,000 rows like the digits (pixels in 0..16) that no model was fitted on."""
    rng = np.random.default_rng(0)
    X = digits[0][rng.integers(300, len(digits[0]), 10_000)]
    return np.clip(X + rng.normal(0, 1, X.shape), 0, 16).astype(np.float32)


_fitted = {}


def fitted(name, network, neighbor_weight, digits):
    """One small model per configuration, fitted once for the whole module."""
    key = (name, network, neighbor_weight)
    if key not in _fitted:
        cls, params = ESTIMATORS[name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # undertrained on purpose
            _fitted[key] = cls(
                **FAST, **params, **NETWORKS[network], neighbor_weight=neighbor_weight
            ).fit(digits[0][:300])
    return _fitted[key]


def run(model, X):
    session = ort.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {"X": X})[0]


def assert_close(actual, expected):
    """Equal to 1e-5 relative, or to 1e-5 of the output's largest magnitude.

    A value near 0 is a sum of terms of the output's magnitude that cancel:
    its rounding error is set by those terms, not by the value, so entries
    near 0 get an absolute tolerance of 1e-5 times the largest entry.
    """
    atol = 1e-5 * float(np.abs(expected).max())
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=atol)


def near_ties(Z, codebook, rtol=1e-5):
    """Rows whose two nearest codes are equally far to ``rtol``."""
    dist = np.linalg.norm(Z[:, None, :].astype(np.float64) - codebook, axis=2)
    two = np.sort(dist, axis=1)[:, :2]
    return two[:, 1] - two[:, 0] <= rtol * np.maximum(two[:, 1], 1e-12)


def assert_same_codes(actual, expected, Z, codebook):
    """Equal codes, except on rows where two codes tie to rounding."""
    differ = actual != expected
    assert not (differ & ~near_ties(Z, codebook)).any()
    assert differ.mean() < 1e-3


@pytest.mark.parametrize("neighbor_weight", [0.0, 1.0])
@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("name", ESTIMATORS)
def test_graphs_equal_the_estimator_methods(
    name, network, neighbor_weight, digits, rows
):
    est = fitted(name, network, neighbor_weight, digits)
    graphs = {
        method: aembed_onnx.to_onnx(est, method=method)
        for method in ("transform", "inverse_transform")
    }
    for n in BATCH_SIZES:
        X = rows[:n]
        Z = est.transform(X)
        assert_close(run(graphs["transform"], X), Z)
        if name != "vqvae":
            assert_close(run(graphs["inverse_transform"], Z), est.inverse_transform(Z))
            continue
        # The VQ-VAE's decoder snaps Z to its nearest code first: a row whose
        # two nearest codes tie to rounding may decode from either.
        X_rec, expected = run(graphs["inverse_transform"], Z), est.inverse_transform(Z)
        same = np.isclose(X_rec, expected, rtol=1e-5, atol=1e-4).all(axis=1)
        assert not (~same & ~near_ties(Z, est.codebook_)).any()
        assert_close(X_rec[same], expected[same])
        codes = run(aembed_onnx.to_onnx(est, method="predict"), X)
        assert codes.dtype == np.int64 and codes.shape == (n,)
        assert_same_codes(codes, est.predict(X), Z, est.codebook_)


@pytest.mark.parametrize("network", NETWORKS)
def test_quantized_transform(network, digits, rows):
    est = fitted("vqvae", network, 0.0, digits)
    try:
        est.set_params(quantize=True)
        model = aembed_onnx.to_onnx(est)
        for n in BATCH_SIZES:
            X = rows[:n]
            got, expected = run(model, X), est.transform(X)
            assert np.isin(got, est.codebook_).all(axis=1).all()
            continuous = est.set_params(quantize=False).transform(X)
            est.set_params(quantize=True)
            same = (got == expected).all(axis=1)
            assert not (~same & ~near_ties(continuous, est.codebook_)).any()
            assert same.mean() > 0.999
    finally:
        est.set_params(quantize=False)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "silu", "tanh", "gelu"])
@pytest.mark.parametrize("opset", [13, 17, 18, 20])
def test_activations_and_opsets(activation, opset, digits, rows):
    est = DenoisingAEEmbedder(
        max_epochs=1, hidden_layer_sizes=(16,), activation=activation, random_state=0
    ).fit(digits[0][:200])
    model = aembed_onnx.to_onnx(est, target_opset=opset)
    assert model.opset_import[0].version == opset
    assert_close(run(model, rows[:37]), est.transform(rows[:37]))


def test_float64_input_graph(digits, rows):
    est = fitted("vae", "mlp", 0.0, digits)
    X = rows[:37].astype(np.float64) + 0.1  # not float32 values
    model = aembed_onnx.to_onnx(est, dtype=np.float64)
    got = run(model, X)
    assert got.dtype == np.float32
    assert_close(got, est.transform(X))
    with pytest.raises(Exception, match="(?i)type"):  # onnxruntime refuses it
        run(aembed_onnx.to_onnx(est), X)


def test_scaling_none_and_standard(digits):
    X = digits[0][:300] / 16  # in [0, 1]: scaling "auto" keeps it
    for scaling in ("auto", "standard"):
        est = VAEEmbedder(**FAST, scaling=scaling, reconstruction_loss="mse")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            est.fit(X)
        assert est.scaling_ == ("none" if scaling == "auto" else "standard")
        Z = est.transform(X[:37])
        assert_close(run(aembed_onnx.to_onnx(est), X[:37]), Z)
        inverse = aembed_onnx.to_onnx(est, method="inverse_transform")
        assert_close(run(inverse, Z), est.inverse_transform(Z))


def test_sample_is_served_by_the_decoder(digits):
    est = fitted("vae", "mlp", 0.0, digits)
    z = np.random.RandomState(0).standard_normal((5, 2)).astype(np.float32)
    decoded = run(aembed_onnx.to_onnx(est, method="inverse_transform"), z)
    assert_close(decoded, est.sample(5, random_state=0))


def test_pipeline_with_knn(digits):
    X, y = digits
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("emb", VAEEmbedder(**FAST)),
            ("knn", KNeighborsClassifier()),
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        pipe.fit(X[:1000], y[:1000])
    onx = skl2onnx.to_onnx(pipe, X[:1])
    session = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    labels = session.run(None, {"X": X[1000:]})[0]  # then the probabilities
    np.testing.assert_array_equal(labels, pipe.predict(X[1000:]))


def test_double_pipeline(digits):
    X = digits[0].astype(np.float64)
    pipe = Pipeline([("emb", DenoisingAEEmbedder(**FAST)), ("pca", PCA(2))])
    pipe.fit(X[:1000])
    onx = skl2onnx.to_onnx(pipe, X[:1])
    session = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    assert session.get_inputs()[0].type == "tensor(double)"
    assert_close(session.run(None, {"X": X[1000:]})[0], pipe.transform(X[1000:]))


def test_pipeline_ending_in_a_vqvae_predicts_codes(digits):
    X = digits[0]
    vq = VQVAEEmbedder(**FAST, n_codes=16)
    pipe = Pipeline([("scale", StandardScaler()), ("vq", vq)]).fit(X[:1000])
    onx = skl2onnx.to_onnx(pipe, X[:1], options={id(vq): {"predict": True}})
    session = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    assert [o.name for o in session.get_outputs()] == ["label", "variable"]
    codes, Z = session.run(None, {"X": X[1000:]})
    assert_close(Z, pipe.transform(X[1000:]))
    assert_same_codes(codes, pipe.predict(X[1000:]), Z, vq.codebook_)
    onx = skl2onnx.to_onnx(pipe, X[:1])  # without the option: transform only
    assert [o.name for o in onx.graph.output] == ["variable"]


def test_file_runs_without_torch(digits, rows, tmp_path):
    est = fitted("vqvae", "conv", 0.0, digits)
    path = tmp_path / "vqvae.onnx"
    aembed_onnx.to_onnx(est, path)
    np.save(tmp_path / "X.npy", rows[:37])
    code = (
        "import sys, numpy as np, onnxruntime as ort\n"
        f"session = ort.InferenceSession({str(path)!r}, "
        "providers=['CPUExecutionProvider'])\n"
        f"Z = session.run(None, {{'X': np.load({str(tmp_path / 'X.npy')!r})}})[0]\n"
        f"np.save({str(tmp_path / 'Z.npy')!r}, Z)\n"
        "assert 'torch' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert_close(np.load(tmp_path / "Z.npy"), est.transform(rows[:37]))


def test_import_aembed_does_not_import_onnx():
    code = (
        "import sys, aembed; "
        "print(sorted(m for m in ('onnx', 'onnxruntime', 'skl2onnx') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_errors(digits):
    with pytest.raises(NotFittedError):
        aembed_onnx.to_onnx(VAEEmbedder())
    with pytest.raises(NotFittedError):
        skl2onnx.to_onnx(Pipeline([("emb", VAEEmbedder())]), digits[0][:1])
    with pytest.raises(TypeError, match="PCA"):
        aembed_onnx.to_onnx(PCA(2).fit(digits[0]))
    est = fitted("vae", "mlp", 0.0, digits)
    with pytest.raises(ValueError, match="method must be one of"):
        aembed_onnx.to_onnx(est, method="predict")
    for opset in (12, 10_000, 18.0, True):
        with pytest.raises(ValueError, match="target_opset"):
            aembed_onnx.to_onnx(est, target_opset=opset)
    with pytest.raises(ValueError, match="dtype"):
        aembed_onnx.to_onnx(est, dtype=np.int64)


def test_unknown_layer_is_refused_by_name(digits):
    est = DenoisingAEEmbedder(max_epochs=1, hidden_layer_sizes=(8,)).fit(
        digits[0][:100]
    )
    est.net_.module_.encoder[1] = torch.nn.Softplus()
    with pytest.raises(TypeError, match="Softplus"):
        aembed_onnx.to_onnx(est)


def test_mixed_precision_warns(digits):
    est = DenoisingAEEmbedder(
        max_epochs=1, hidden_layer_sizes=(8,), mixed_precision=True
    ).fit(digits[0][:100])
    with pytest.warns(UserWarning, match="bfloat16"):
        aembed_onnx.to_onnx(est)


def test_written_file_equals_returned_model(digits, tmp_path):
    import onnx

    est = fitted("dae", "mlp", 0.0, digits)
    model = aembed_onnx.to_onnx(est, tmp_path / "dae.onnx")
    assert onnx.load(tmp_path / "dae.onnx") == model
    assert model.producer_name == "aembed"
    assert [i.name for i in model.graph.input] == ["X"]
    dims = model.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "N" and dims[1].dim_value == 64


def test_loaded_model_exports_like_the_saved_one(digits, rows, tmp_path):
    from aembed import load

    est = fitted("vae", "conv", 0.0, digits)
    est.save(tmp_path / "vae.aembed")
    loaded = load(tmp_path / "vae.aembed")
    assert aembed_onnx.to_onnx(loaded) == aembed_onnx.to_onnx(est)
    assert_close(run(loaded.to_onnx(), rows[:37]), est.transform(rows[:37]))
