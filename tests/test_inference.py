"""aembed._inference: the one row map of every inference method."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

import aembed._inference as inference
from aembed import DenoisingAEEmbedder
from aembed._inference import chunks, map_rows, rowwise
from aembed._streaming import BlockReader


@pytest.fixture(scope="module")
def fitted():
    X = load_digits().data[:200]
    est = DenoisingAEEmbedder(max_epochs=1, hidden_layer_sizes=(16,), random_state=0)
    return est.fit(X), X


def embed(module, x):
    return module.embed(x)


def test_rowwise_pads_to_a_multiple_and_cuts_back():
    seen = []
    x = torch.arange(10.0).reshape(5, 2)
    out = rowwise(lambda rows: seen.append(len(rows)) or rows * 2, x)
    assert seen == [inference.ROW_MULTIPLE]
    assert torch.equal(out, x * 2)


def test_chunks_cover_an_array_and_a_reader_alike():
    X = np.arange(20.0, dtype=np.float32).reshape(10, 2)
    starts = [start for start, _ in chunks(X, 4)]
    assert starts == [0, 4, 8]
    from_reader = list(chunks(BlockReader(X, block_bytes=3 * 2 * 4), 2))
    np.testing.assert_array_equal(np.vstack([rows for _, rows in from_reader]), X)
    assert [start for start, _ in from_reader] == [0, 2, 3, 5, 6, 8, 9]


def test_map_rows_is_the_module_applied_to_the_scaled_rows(fitted):
    est, X = fitted
    scaling = (est.input_offset_, est.input_scale_)
    out = map_rows(est.net_, X, embed, 2, scale_in=scaling)
    x = torch.from_numpy(((X - scaling[0]) / scaling[1]).astype(np.float32))
    with torch.no_grad():
        expected = est.net_.module_.embed(x).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(out, est.transform(X))


def test_map_rows_undoes_the_scaling_of_its_output(fitted):
    est, X = fitted
    scaling = (est.input_offset_, est.input_scale_)
    Z = est.transform(X[:5])
    scaled = map_rows(est.net_, Z, lambda m, z: m.decode(z), X.shape[1])
    out = map_rows(est.net_, Z, lambda m, z: m.decode(z), None, unscale_out=scaling)
    np.testing.assert_allclose(out, scaled * scaling[1] + scaling[0], rtol=1e-5)


def test_map_rows_chunks_change_nothing(fitted, monkeypatch):
    est, X = fitted
    whole = map_rows(est.net_, X, embed, 2)
    monkeypatch.setattr(inference, "MIN_INFERENCE_BATCH", 64)
    monkeypatch.setattr(est.net_, "batch_size", 64)
    np.testing.assert_array_equal(map_rows(est.net_, X, embed, 2), whole)
    reader = BlockReader(X.astype(np.float32), block_bytes=50 * 64 * 4)
    np.testing.assert_array_equal(map_rows(est.net_, reader, embed, 2), whole)


def test_map_rows_refuses_non_finite_results_unless_told(fitted):
    est, X = fitted

    def nan(module, x):
        return torch.full((len(x), 1), float("nan"))

    with pytest.raises(ValueError, match="non-finite values"):
        map_rows(est.net_, X, nan, 1)
    assert np.isnan(map_rows(est.net_, X, nan, 1, check_finite=False)).all()


def test_map_rows_gives_the_module_back_in_its_mode(fitted):
    est, X = fitted
    module = est.net_.module_
    module.train()
    try:
        map_rows(est.net_, X[:3], embed, 2)
        assert module.training
    finally:
        module.eval()
