"""Seeded fits give the numbers they gave when these were recorded, bit for bit.

The digests are SHA-256 of the float32 bytes of each result, recorded on
the CPU, one table per CPU generation the project's machines have (the math
libraries round some float32 products differently on a CPU with AMX tiles);
on another the test is skipped, saying so. A change to how the estimators
are organised must not change what they compute; a change that means to (a
new default, another objective) records new digests and says so in the
changelog.
"""

import hashlib
import os

import numpy as np
import pytest
from sklearn.datasets import load_digits

import aembed
from aembed import DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder
from aembed._devices import cpu_generation

SETTINGS = dict(max_epochs=2, hidden_layer_sizes=(32, 16), random_state=0)
CLASSES = {"dae": DenoisingAEEmbedder, "vae": VAEEmbedder, "vqvae": VQVAEEmbedder}


# Recorded on an AVX512 CPU without AMX.
PINNED_AVX512 = {
    ("dae", 0.0, 1.0): {
        "transform": "2ac32b58427bd43a",
        "inverse_transform": "256135ae0b7b7514",
        "score_samples": "9eb85a4e3e7f0aaa",
        "train_loss": "b2c4c71ac19e5ec6",
        "loaded_transform": "2ac32b58427bd43a",
        "warm_transform": "3bbf65efdfbd84b2",
        "partial_fit_transform": "5569b19a898e4914",
        "fit_partial_fit_transform": "170e24140fbb4bc4",
    },
    ("dae", 0.5, 0.0): {
        "transform": "3889cf49d3746ca1",
        "inverse_transform": "380bf510d0ce8125",
        "score_samples": "e928fb5ac129a741",
        "train_loss": "17e5f1bbdbd9b27c",
        "loaded_transform": "3889cf49d3746ca1",
        "warm_transform": "50f4951361f2f2a5",
        "partial_fit_transform": "1b185f437acc011d",
        "fit_partial_fit_transform": "4bb5ab40c5831d51",
    },
    ("vae", 0.0, 1.0): {
        "transform": "007e35cbd67aadc6",
        "inverse_transform": "e59872816eb857f0",
        "score_samples": "3d3e1752a36ce890",
        "train_loss": "2149c79ff1a6edaf",
        "loaded_transform": "007e35cbd67aadc6",
        "warm_transform": "678435844cc2702a",
        "sample": "b81d5d51bd368ed4",
        "partial_fit_transform": "7cf32ff98ba2eaf9",
        "fit_partial_fit_transform": "6d39cd34f034451d",
    },
    ("vae", 0.5, 0.0): {
        "transform": "1cfd28146339f758",
        "inverse_transform": "52b471e8a9d31db9",
        "score_samples": "6b36707752fda03f",
        "train_loss": "4347d1ad82a26f33",
        "loaded_transform": "1cfd28146339f758",
        "warm_transform": "5eb0388c194d2c36",
        "sample": "164f0c94f3b14a05",
        "partial_fit_transform": "adb1c345149f789b",
        "fit_partial_fit_transform": "bb4da4cb96a4a788",
    },
    ("vqvae", 0.0, 1.0): {
        "transform": "b2d983acb0fe29f5",
        "inverse_transform": "426c19b078692430",
        "score_samples": "1765507d61c896b5",
        "train_loss": "4ca5e034d68d788e",
        "loaded_transform": "b2d983acb0fe29f5",
        "warm_transform": "973239d2c8198f54",
        "predict": "d5f2f88b22cdde0b",
        "partial_fit_transform": "a1ea835c37ae71a7",
        "fit_partial_fit_transform": "06fe8bc99507d0ad",
    },
    ("vqvae", 0.5, 0.0): {
        "transform": "1dc8f2bc16ca8f1d",
        "inverse_transform": "818aa69c0a9e2f37",
        "score_samples": "02e3ec11d9c86ee7",
        "train_loss": "5b7442da5197ec1f",
        "loaded_transform": "1dc8f2bc16ca8f1d",
        "warm_transform": "1dca89e06500d4f5",
        "predict": "0ba07cc12d89aad2",
        "partial_fit_transform": "366e0f18d0a659cb",
        "fit_partial_fit_transform": "ccbbaeaf9e11013d",
    },
    ("dae", 0.5, 1.0): {
        "transform": "1931ccd73899d280",
        "inverse_transform": "d6f30002d4e6b07e",
        "score_samples": "a6c5a8c84d5ffd33",
        "train_loss": "ea3a89bba2a1825b",
        "loaded_transform": "1931ccd73899d280",
        "warm_transform": "f7711642076ed88a",
        "partial_fit_transform": "935ba347bd23bb30",
        "fit_partial_fit_transform": "f80cb32c11ae1a03",
    },
    ("vae", 0.5, 1.0): {
        "transform": "0650de14ce69a0c6",
        "inverse_transform": "50adb52bb7fa5448",
        "score_samples": "8f672589189f6993",
        "train_loss": "bc1395ce28784cc3",
        "loaded_transform": "0650de14ce69a0c6",
        "warm_transform": "c1cb2a2412fa61d6",
        "sample": "a0fb9827b158d4c7",
        "partial_fit_transform": "ea2ed0eb9bf2f52e",
        "fit_partial_fit_transform": "10c84287890ff081",
    },
    ("vqvae", 0.5, 1.0): {
        "transform": "1c0f73f610fa9e7a",
        "inverse_transform": "5c17f4270bcef203",
        "score_samples": "163f26c7a7e3bcbe",
        "train_loss": "0ad887f848401e73",
        "loaded_transform": "1c0f73f610fa9e7a",
        "warm_transform": "4a89fac3a41b8046",
        "predict": "668c1349f47b1f8e",
        "partial_fit_transform": "b4b44b5261929931",
        "fit_partial_fit_transform": "970ca5bf1a58fd12",
    },
}


# Recorded on an AVX512 CPU with AMX tiles.
PINNED_AVX512_AMX = {
    ("dae", 0, 1): {
        "transform": "06cfcd3602eab9a8",
        "inverse_transform": "2aa688c88eb96109",
        "score_samples": "9eb85a4e3e7f0aaa",
        "train_loss": "b2c4c71ac19e5ec6",
        "loaded_transform": "06cfcd3602eab9a8",
        "warm_transform": "8c5bd86acb913b59",
        "partial_fit_transform": "00f41748136db740",
        "fit_partial_fit_transform": "fc14690706c0f2e9",
    },
    ("dae", 0.5, 0): {
        "transform": "69efd1ee696c95cc",
        "inverse_transform": "193aeca0c36144f1",
        "score_samples": "615d6a3188571ca9",
        "train_loss": "973ed814f1ba00a9",
        "loaded_transform": "69efd1ee696c95cc",
        "warm_transform": "95daac04ad7d7731",
        "partial_fit_transform": "3209861e1c7a3c4d",
        "fit_partial_fit_transform": "888704989eab6e11",
    },
    ("dae", 0.5, 1): {
        "transform": "1a24899096df43c6",
        "inverse_transform": "2c9dafaaf6caa4aa",
        "score_samples": "8c0046a8201d0c0a",
        "train_loss": "0921ee731cee3cb6",
        "loaded_transform": "1a24899096df43c6",
        "warm_transform": "8fb329a7286c5381",
        "partial_fit_transform": "e9dd65daf3aa4fd8",
        "fit_partial_fit_transform": "5df3c367480df98b",
    },
    ("vae", 0, 1): {
        "transform": "ad4621d02556d204",
        "inverse_transform": "666765826da5cad1",
        "score_samples": "3d3e1752a36ce890",
        "train_loss": "2149c79ff1a6edaf",
        "loaded_transform": "ad4621d02556d204",
        "warm_transform": "28dc3f6bd0b3e8f5",
        "sample": "69374519b0520d3d",
        "partial_fit_transform": "06855fb25ff13091",
        "fit_partial_fit_transform": "467cb888f59675d8",
    },
    ("vae", 0.5, 0): {
        "transform": "e5e73d9a63ec9bbe",
        "inverse_transform": "aaac2968c31ea639",
        "score_samples": "dc7087f79a25a09a",
        "train_loss": "eef6d0e1039e2780",
        "loaded_transform": "e5e73d9a63ec9bbe",
        "warm_transform": "468b18aca51c0785",
        "sample": "ae77e30e1e118259",
        "partial_fit_transform": "91b7349b0d70b410",
        "fit_partial_fit_transform": "c58be66e373776cd",
    },
    ("vae", 0.5, 1): {
        "transform": "600f282eb5fd0baf",
        "inverse_transform": "6bd555206ec56084",
        "score_samples": "ce55565401657944",
        "train_loss": "b92f3e7801fb9f15",
        "loaded_transform": "600f282eb5fd0baf",
        "warm_transform": "fd2ddb0b0653c242",
        "sample": "f3b60e6865a23141",
        "partial_fit_transform": "eecda0f0744a8ed0",
        "fit_partial_fit_transform": "60a0edb791a33dfd",
    },
    ("vqvae", 0, 1): {
        "transform": "e2bfd14df0fc56c1",
        "inverse_transform": "c0452347872268ca",
        "score_samples": "1765507d61c896b5",
        "train_loss": "4ca5e034d68d788e",
        "loaded_transform": "e2bfd14df0fc56c1",
        "warm_transform": "f805679c904e35c0",
        "predict": "d5f2f88b22cdde0b",
        "partial_fit_transform": "75c44f7a1acace57",
        "fit_partial_fit_transform": "323cced270fe4b34",
    },
    ("vqvae", 0.5, 0): {
        "transform": "e8265c943772a6f6",
        "inverse_transform": "0faf7f4cbb1a619d",
        "score_samples": "03bee340caf6da4e",
        "train_loss": "7177e124d21e3f21",
        "loaded_transform": "e8265c943772a6f6",
        "warm_transform": "bca8fc4070104b53",
        "predict": "0ba07cc12d89aad2",
        "partial_fit_transform": "e5308ab3374b5b7d",
        "fit_partial_fit_transform": "e28629ca0ac402bd",
    },
    ("vqvae", 0.5, 1): {
        "transform": "c326a683ea13c62d",
        "inverse_transform": "f1bc84439d49959f",
        "score_samples": "eb864a2e0ab71b18",
        "train_loss": "deca8eafc85f4e67",
        "loaded_transform": "c326a683ea13c62d",
        "warm_transform": "2261970a9e928abe",
        "predict": "0cddc04b6b9cbc2b",
        "partial_fit_transform": "27b4bc42e2134d9a",
        "fit_partial_fit_transform": "3c736c415380ce12",
    },
}

# The plain models only on the CPU without AMX: the neighbour graph's ties
# and the teacher's powers were made independent of the thread count after
# those digests were taken, on a machine of the other generation.
PINNED = {
    "AVX512": {k: v for k, v in PINNED_AVX512.items() if k[1] == 0},
    "AVX512 with AMX": PINNED_AVX512_AMX,
}


def digest(array):
    array = np.ascontiguousarray(np.asarray(array, dtype=np.float32))
    return hashlib.sha256(array.tobytes()).hexdigest()[:16]


@pytest.fixture(scope="module")
def digits():
    X, _ = load_digits(return_X_y=True)
    return X[:240]


def results(name, neighbor_weight, teacher_weight, X, tmp_path):
    params = dict(SETTINGS, neighbor_weight=neighbor_weight)
    if teacher_weight != 1.0:  # the default
        params["teacher_weight"] = teacher_weight
    est = CLASSES[name](**params).fit(X)
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
    inc = CLASSES[name](**params)
    for block in np.array_split(X, 2):
        with np.errstate(all="ignore"):
            inc.partial_fit(block)
    out["partial_fit_transform"] = digest(inc.transform(X))
    # partial_fit after fit continues the fitted network.
    out["fit_partial_fit_transform"] = digest(est.partial_fit(X).transform(X))
    return out


# The plain models, the neighbour term alone, and the term with its teacher.
CASES = [(name, w, t) for name in CLASSES for w, t in ((0, 1), (0.5, 0), (0.5, 1))]


@pytest.mark.parametrize(("name", "neighbor_weight", "teacher_weight"), CASES)
def test_seeded_results_are_pinned(
    name, neighbor_weight, teacher_weight, digits, tmp_path
):
    pinned = PINNED.get(cpu_generation(), {})
    if (name, neighbor_weight, teacher_weight) not in pinned:
        pytest.skip(f"no digests of this case recorded on a {cpu_generation()} CPU")
    got = results(name, neighbor_weight, teacher_weight, digits, tmp_path)
    assert got == pinned[(name, neighbor_weight, teacher_weight)]
