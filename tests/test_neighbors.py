"""The neighbour-preserving term: off by default, on when weighted."""

import pickle

import numpy as np
import pytest
import torch
from conftest import FAST
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

from aembed import DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder, load
from aembed._graph import neighbor_graph, spectral_layout, umap_cross_entropy
from aembed.datasets import load_mnist_5k

ESTIMATORS = [DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder]


@pytest.fixture(scope="module")
def mnist_split():
    X, y = load_mnist_5k(return_X_y=True)
    X, _, y, _ = train_test_split(X, y, train_size=2000, stratify=y, random_state=0)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_zero_weight_leaves_training_untouched(cls, mnist_split):
    X = mnist_split[0][:300]
    plain = cls(**FAST).fit(X)
    # n_neighbors means nothing without a weight: no graph, no extra draws.
    other = cls(**FAST, n_neighbors=3).fit(X)
    np.testing.assert_array_equal(plain.transform(X), other.transform(X))
    assert "train_neighbor" not in plain.history_


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_positive_weight_records_the_term_and_keeps_no_data(cls, mnist_split):
    X = mnist_split[0][:300]
    est = cls(**FAST, neighbor_weight=0.05).fit(X)
    assert np.isfinite(est.history_["train_neighbor"]).all()
    assert est.history_["train_neighbor"].iloc[-1] > 0
    # The loss is the model's objective plus the weighted term.
    assert (est.history_["train_loss"] > est.history_["train_reconstruction"]).all()
    assert est.net_.neighbor_term_ is None
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(est.transform(X), restored.transform(X))
    Z1 = cls(**FAST, neighbor_weight=0.05).fit_transform(X)
    np.testing.assert_array_equal(est.transform(X), Z1)


def test_save_and_load_keep_the_parameters(tmp_path, mnist_split):
    X = mnist_split[0][:200]
    est = VAEEmbedder(**FAST, neighbor_weight=0.1, n_neighbors=7).fit(X)
    est.save(tmp_path / "m.aembed")
    loaded = load(tmp_path / "m.aembed")
    assert loaded.get_params()["neighbor_weight"] == 0.1
    assert loaded.get_params()["n_neighbors"] == 7
    np.testing.assert_array_equal(est.transform(X), loaded.transform(X))


def test_warm_start_continues_with_the_term(mnist_split):
    X = mnist_split[0][:200]
    est = DenoisingAEEmbedder(**FAST, neighbor_weight=0.05, warm_start=True)
    est.fit(X).fit(X)
    assert est.n_iter_ == 6
    assert est.history_["train_neighbor"].notna().all()


def test_validation_scores_the_models_own_objective(mnist_split):
    X = mnist_split[0][:300]
    est = VAEEmbedder(
        **FAST, neighbor_weight=0.05, early_stopping=True, validation_fraction=0.2
    ).fit(X)
    assert "valid_neighbor" not in est.history_
    valid = est.history_["valid_reconstruction"] + est.history_["valid_kl"]
    np.testing.assert_allclose(est.history_["valid_loss"], valid, rtol=1e-5)


def test_negative_weight_is_refused():
    X = np.random.default_rng(0).random((20, 4))
    with pytest.raises(ValueError, match="neighbor_weight"):
        DenoisingAEEmbedder(neighbor_weight=-1).fit(X)
    with pytest.raises(ValueError, match="n_neighbors"):
        DenoisingAEEmbedder(neighbor_weight=1, n_neighbors=1).fit(X)


def test_neighbours_raise_held_out_knn_accuracy(mnist_split):
    X_tr, X_te, y_tr, y_te = mnist_split
    params = dict(max_epochs=15, random_state=0)
    scores = {}
    for weight in (0.0, 0.05):
        est = DenoisingAEEmbedder(**params, neighbor_weight=weight).fit(X_tr)
        knn = KNeighborsClassifier(5).fit(est.transform(X_tr), y_tr)
        scores[weight] = knn.score(est.transform(X_te), y_te)
    assert scores[0.05] > scores[0.0] + 0.05, scores


def test_spectral_layout_separates_clusters():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (40, 5)), rng.normal(20, 1, (40, 5))])
    layout = spectral_layout(neighbor_graph(X, 5), 2)
    assert layout.shape == (80, 2)
    np.testing.assert_allclose(layout.std(axis=0), 1.0)
    # The two blobs end up on opposite sides along some axis.
    gap = np.abs(layout[:40].mean(axis=0) - layout[40:].mean(axis=0)).max()
    assert gap > 1.5


@pytest.mark.parametrize("n_samples", [150, 600])  # dense and Lanczos solvers
def test_spectral_layout_is_scikit_learns_spectral_embedding(n_samples):
    from sklearn.manifold import spectral_embedding

    X, _ = load_digits(return_X_y=True)
    graph = neighbor_graph(X[:n_samples], 10)
    layout = spectral_layout(graph, 2)
    reference = spectral_embedding(graph, n_components=2, random_state=0)
    reference = (reference - reference.mean(axis=0)) / reference.std(axis=0)
    # Signs included: both flip each axis so that its largest entry is positive.
    np.testing.assert_allclose(layout, reference, atol=1e-4)


def test_spectral_layout_falls_back_when_lanczos_fails(monkeypatch):
    import scipy.sparse.linalg

    def fail(*args, **kwargs):
        raise scipy.sparse.linalg.ArpackNoConvergence("no", [], [])

    monkeypatch.setattr(scipy.sparse.linalg, "eigsh", fail)
    X, _ = load_digits(return_X_y=True)
    graph = neighbor_graph(X[:300], 10)
    layout = spectral_layout(graph, 2, random_state=0)
    # Seeded random Gaussian coordinates, standardised like a spectral layout.
    assert np.isfinite(layout).all()
    np.testing.assert_allclose(layout.std(axis=0), 1.0)
    np.testing.assert_array_equal(layout, spectral_layout(graph, 2, random_state=0))
    assert abs(np.corrcoef(layout.T)[0, 1]) < 0.2


@pytest.mark.parametrize("cls", [DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder])
def test_loss_terms_and_embedding_match_the_separate_calls(cls):
    # The neighbour term takes the heads' embedding from the loss pass.
    X, _ = load_digits(return_X_y=True)
    module = cls(max_epochs=1, random_state=0).fit(X[:200]).net_.module_
    x = torch.rand(16, 64)
    for training in (True, False):
        module.train(training)
        torch.manual_seed(0)
        terms, z = module.loss_terms_and_embedding(x)
        # The clean embedding, not a noisy or sampled code.
        torch.testing.assert_close(z, module.embed(x))
        assert z.requires_grad
        if training and cls is VQVAEEmbedder:
            continue  # each training call moves the codebook
        torch.manual_seed(0)  # the same corruption or posterior sample
        expected = module.loss_terms(x)
        assert terms.keys() == expected.keys()
        for name, value in expected.items():
            torch.testing.assert_close(terms[name], value)


def test_cross_entropy_gradients_attract_edges_and_repel_the_rest():
    z_head = torch.tensor([[0.0, 0.0], [1.0, 0.0]], requires_grad=True)
    z_tail = torch.tensor([[0.5, 0.0], [1.5, 0.0]], requires_grad=True)
    umap_cross_entropy(z_head, z_tail).backward()
    # Head 0 is pulled towards its tail (+x) and pushed from tail 1 (-x);
    # both tails are close, so only the sign of the balance is fixed. Head 1
    # is pulled to +x by its tail and pushed to +x by tail 0.
    assert z_head.grad[1, 0] < 0  # gradient descent moves head 1 to +x
    assert torch.isfinite(z_head.grad).all() and torch.isfinite(z_tail.grad).all()
    single = umap_cross_entropy(torch.zeros(1, 2), torch.ones(1, 2))
    assert torch.isfinite(single)


def test_training_curves_show_the_term(mnist_split):
    from aembed.plotting import plot_loss_and_kl

    X = mnist_split[0][:200]
    plain = VAEEmbedder(**FAST).fit(X)
    neighbours = VAEEmbedder(**FAST, neighbor_weight=0.05).fit(X)
    fig = plot_loss_and_kl({"VAE": plain.history_, "VAE + nb": neighbours.history_})
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["reconstruction", "KL divergence", "neighbour term"]
    assert len(fig.axes[2].get_lines()) == 1
