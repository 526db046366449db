"""DenoisingAEEmbedder and its corruption."""

import numpy as np
import pytest
import torch
from conftest import FAST
from sklearn.datasets import load_digits

from aembed import DenoisingAEEmbedder
from aembed.nn import DenoisingAutoEncoder, MLPDecoder, MLPEncoder, corrupt


def test_gaussian_noise_has_the_requested_spread():
    torch.manual_seed(0)
    x = torch.zeros(200, 500)
    noisy = corrupt(x, "gaussian", 0.3)
    assert noisy.std().item() == pytest.approx(0.3, rel=0.02)


def test_masking_drops_the_requested_share():
    torch.manual_seed(0)
    x = torch.ones(200, 500)
    masked = corrupt(x, "masking", 0.25)
    assert set(masked.unique().tolist()) == {0.0, 1.0}
    assert (masked == 0).float().mean().item() == pytest.approx(0.25, abs=0.01)


def test_salt_and_pepper_uses_the_value_range():
    torch.manual_seed(0)
    x = torch.full((200, 500), 0.5)
    noisy = corrupt(x, "salt_and_pepper", 0.2, value_range=(-1.0, 3.0))
    values = noisy.unique().tolist()
    assert values == [-1.0, 0.5, 3.0]
    assert (noisy != 0.5).float().mean().item() == pytest.approx(0.2, abs=0.01)
    assert (noisy == 3.0).float().mean().item() == pytest.approx(0.1, abs=0.01)


def test_zero_noise_level_returns_the_input():
    x = torch.rand(4, 3)
    assert corrupt(x, "gaussian", 0.0) is x


def test_unknown_noise_is_refused():
    with pytest.raises(ValueError, match="noise must be one of"):
        corrupt(torch.rand(2, 2), "pink", 0.1)


def test_corruption_only_in_training_mode():
    torch.manual_seed(0)
    model = DenoisingAutoEncoder(
        MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)), "gaussian", noise_level=1.0
    )
    x = torch.rand(16, 6)
    model.eval()
    assert model.loss_terms(x)["loss"] == model.loss_terms(x)["loss"]
    model.train()
    assert model.loss_terms(x)["loss"] != model.loss_terms(x)["loss"]


@pytest.mark.parametrize("noise", ["gaussian", "masking", "salt_and_pepper"])
def test_every_noise_trains_and_transform_stays_deterministic(noise):
    X, _ = load_digits(return_X_y=True)
    est = DenoisingAEEmbedder(noise=noise, noise_level=0.3, **FAST).fit(X[:200])
    np.testing.assert_array_equal(est.transform(X[:50]), est.transform(X[:50]))
    assert est.history_["train_loss"].iloc[-1] < est.history_["train_loss"].iloc[0]


def test_noise_changes_training_but_not_the_interface():
    X, _ = load_digits(return_X_y=True)
    plain = DenoisingAEEmbedder(noise_level=0.0, **FAST).fit(X[:200])
    noisy = DenoisingAEEmbedder(noise_level=0.5, **FAST).fit(X[:200])
    assert not np.array_equal(plain.transform(X[:20]), noisy.transform(X[:20]))


@pytest.mark.parametrize("noise", ["masking", "salt_and_pepper"])
def test_a_probability_above_one_is_refused_before_training(noise):
    X = np.random.default_rng(0).random((20, 4))
    with pytest.raises(ValueError, match="noise_level=1.5 is the probability"):
        DenoisingAEEmbedder(noise=noise, noise_level=1.5, max_epochs=1).fit(X)
    DenoisingAEEmbedder(noise="gaussian", noise_level=1.5, max_epochs=1).fit(X)


def test_score_samples_is_the_reconstruction_log_likelihood():
    X, _ = load_digits(return_X_y=True)
    est = DenoisingAEEmbedder(**FAST).fit(X[:200])
    scores = est.score_samples(X[:50])
    assert scores.shape == (50,) and scores.dtype == np.float32
    x = torch.from_numpy((X[:50] - est.input_offset_) / est.input_scale_)
    module = est.net_.module_
    with torch.no_grad():
        logits = module.decoder(module.encoder(x.float()))
        expected = -torch.nn.functional.binary_cross_entropy_with_logits(
            logits, x.float(), reduction="none"
        ).sum(1)
    np.testing.assert_allclose(scores, expected.numpy(), rtol=1e-5)
    assert (scores <= 0).all()
    # An anomaly score: inverted digits (ink for background) are far less
    # likely than digits.
    assert est.score_samples(16 - X[:50]).max() < scores.min()
