"""The public PyTorch modules of aembed.nn, used without scikit-learn."""

import pytest
import torch

from aembed.nn import (
    AutoEncoder,
    DenoisingAutoEncoder,
    VariationalAutoEncoder,
    VectorQuantizedAutoEncoder,
    build_encoder_decoder,
    corrupt,
)

N_FEATURES, N_LATENT = 12, 2


def make(kind, image_shape=None, n_features=N_FEATURES):
    outputs = 2 * N_LATENT if kind == "vae" else N_LATENT
    encoder, decoder = build_encoder_decoder(
        n_features, N_LATENT, outputs, (8,), "relu", image_shape
    )
    if kind == "ae":
        return AutoEncoder(encoder, decoder, "bernoulli")
    if kind == "dae":
        return DenoisingAutoEncoder(encoder, decoder, "bernoulli", noise_level=0.2)
    if kind == "vae":
        return VariationalAutoEncoder(encoder, decoder, "bernoulli", n_latent=N_LATENT)
    return VectorQuantizedAutoEncoder(
        encoder, decoder, "gaussian", n_latent=N_LATENT, n_codes=5
    )


KINDS = ["ae", "dae", "vae", "vqvae"]


@pytest.fixture
def x():
    torch.manual_seed(0)
    return torch.rand(16, N_FEATURES)


@pytest.mark.parametrize("kind", KINDS)
def test_modules_embed_decode_and_score_rows(kind, x):
    module = make(kind).eval()
    z = module.embed(x)
    assert z.shape == (16, N_LATENT)
    assert module.decode(z).shape == (16, N_FEATURES)
    assert module.log_likelihood(x).shape == (16,)
    # A row's embedding does not depend on the rows beside it.
    torch.testing.assert_close(module.embed(x[:1]), z[:1])


@pytest.mark.parametrize("kind", KINDS)
def test_loss_terms_give_a_finite_scalar_loss_that_trains(kind, x):
    torch.manual_seed(0)
    module = make(kind).train()
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-2)
    first = None
    for _ in range(30):
        terms = module.loss_terms(x)
        assert terms["loss"].ndim == 0 and torch.isfinite(terms["loss"])
        optimizer.zero_grad()
        terms["loss"].backward()
        optimizer.step()
        first = terms["loss"].item() if first is None else first
    assert module.loss_terms(x)["loss"].item() < first


@pytest.mark.parametrize("kind", KINDS)
def test_loss_terms_and_embedding_give_the_batchs_embedding(kind, x):
    module = make(kind).eval()
    terms, z = module.loss_terms_and_embedding(x)
    assert "loss" in terms and z.shape == (16, N_LATENT)


def test_vae_elbo_is_at_most_zero_for_bernoulli_data(x):
    module = make("vae").eval()
    elbo = module.elbo(x)
    assert elbo.shape == (16,) and (elbo <= 0).all()


def test_vqvae_predicts_code_indices_and_decodes_codes(x):
    module = make("vqvae").eval()
    codes = module.predict(x)
    assert codes.shape == (16,) and ((codes >= 0) & (codes < 5)).all()
    snapped = module.quantize(module.embed(x))
    codebook = module.quantizer.codebook
    torch.testing.assert_close(snapped, codebook[codes])


def test_convolutional_pair_for_images():
    encoder, decoder = build_encoder_decoder(64, 2, 2, (16,), "relu", (1, 8, 8))
    x = torch.rand(3, 64)
    z = encoder(x)
    assert z.shape == (3, 2) and decoder(z).shape == (3, 64)


@pytest.mark.parametrize("noise", ["gaussian", "masking", "salt_and_pepper"])
def test_corrupt_changes_a_copy_and_keeps_the_shape(noise, x):
    torch.manual_seed(0)
    before = x.clone()
    noisy = corrupt(x, noise, 0.5)
    assert noisy.shape == x.shape and not torch.equal(noisy, x)
    torch.testing.assert_close(x, before)
    if noise != "gaussian":
        changed = noisy != x
        assert set(noisy[changed].unique().tolist()) <= {0.0, 1.0}


def test_corrupt_at_level_zero_is_the_identity(x):
    assert torch.equal(corrupt(x, "gaussian", 0.0), x)
