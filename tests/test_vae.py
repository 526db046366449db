"""Tests for VAEEmbedder and its module (common sklearn checks: test_common.py)."""

import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from aembed import VAEEmbedder
from aembed._inference import MIN_INFERENCE_BATCH as _MIN_INFERENCE_BATCH
from aembed.nn import MLPDecoder, MLPEncoder, VariationalAutoEncoder
from conftest import FAST

FAST = dict(FAST, max_epochs=5)


@pytest.fixture(scope="module")
def fitted(digit_pixels):
    return VAEEmbedder(**FAST).fit(digit_pixels[0])


def test_transform_is_the_deterministic_posterior_mean(fitted, digit_pixels):
    X = digit_pixels[0]
    Z = fitted.transform(X)
    assert Z.shape == (len(X), 2) and Z.dtype == np.float32
    assert_array_equal(Z, fitted.transform(X))
    module = fitted.net_.module_
    with torch.no_grad():
        mean, _ = module.posterior(torch.from_numpy(X))
    assert_allclose(Z, mean.numpy(), rtol=1e-6)


def test_history_holds_both_terms_for_training_and_validation(digit_pixels):
    emb = VAEEmbedder(**FAST, early_stopping=True).fit(digit_pixels[0])
    for prefix in ("train", "valid"):
        for term in ("loss", "reconstruction", "kl"):
            assert np.isfinite(emb.history_[f"{prefix}_{term}"]).all()
    assert len(emb.history_) == emb.n_iter_ == 5
    # beta = 1 and no warm-up: the validation loss is the negative ELBO.
    h = emb.history_
    assert_allclose(h.valid_loss, h.valid_reconstruction + h.valid_kl, rtol=1e-5)


def test_beta_weighs_the_kl_term(digit_pixels):
    X = digit_pixels[0]
    kl = {
        beta: VAEEmbedder(**{**FAST, "max_epochs": 15}, beta=beta)
        .fit(X)
        .history_.train_kl.iloc[-1]
        for beta in (0.25, 4.0)
    }
    assert kl[4.0] < 0.5 * kl[0.25]


def test_a_collapsed_posterior_is_reported(digit_pixels):
    X, _ = digit_pixels
    with pytest.warns(UserWarning, match="posterior collapsed .* lower beta") as w:
        VAEEmbedder(beta=50.0, **{**FAST, "max_epochs": 3}).fit(X)
    assert w[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        VAEEmbedder(beta=0.1, **{**FAST, "max_epochs": 3}).fit(X)


def test_kl_warmup_ramps_the_weight_then_restores_it(digit_pixels):
    emb = VAEEmbedder(**FAST, kl_warmup_epochs=2, tol=None).fit(digit_pixels[0])
    assert_allclose(emb.history_.kl_weight, [0.0, 0.5, 1.0, 1.0, 1.0])
    assert emb.net_.module_.kl_weight == 1.0
    assert "kl_weight" not in VAEEmbedder(**FAST).fit(digit_pixels[0]).history_


def test_a_warmup_longer_than_training_says_so(digit_pixels):
    X = digit_pixels[0]
    with pytest.warns(
        ConvergenceWarning, match=r"warm-up \(kl_warmup_epochs=25\) outlasted training"
    ):
        VAEEmbedder(**FAST, kl_warmup_epochs=25, tol=None).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        emb = VAEEmbedder(**FAST, kl_warmup_epochs=2, tol=None).fit(X)
    # A warm fit continues the ramp, which ended in the first fit.
    emb.set_params(warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        emb.fit(X)


def test_module_loss_uses_the_warmup_weight_only_in_training():
    torch.manual_seed(0)
    model = VariationalAutoEncoder(
        MLPEncoder(6, 4, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli", 2, beta=3.0
    )
    x = torch.rand(16, 6)
    model.kl_weight = 0.0
    model.eval()
    terms = model.loss_terms(x)
    assert torch.allclose(terms["loss"], terms["reconstruction"] + 3 * terms["kl"])
    assert torch.allclose(
        model.elbo(x).mean(), -(terms["reconstruction"] + terms["kl"])
    )
    model.train()
    terms = model.loss_terms(x)
    assert torch.equal(terms["loss"], terms["reconstruction"])


def test_elbo_of_data_in_unit_interval_is_at_most_zero(fitted, digit_pixels):
    X = digit_pixels[0]
    assert fitted.reconstruction_loss_ == "bce"
    elbo = fitted.score_samples(X)
    assert elbo.shape == (len(X),)
    assert np.isfinite(elbo).all() and (elbo <= 0).all()
    assert fitted.score(X) == pytest.approx(elbo.mean(), rel=1e-6)
    # Longer training raises the bound.
    longer = VAEEmbedder(**{**FAST, "max_epochs": 30}).fit(X)
    assert longer.score(X) > fitted.score(X)


def test_score_samples_is_per_row(fitted, digit_pixels):
    X = digit_pixels[0]
    assert_allclose(fitted.score_samples(X[5:9]), fitted.score_samples(X)[5:9])


def test_sample_shapes_units_and_seeding(digit_pixels):
    X = 16 * digit_pixels[0]  # caller's units: 0..16
    emb = VAEEmbedder(**FAST).fit(X)
    torch_state = torch.get_rng_state()
    S = emb.sample(7, random_state=0)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert S.shape == (7, 64) and S.dtype == np.float32
    assert np.isfinite(S).all()
    assert S.min() >= 0 and S.max() <= 16 and S.max() > 1
    assert_array_equal(S, emb.sample(7, random_state=0))
    assert not np.allclose(S, emb.sample(7, random_state=1))
    assert emb.sample().shape == (1, 64)


def test_sample_decodes_in_bounded_chunks(fitted, monkeypatch):
    n = 2 * _MIN_INFERENCE_BATCH + 5
    z = np.random.RandomState(0).standard_normal((n, 2)).astype(np.float32)
    expected = fitted.inverse_transform(z)
    sizes = []
    decode = VAEEmbedder.inverse_transform
    monkeypatch.setattr(
        VAEEmbedder,
        "inverse_transform",
        lambda self, Z: sizes.append(len(Z)) or decode(self, Z),
    )
    assert_array_equal(fitted.sample(n, random_state=0), expected)
    assert max(sizes) <= _MIN_INFERENCE_BATCH and sum(sizes) == n


def test_sample_refuses_more_than_memory_up_front(fitted):
    message = r"sample\(10+\) would return .* GiB, more than this machine"
    with pytest.raises(MemoryError, match=message):
        fitted.sample(10**12)


def test_inverse_transform_decodes_to_caller_units(digit_pixels):
    X = 16 * digit_pixels[0]
    emb = VAEEmbedder(**FAST).fit(X)
    X_rec = emb.inverse_transform(emb.transform(X))
    assert X_rec.shape == X.shape
    assert_allclose(X_rec, emb.reconstruct(X), rtol=1e-5, atol=1e-5)
    assert X_rec.max() > 1


def test_convolutional_network(digit_pixels):
    X = digit_pixels[0]
    emb = VAEEmbedder(**FAST, image_shape=(8, 8)).fit(X)
    assert emb.transform(X).shape == (len(X), 2)
    assert emb.sample(3, random_state=0).shape == (3, 64)


def test_grid_search_without_y_or_scorer_prefers_the_elbo_objective(digit_pixels):
    X = digit_pixels[0]
    grid = GridSearchCV(
        VAEEmbedder(hidden_layer_sizes=(64,), max_epochs=30, random_state=0),
        {"n_components": [2, 8], "beta": [0.5, 1.0, 4.0]},
        cv=3,
    ).fit(X)
    results = grid.cv_results_
    scores = results["mean_test_score"]
    assert np.isfinite(scores).all() and (scores <= 0).all()
    # beta = 1 is the model trained on the ELBO itself: it should win, and
    # the heavily regularised beta = 4 should lose, whatever n_components.
    assert grid.best_params_["beta"] == 1.0
    for n in (2, 8):
        by_beta = {
            p["beta"]: s
            for p, s in zip(results["params"], scores, strict=True)
            if p["n_components"] == n
        }
        assert by_beta[4.0] < by_beta[1.0]


@pytest.mark.parametrize(
    "params, match",
    [
        ({"beta": -0.5}, "beta"),
        ({"kl_warmup_epochs": -1}, "kl_warmup_epochs"),
        ({"kl_warmup_epochs": 1.5}, "kl_warmup_epochs"),
        ({"n_components": 0}, "n_components"),
        ({"image_shape": (3, 3)}, "image_shape"),
    ],
)
def test_bad_parameters_are_rejected(digit_pixels, params, match):
    with pytest.raises(ValueError, match=match):
        VAEEmbedder(**{**FAST, **params}).fit(digit_pixels[0])


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
        VAEEmbedder(**FAST).fit(X)


def test_bad_input_after_fitting(fitted, digit_pixels):
    X = digit_pixels[0]
    with pytest.raises(ValueError, match="features"):
        fitted.transform(X[:, :10])
    with pytest.raises(ValueError, match="features"):
        fitted.score_samples(X[:, :10])
    with pytest.raises(ValueError, match="n_components=2"):
        fitted.inverse_transform(np.zeros((3, 5)))
    for n in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="n_samples"):
            fitted.sample(n)
