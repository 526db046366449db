"""The neighbour graph: search, fuzzy weights, sampling."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.neighbors import NearestNeighbors

from aembed._graph import (
    NeighborSampler,
    fuzzy_graph,
    membership_weights,
    nearest_neighbors,
    umap_cross_entropy,
)


def test_neighbours_match_an_exact_search_without_pca():
    X, _ = load_digits(return_X_y=True)
    indices, distances = nearest_neighbors(X[:300], 10, n_pca=None)
    exact = NearestNeighbors(n_neighbors=11).fit(X[:300]).kneighbors(X[:300])
    np.testing.assert_allclose(distances, exact[0][:, 1:])
    assert not (indices == np.arange(300)[:, None]).any()


def test_pca_search_keeps_most_neighbours():
    X, _ = load_digits(return_X_y=True)
    approx, _ = nearest_neighbors(X, 15, n_pca=20)
    exact, _ = nearest_neighbors(X, 15, n_pca=None)
    recall = np.mean(
        [len(set(a) & set(e)) / 15 for a, e in zip(approx, exact, strict=True)]
    )
    assert 0.7 < recall < 1.0


def test_fuzzy_weights_follow_umaps_calibration():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    indices, distances = nearest_neighbors(X, 8, n_pca=None)
    graph = fuzzy_graph(indices, distances)
    assert (graph != graph.T).nnz == 0  # symmetric
    assert graph.data.min() > 0 and graph.data.max() <= 1 + 1e-12
    weights = membership_weights(distances)
    np.testing.assert_allclose(weights.sum(axis=1), np.log2(8), rtol=1e-6)
    np.testing.assert_allclose(weights.max(axis=1), 1.0)
    # the fuzzy union of a and b is a + b - ab
    i, j = 0, indices[0, 0]
    a = weights[0, 0]
    b = weights[j][indices[j] == i].sum()
    assert graph[i, j] == pytest.approx(a + b - a * b)


def test_sampler_draws_neighbours_in_proportion_to_weight():
    import scipy.sparse as sp

    graph = sp.csr_matrix(np.array([[0, 1.0, 3.0], [1.0, 0, 0], [3.0, 0, 0]]))
    sampler = NeighborSampler(graph)
    torch.manual_seed(0)
    draws = sampler.sample(torch.zeros(20_000, dtype=torch.long))
    assert set(draws.tolist()) == {1, 2}
    assert (draws == 2).float().mean().item() == pytest.approx(0.75, abs=0.02)
    assert sampler.sample(torch.tensor([1, 2])).tolist() == [0, 0]


def test_cross_entropy_rewards_close_neighbours_and_distant_strangers():
    torch.manual_seed(0)
    heads = torch.randn(64, 2) * 10
    close = umap_cross_entropy(heads, heads + 0.01)
    far = umap_cross_entropy(heads, heads + 5.0)
    assert close < far
    collapsed = umap_cross_entropy(torch.zeros(64, 2), torch.zeros(64, 2))
    assert close < collapsed  # strangers on top of each other are penalised
