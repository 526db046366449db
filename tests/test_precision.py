"""Data whose variations are small against their magnitude are learned."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.neighbors import KNeighborsClassifier

from aembed import DenoisingAEEmbedder
from aembed._scaling import apply_scaling


@pytest.fixture(scope="module")
def offset_digits():
    X, y = load_digits(return_X_y=True)
    # Variations of a few hundredths on 1e6: float32 rounds them to 1e6.
    return 1e6 + X[:600] / 256, y[:600]


def test_statistics_are_taken_before_the_cast_to_float32(offset_digits):
    X, _ = offset_digits
    est = DenoisingAEEmbedder(
        max_epochs=1, hidden_layer_sizes=(8,), random_state=0, scaling="standard"
    )
    with pytest.warns(UserWarning, match="resolve them coarsely"):
        est.fit(X)
    scaled = apply_scaling(X, est.input_offset_, est.input_scale_)
    varying = X.std(axis=0) > 0
    np.testing.assert_allclose(scaled[:, varying].std(axis=0), 1.0, rtol=1e-3)


def test_offset_data_are_learned_as_well_as_without_the_offset(offset_digits):
    X, y = offset_digits
    scores = []
    for data in (X - 1e6, X):
        est = DenoisingAEEmbedder(max_epochs=15, random_state=0, scaling="standard")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            Z = est.fit_transform(data[:400])
        knn = KNeighborsClassifier(5).fit(Z, y[:400])
        scores.append(knn.score(est.transform(data[400:]), y[400:]))
    assert scores[1] > scores[0] - 0.05


def test_streamed_float64_blocks_are_scaled_before_the_cast(offset_digits, tmp_path):
    X, _ = offset_digits
    memmap = np.lib.format.open_memmap(
        tmp_path / "X.npy", mode="w+", dtype=np.float64, shape=X.shape
    )
    memmap[:] = X
    from aembed._scaling import fit_scaling
    from aembed._streaming import BlockReader, StreamedRows

    reader = BlockReader(memmap, block_bytes=4096)
    mode, offset, scale = fit_scaling(reader.statistics(), "standard")
    rows = (
        StreamedRows(reader, range(reader.n_blocks), offset, scale)
        ._load(range(reader.n_blocks))
        .numpy()
    )
    varying = X.std(axis=0) > 0
    np.testing.assert_allclose(rows[:, varying].std(axis=0), 1.0, rtol=1e-3)


def test_float32_data_fit_without_a_warning():
    X, _ = load_digits(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        DenoisingAEEmbedder(max_epochs=1, hidden_layer_sizes=(8,), random_state=0).fit(
            X[:100].astype(np.float32)
        )
