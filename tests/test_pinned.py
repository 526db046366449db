"""Seeded fits give the numbers they gave when these were recorded, bit for bit.

The digests are SHA-256 of the float32 bytes of each result, recorded on
the CPU. A change to how the estimators are organised must not change what
they compute; a change that means to (a new default, another objective)
records new digests and says so in the changelog.
"""

import hashlib
import os

import numpy as np
import pytest
from sklearn.datasets import load_digits

import aembed
from aembed import DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder

SETTINGS = dict(max_epochs=2, hidden_layer_sizes=(32, 16), random_state=0)
CLASSES = {"dae": DenoisingAEEmbedder, "vae": VAEEmbedder, "vqvae": VQVAEEmbedder}

PINNED = {
    ("dae", 0.0): {
        "transform": "ca88e4f039e8a589",
        "inverse_transform": "8768f549a5155dad",
        "score_samples": "f3a30e54785abb82",
        "train_loss": "b2c4c71ac19e5ec6",
        "loaded_transform": "ca88e4f039e8a589",
        "warm_transform": "f21937f00e798248",
        "partial_fit_transform": "fbf857e67cd93823",
        "fit_partial_fit_transform": "9b782b9204583288",
    },
    ("dae", 0.5): {
        "transform": "1f70ebeceedb741b",
        "inverse_transform": "b796b2b81528f54d",
        "score_samples": "8210f2b6cb2f45c2",
        "train_loss": "b51b4b14e5336440",
        "loaded_transform": "1f70ebeceedb741b",
        "warm_transform": "d40cbf1817c4ef06",
        "partial_fit_transform": "8f9de012844c208f",
        "fit_partial_fit_transform": "d7eb5eea989cfbd3",
    },
    ("vae", 0.0): {
        "transform": "d546d9abc0320894",
        "inverse_transform": "28471afb59cb136b",
        "score_samples": "3d3e1752a36ce890",
        "train_loss": "2149c79ff1a6edaf",
        "loaded_transform": "d546d9abc0320894",
        "warm_transform": "7e982be291ff1cdf",
        "sample": "4f8e7ea5e89be8d4",
        "partial_fit_transform": "468d7368d1c10590",
        "fit_partial_fit_transform": "9eabe53247bfc3dd",
    },
    ("vae", 0.5): {
        "transform": "617fae71abb7267e",
        "inverse_transform": "9b64bf492d217062",
        "score_samples": "085f76692d656ef9",
        "train_loss": "79894c2e39fcfa03",
        "loaded_transform": "617fae71abb7267e",
        "warm_transform": "2e72db18ee44dbc8",
        "sample": "689861e8ceda03eb",
        "partial_fit_transform": "3b427567dc8da145",
        "fit_partial_fit_transform": "a16ee2a7ccc6ed13",
    },
    ("vqvae", 0.0): {
        "transform": "755568c0ddeb18b7",
        "inverse_transform": "2c4a4f34ef67bf1c",
        "score_samples": "639634e7f4fcf64b",
        "train_loss": "4ca5e034d68d788e",
        "loaded_transform": "755568c0ddeb18b7",
        "warm_transform": "6491c37f41ea7492",
        "predict": "d5f2f88b22cdde0b",
        "partial_fit_transform": "22ec12308c798cf5",
        "fit_partial_fit_transform": "c684085772e22e4e",
    },
    ("vqvae", 0.5): {
        "transform": "3dc8edc37b277d5f",
        "inverse_transform": "ba9536ff3e48b1d4",
        "score_samples": "09fe145bae52216c",
        "train_loss": "d97553c8d27966e5",
        "loaded_transform": "3dc8edc37b277d5f",
        "warm_transform": "168b6ea03dd3f73c",
        "predict": "0ba07cc12d89aad2",
        "partial_fit_transform": "dab36690cc5189f1",
        "fit_partial_fit_transform": "010786b69f0cb7f0",
    },
}


def digest(array):
    array = np.ascontiguousarray(np.asarray(array, dtype=np.float32))
    return hashlib.sha256(array.tobytes()).hexdigest()[:16]


@pytest.fixture(scope="module")
def digits():
    X, _ = load_digits(return_X_y=True)
    return X[:240]


def results(name, neighbor_weight, X, tmp_path):
    est = CLASSES[name](neighbor_weight=neighbor_weight, **SETTINGS).fit(X)
    Z = est.transform(X)
    out = {
        "transform": digest(Z),
        "inverse_transform": digest(est.inverse_transform(Z[:20])),
        "score_samples": digest(est.score_samples(X[:20])),
        "train_loss": digest(est.history_["train_loss"].to_numpy()),
    }
    path = os.path.join(tmp_path, f"{name}.aembed")
    est.save(path)
    loaded = aembed.load(path)
    out["loaded_transform"] = digest(loaded.transform(X))
    # Training continued from the file draws what one longer fit would.
    loaded.set_params(warm_start=True).fit(X)
    out["warm_transform"] = digest(loaded.transform(X))
    if name == "vae":
        out["sample"] = digest(est.sample(10, random_state=0))
    if name == "vqvae":
        out["predict"] = digest(est.predict(X))
    inc = CLASSES[name](neighbor_weight=neighbor_weight, **SETTINGS)
    for block in np.array_split(X, 2):
        with np.errstate(all="ignore"):
            inc.partial_fit(block)
    out["partial_fit_transform"] = digest(inc.transform(X))
    # partial_fit after fit continues the fitted network.
    out["fit_partial_fit_transform"] = digest(est.partial_fit(X).transform(X))
    return out


CASES = [(name, w) for name in CLASSES for w in (0.0, 0.5)]


@pytest.mark.parametrize(("name", "neighbor_weight"), CASES)
def test_seeded_results_are_pinned(name, neighbor_weight, digits, tmp_path):
    assert (
        results(name, neighbor_weight, digits, tmp_path)
        == PINNED[(name, neighbor_weight)]
    )
