"""aembed._validation: the checks of every phase, one entry point each."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from skorch.callbacks import EarlyStopping, EpochScoring

import aembed._streaming as streaming
from aembed import DenoisingAEEmbedder, VAEEmbedder
from aembed._streaming import BlockReader
from aembed._validation import (
    check_callbacks,
    check_embedding,
    check_fit,
    check_inference,
    check_memory,
    check_n_samples,
    check_warm_start,
    image_shape,
    reject_bools,
    resolve_loss,
)

X = load_digits().data[:60]


def test_reject_bools_names_the_parameter():
    reject_bools(n=3, m=np.int64(2))
    with pytest.raises(TypeError, match="n_neighbors must be an integer, got True"):
        reject_bools(n_neighbors=True)
    with pytest.raises(TypeError, match="k must be an integer"):
        reject_bools(k=np.bool_(False))


def test_check_memory_refuses_more_than_the_machine_holds():
    check_memory(1024, "needs", "fix")
    with pytest.raises(MemoryError, match=r"^It needs 9.31e\+08 GiB, .*; do less\.$"):
        check_memory(10**18, "It needs", "do less.")


def test_image_shape_adds_the_channel_and_refuses_nonsense():
    assert image_shape(None) is None
    assert image_shape((8, 8)) == (1, 8, 8)
    assert image_shape([3, 4, 5]) == (3, 4, 5)
    for bad in [(8,), (0, 8), (1, 2, 3, 4), (8.0, 8)]:
        with pytest.raises(ValueError, match="image_shape must be"):
            image_shape(bad)


def test_resolve_loss_follows_the_range_and_refuses_bce_outside_0_1():
    assert resolve_loss("auto", 0.0, 1.0) == "bce"
    assert resolve_loss("auto", -0.1, 1.0) == "mse"
    assert resolve_loss("mse", 0.0, 1.0) == "mse"
    with pytest.raises(ValueError, match=r"needs data in \[0, 1\].*\[-1, 2\]"):
        resolve_loss("bce", -1.0, 2.0)


def test_check_fit_gives_float32_rows_and_their_statistics():
    est = DenoisingAEEmbedder()
    data, stats = check_fit(est, X, first=True, incremental=False)
    assert data.dtype == np.float32 and data.flags.c_contiguous
    assert stats.n_samples == 60
    np.testing.assert_allclose(stats.mean, X.mean(0), rtol=1e-6)
    assert est.n_features_in_ == 64


def test_check_fit_reads_an_out_of_core_array_in_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(streaming, "STREAM_ABOVE_BYTES", 0)
    path = tmp_path / "X.npy"
    np.save(path, X.astype(np.float32))
    data, stats = check_fit(
        DenoisingAEEmbedder(), np.load(path, mmap_mode="r"), True, True
    )
    assert isinstance(data, BlockReader) and stats.n_samples == 60


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        (dict(hidden_layer_sizes=(True, 4)), TypeError, "must hold integers"),
        (dict(hidden_layer_sizes={4: 1}), TypeError, "tuple or list of integers"),
        (dict(hidden_layer_sizes=(4, 0)), ValueError, "positive integers"),
        (dict(image_shape=(7, 7)), ValueError, "holds 49 values"),
        (dict(n_components=True), TypeError, "n_components must be an integer"),
        (dict(lr=0.5, weight_decay=2.0), ValueError, "lr \\* weight_decay"),
        (dict(noise="masking", noise_level=2.0), ValueError, "must lie in \\[0, 1\\]"),
    ],
)
def test_check_fit_refuses_what_constraints_cannot_say(params, error, message):
    with pytest.raises(error, match=message):
        check_fit(DenoisingAEEmbedder(**params), X, True, False)


def test_check_fit_warns_of_small_partial_fit_blocks_with_the_neighbour_term():
    est = DenoisingAEEmbedder(neighbor_weight=1.0)
    with pytest.warns(UserWarning, match="block of 60 rows"):
        check_fit(est, X, True, incremental=True)


def test_check_callbacks_refuses_reserved_names_scorers_and_missing_columns():
    with pytest.raises(ValueError, match="'progress' names one of aembed's own"):
        check_callbacks(DenoisingAEEmbedder(callbacks=[("progress", EarlyStopping())]))
    with pytest.raises(TypeError, match="EpochScoring scores a net's predictions"):
        check_callbacks(DenoisingAEEmbedder(callbacks=[EpochScoring("r2")]))
    with pytest.raises(ValueError, match="monitors 'valid_loss'"):
        check_callbacks(DenoisingAEEmbedder(callbacks=[EarlyStopping()]))
    with pytest.raises(TypeError, match="at position 0"):
        check_callbacks(DenoisingAEEmbedder(callbacks=["not a callback"]))
    check_callbacks(
        DenoisingAEEmbedder(callbacks=[EarlyStopping()], early_stopping=True)
    )


@pytest.fixture(scope="module")
def fitted():
    return VAEEmbedder(max_epochs=1, hidden_layer_sizes=(8,), random_state=0).fit(X)


def test_check_warm_start_names_the_changed_network(fitted):
    _, stats = check_fit(fitted, X, first=False, incremental=False)
    check_warm_start(fitted, stats)
    fitted.set_params(hidden_layer_sizes=(9,))
    try:
        with pytest.raises(
            ValueError, match=r"hidden_layer_sizes from \(8,\) to \(9,\)"
        ):
            check_warm_start(fitted, stats)
    finally:
        fitted.set_params(hidden_layer_sizes=(8,))


def test_check_warm_start_refuses_data_outside_the_bce_range(fitted):
    assert fitted.reconstruction_loss_ == "bce"
    _, stats = check_fit(fitted, X * 3, first=False, incremental=False)
    with pytest.raises(ValueError, match="outside the \\[0, 1\\]"):
        check_warm_start(fitted, stats)


def test_inference_checks_the_width_of_each_space(fitted):
    assert check_inference(fitted, X[:3]).shape == (3, 64)
    with pytest.raises(ValueError, match="X has 5 features"):
        check_inference(fitted, X[:3, :5])
    assert check_embedding(fitted, np.zeros((3, 2))).shape == (3, 2)
    with pytest.raises(ValueError, match="expects n_components=2"):
        check_embedding(fitted, np.zeros((3, 3)))


@pytest.mark.parametrize("n", [0, -1, 1.5, True, "3"])
def test_check_n_samples_refuses_anything_but_a_positive_int(n):
    with pytest.raises(ValueError, match="n_samples must be a positive integer"):
        check_n_samples(n)
