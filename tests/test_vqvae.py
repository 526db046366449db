"""Tests for VQVAEEmbedder and its modules (common sklearn checks: test_common.py)."""

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import train_test_split

from aembed import VQVAEEmbedder
from aembed.nn import VectorQuantizer
from conftest import FAST

FAST = dict(FAST, n_codes=16, max_epochs=5)


@pytest.fixture(scope="module")
def fitted(digit_pixels):
    return VQVAEEmbedder(**FAST).fit(digit_pixels[0])


def test_predict_is_the_nearest_code_of_the_continuous_embedding(fitted, digit_pixels):
    X = digit_pixels[0]
    Z, C = fitted.transform(X), fitted.codebook_
    codes = fitted.predict(X)
    assert codes.dtype == np.int64 and codes.shape == (len(X),)
    dist = ((Z[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)
    assert_array_equal(codes, dist.argmin(axis=1))
    assert len(np.unique(codes)) > 1


def test_labels_are_the_codes_of_the_training_rows(fitted, digit_pixels):
    X = digit_pixels[0]
    assert_array_equal(fitted.labels_, fitted.predict(X))
    assert_array_equal(VQVAEEmbedder(**FAST).fit_predict(X), fitted.labels_)
    warm = VQVAEEmbedder(**FAST, warm_start=True).fit(X).fit(X[:100])
    assert_array_equal(warm.labels_, warm.predict(X[:100]))


def test_n_codes_is_the_number_of_clusters(digit_pixels):
    X, y = digit_pixels
    clusterer = VQVAEEmbedder(**{**FAST, "n_codes": 10})
    labels = clusterer.fit_predict(X)
    assert set(labels.tolist()) <= set(range(10)) and len(set(labels.tolist())) > 1
    # The default is a quantiser, not a ten-cluster clustering: as the
    # docstring says, so that nobody reads 1,024 clusters as a bug.
    assert VQVAEEmbedder().n_codes == 1024
    doc = VQVAEEmbedder.__doc__
    assert "number of clusters" in doc and "n_codes=10" in doc


def test_score_samples_decodes_the_codes(fitted, digit_pixels):
    X = digit_pixels[0]
    scores = fitted.score_samples(X)
    x = torch.from_numpy(X)
    module = fitted.net_.module_
    with torch.no_grad():
        logits = module.decoder(module.quantize(module.embed(x)))
        expected = -torch.nn.functional.binary_cross_entropy_with_logits(
            logits, x, reduction="none"
        ).sum(1)
    assert_allclose(scores, expected.numpy(), rtol=1e-5)


def test_quantize_returns_the_codes(fitted, digit_pixels):
    X = digit_pixels[0]
    Z_q = fitted.set_params(quantize=True).transform(X)
    fitted.set_params(quantize=False)
    assert_array_equal(Z_q, fitted.codebook_[fitted.predict(X)])
    assert not np.allclose(Z_q, fitted.transform(X))


def test_inverse_transform_quantises_then_decodes(fitted, digit_pixels):
    X = digit_pixels[0]
    Z = fitted.transform(X)
    X_rec = fitted.inverse_transform(Z)
    assert_array_equal(
        X_rec, fitted.inverse_transform(fitted.codebook_[fitted.predict(X)])
    )
    assert_allclose(X_rec, fitted.reconstruct(X))
    # At most one reconstruction per code.
    assert len(np.unique(X_rec, axis=0)) <= fitted.n_codes


def test_codebook_is_saved_with_the_module(fitted):
    state = fitted.net_.module_.state_dict()
    assert_array_equal(state["quantizer.codebook"].numpy(), fitted.codebook_)
    assert "quantizer.usage" not in state
    assert fitted.codebook_.shape == (16, 2) and fitted.codebook_.dtype == np.float32
    # A copy: editing it leaves the model alone.
    fitted.codebook_[:] = 0
    assert np.abs(fitted.codebook_).sum() > 0


def test_same_seed_same_codebook(fitted, digit_pixels):
    # tests/test_common.py compares embeddings; the codebook is separate state.
    again = VQVAEEmbedder(**FAST).fit(digit_pixels[0])
    assert_array_equal(fitted.codebook_, again.codebook_)


def test_history_records_losses_and_codebook_usage_per_epoch(fitted):
    h = fitted.history_
    for column in ("train_reconstruction", "train_commitment"):
        assert np.isfinite(h[column]).all()
    assert ((h.train_code_usage > 0) & (h.train_code_usage <= 1)).all()
    assert ((h.train_perplexity >= 1) & (h.train_perplexity <= 16)).all()


def test_code_usage_is_counted_over_the_epoch_not_per_batch(digit_pixels):
    # With batches of 8 rows, a per-batch share could never exceed 8 / 64.
    emb = VQVAEEmbedder(**{**FAST, "n_codes": 64}, batch_size=8).fit(digit_pixels[0])
    assert emb.history_.train_code_usage.iloc[-1] > 0.5


def test_quantizer_initialises_from_data_and_tracks_cluster_means():
    torch.manual_seed(0)
    centres = torch.tensor([[-5.0, 0.0], [5.0, 0.0]])
    vq = VectorQuantizer(n_codes=2, dim=2, decay=0.9)
    for _ in range(200):
        z = centres[torch.randint(2, (64,))] + 0.1 * torch.randn(64, 2)
        vq(z)
    order = vq.codebook[:, 0].argsort()
    assert_allclose(vq.codebook[order].numpy(), centres.numpy(), atol=0.1)
    vq.eval()
    before = vq.codebook.clone()
    vq(torch.randn(64, 2))
    assert torch.equal(vq.codebook, before)


def test_quantizer_restarts_dead_codes_at_the_data():
    torch.manual_seed(0)
    vq = VectorQuantizer(n_codes=8, dim=2)
    z = torch.randn(256, 2) + 10
    vq(z)  # all-zero counts: every code is dead and starts at a data row
    assert (vq.codebook > 5).all()
    # Move the data away: the stranded codes are restarted near it.
    for _ in range(300):
        vq(torch.randn(256, 2) - 10)
    assert (vq.codebook < -5).all()
    vq.reset_usage()
    vq(torch.randn(256, 2) - 10)
    assert (vq.usage > 0).sum() == 8


def test_convolutional_network(digit_pixels):
    X = digit_pixels[0]
    emb = VQVAEEmbedder(**FAST, image_shape=(8, 8)).fit(X)
    assert emb.transform(X).shape == (len(X), 2)
    assert emb.predict(X).max() < 16


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_codes": 0}, "n_codes"),
        ({"commitment_cost": -0.1}, "commitment_cost"),
        ({"quantize": "yes"}, "quantize"),
        ({"n_components": 0}, "n_components"),
        ({"image_shape": (3, 3)}, "image_shape"),
    ],
)
def test_bad_parameters_are_rejected(digit_pixels, params, match):
    with pytest.raises(ValueError, match=match):
        VQVAEEmbedder(**{**FAST, **params}).fit(digit_pixels[0])


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[0.0, np.nan], [1.0, 0.5]]), "NaN"),
        (np.array([[0.0, np.inf], [1.0, 0.5]]), "infinity"),
        (np.ones(5), "Expected 2D array"),
        (np.empty((0, 3)), "0 sample"),
    ],
)
def test_bad_input_is_rejected(X, match):
    with pytest.raises(ValueError, match=match):
        VQVAEEmbedder(**FAST).fit(X)


def test_bad_input_after_fitting(fitted, digit_pixels):
    X = digit_pixels[0]
    with pytest.raises(ValueError, match="features"):
        fitted.predict(X[:, :10])
    with pytest.raises(ValueError, match="n_components=2"):
        fitted.inverse_transform(np.zeros((3, 5)))


@pytest.mark.slow
def test_mnist_codebook_stays_in_use():
    from aembed.datasets import load_mnist_5k

    X, y = load_mnist_5k(return_X_y=True)
    X_train, X_test = train_test_split(X, test_size=0.2, stratify=y, random_state=0)
    emb = VQVAEEmbedder(max_epochs=20, random_state=0).fit(X_train)
    assert emb.history_.train_code_usage.iloc[-1] > 0.9
    assert emb.history_.train_perplexity.iloc[-1] > 0.5 * emb.n_codes
    assert len(np.unique(emb.predict(X_test))) > 0.5 * emb.n_codes
