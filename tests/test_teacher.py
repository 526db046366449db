"""The neighbour mode's opt-in teacher layout and affine augmentation."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.neighbors import KNeighborsClassifier

from aembed import DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder
from aembed._graph import neighbor_graph, spectral_layout
from aembed._training._augment import random_affine
from aembed._training._neighbors import TeacherTerm
from aembed._training._teacher import umap_layout
from aembed.nn import AutoEncoder, MLPDecoder, MLPEncoder
from aembed.nn._random import global_batch

ESTIMATORS = [DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder]
FAST = dict(max_epochs=2, hidden_layer_sizes=(32,), random_state=0)
TEACHER = dict(neighbor_weight=1.0, teacher_weight=1.0)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:400] / 16).astype(np.float32), y[:400]


def test_affine_without_motion_is_the_identity():
    x = torch.rand(5, 3 * 7 * 9)
    out = random_affine(x, (3, 7, 9), degrees=0, scale=0, shift=0)
    torch.testing.assert_close(out, x)


def test_affine_moves_an_image_by_at_most_its_bounds():
    # A centred square, shifted by at most 2 pixels and scaled by at most
    # 10 %, stays within the rows and columns that bound allows.
    x = torch.zeros(200, 1, 20, 20)
    x[:, :, 8:12, 8:12] = 1
    out = random_affine(x.reshape(200, -1), (1, 20, 20), degrees=0).reshape(x.shape)
    assert not torch.equal(out, x)
    assert out[:, :, :5].abs().max() == 0 and out[:, :, 15:].abs().max() == 0
    assert out[:, :, :, :5].abs().max() == 0 and out[:, :, :, 15:].abs().max() == 0
    # Mass changes by the area factor only: at most (1.1)^2.
    mass = out.sum((1, 2, 3)) / 16
    assert mass.min() > 1 / 1.1**2 - 0.05 and mass.max() < 1.1**2 + 0.05


def test_affine_draws_split_as_one_global_batch():
    x = torch.rand(8, 36)
    torch.manual_seed(0)
    whole = random_affine(x, (1, 6, 6))
    torch.manual_seed(0)
    with global_batch(4, 8):
        share = random_affine(x[4:], (1, 6, 6))
    torch.testing.assert_close(share, whole[4:])


def test_umap_layout_separates_the_graphs_clusters():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 10)) * 20
    labels = np.repeat(np.arange(3), 60)
    X = centres[labels] + rng.normal(size=(180, 10))
    graph = neighbor_graph(X, 10)
    start = spectral_layout(graph, 2)
    before = start.copy()
    layout = umap_layout(graph, start, n_epochs=50, random_state=1)
    np.testing.assert_array_equal(start, before)
    assert layout.shape == (180, 2) and np.isfinite(layout).all()
    np.testing.assert_allclose(layout.mean(0), 0, atol=1e-3)
    knn = KNeighborsClassifier(5).fit(layout, labels)
    assert knn.score(layout, labels) == 1.0
    np.testing.assert_array_equal(
        layout, umap_layout(graph, start, n_epochs=50, random_state=1)
    )
    assert not np.array_equal(
        layout, umap_layout(graph, start, n_epochs=50, random_state=2)
    )


def test_teacher_term_pulls_both_ends_towards_the_teacher():
    torch.manual_seed(0)
    X = torch.rand(40, 6)
    graph = neighbor_graph(X.numpy(), 5)
    module = AutoEncoder(MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli")
    teacher = torch.randn(40, 2) * 5
    term = TeacherTerm(X, graph, 0.0, 1.0, teacher, 1.0, None)

    class Batch:
        x, index, share = X[:16], torch.arange(16), None

    terms = term.loss_terms(module, Batch, "cpu")
    z = module.embed(X[:16])
    assert terms["teacher"] > 0
    assert torch.isclose(terms["loss"], terms["reconstruction"] + terms["teacher"])
    terms["teacher"].backward()
    # A small step along the gradient brings the heads closer.
    with torch.no_grad():
        for p in module.encoder.parameters():
            p -= 1e-3 * p.grad
    after = (module.embed(X[:16]) - teacher[:16]).pow(2).sum(1).mean()
    assert after < (z - teacher[:16]).pow(2).sum(1).mean()


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_teacher_and_augmentation_train_every_model(cls, digits):
    X, _ = digits
    est = cls(**FAST, **TEACHER, augment=(8, 8)).fit(X)
    assert np.isfinite(est.history_["train_teacher"]).all()
    assert est.net_.neighbor_term_ is None
    # augment only changes training: off, the same seed gives another map.
    other = cls(**FAST, **TEACHER, augment=None).fit(X)
    assert not np.allclose(est.transform(X), other.transform(X))


def test_the_teacher_guides_the_neighbour_mode_by_default(digits):
    X, _ = digits
    est = DenoisingAEEmbedder(**FAST, neighbor_weight=1.0)
    assert est.teacher_weight == 1.0 and est.augment == "auto"
    est.fit(X)
    assert "train_teacher" in est.history_ and "train_neighbor" in est.history_
    # teacher_weight=0 trains the term alone, another map from the same seed.
    alone = DenoisingAEEmbedder(**FAST, neighbor_weight=1.0, teacher_weight=0.0)
    alone.fit(X)
    assert "train_teacher" not in alone.history_
    assert not np.allclose(est.transform(X), alone.transform(X))


def test_augment_auto_needs_image_shape(digits):
    X, _ = digits
    auto = DenoisingAEEmbedder(**FAST, neighbor_weight=1.0).fit(X)
    off = DenoisingAEEmbedder(**FAST, neighbor_weight=1.0, augment=None).fit(X)
    np.testing.assert_array_equal(auto.transform(X), off.transform(X))
    # With image_shape, "auto" augments the images it describes.
    conv = dict(FAST, image_shape=(8, 8), neighbor_weight=1.0)
    auto = DenoisingAEEmbedder(**conv).fit(X)
    off = DenoisingAEEmbedder(**conv, augment=None).fit(X)
    assert not np.allclose(auto.transform(X), off.transform(X))


def test_warm_start_optimises_the_teacher_from_the_current_map(digits):
    X, _ = digits
    est = VAEEmbedder(**FAST, **TEACHER, warm_start=True).fit(X)
    est.fit(X)
    assert est.n_iter_ == 4
    assert np.isfinite(est.history_["train_teacher"]).all()


def test_plain_models_ignore_the_neighbour_mode_parameters(digits):
    X, _ = digits
    plain = VAEEmbedder(**FAST).fit(X)
    other = VAEEmbedder(**FAST, teacher_weight=3.0, augment=(8, 8)).fit(X)
    np.testing.assert_array_equal(plain.transform(X), other.transform(X))


@pytest.mark.parametrize(
    ("augment", "error", "match"),
    [
        ((7, 7), ValueError, "augment=.* 49 values per image, but X has 64"),
        ((0, 64), ValueError, "augment must be"),
        ((1, 2, 4, 8), ValueError, "augment must be"),
        ("8x8", ValueError, "augment"),
        ({8: 8}, TypeError, "augment must be a tuple"),
    ],
)
def test_bad_augment_is_refused(digits, augment, error, match):
    X, _ = digits
    with pytest.raises(error, match=match):
        DenoisingAEEmbedder(**FAST, neighbor_weight=1.0, augment=augment).fit(X)


def test_save_and_load_keep_the_parameters(tmp_path, digits):
    from aembed import load

    X, _ = digits
    est = VAEEmbedder(**FAST, neighbor_weight=1.0, teacher_weight=0.5, augment=(8, 8))
    est.fit(X).save(tmp_path / "m.aembed")
    loaded = load(tmp_path / "m.aembed")
    assert loaded.get_params()["teacher_weight"] == 0.5
    assert tuple(loaded.get_params()["augment"]) == (8, 8)
    np.testing.assert_array_equal(est.transform(X), loaded.transform(X))
