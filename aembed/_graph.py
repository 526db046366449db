"""UMAP's fuzzy neighbour graph of the training rows, and its loss.

The graph follows McInnes, Healy and Melville (2018): each row's k nearest
neighbours get membership weights ``exp(-(d - rho) / sigma)``, with ``rho``
the distance to the nearest neighbour and ``sigma`` set so that the weights
sum to ``log2(k)``; the directed weights ``A`` are symmetrised by the fuzzy
union ``A + A.T - A * A.T``. Neighbours are searched exactly, in the space of
the first ``n_pca`` principal components when the data are wider than that,
which keeps the search cheap and its memory linear in the rows.
"""

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors

# UMAP's curve 1 / (1 + a d^(2b)) fitted to its default min_dist=0.1, spread=1.
UMAP_A, UMAP_B = 1.5769, 0.8951


def nearest_neighbors(X, n_neighbors, *, n_pca=50, random_state=0):
    """Indices and distances of each row's ``n_neighbors`` nearest other rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Rows to connect.
    n_neighbors : int
        Neighbours per row (the row itself excluded).
    n_pca : int or None, default=50
        Search in this many principal components when ``X`` is wider; None
        searches in the full space.
    random_state : int, default=0
        Seed of the randomised PCA.

    Returns
    -------
    indices, distances : ndarray of shape (n_samples, n_neighbors)
    """
    if n_pca is not None and X.shape[1] > n_pca and X.shape[0] > n_pca:
        X = PCA(
            n_pca, svd_solver="randomized", random_state=random_state
        ).fit_transform(X)
    k = min(n_neighbors, X.shape[0] - 1)
    nn = NearestNeighbors(n_neighbors=k + 1).fit(X)
    distances, indices = nn.kneighbors(X)
    # Drop each row itself (duplicates may put it second: drop by identity).
    own = indices == np.arange(len(X))[:, None]
    own[own.sum(axis=1) == 0, -1] = True
    keep = ~own
    return (
        indices[keep].reshape(len(X), k),
        distances[keep].reshape(len(X), k).astype(np.float64),
    )


def membership_weights(distances, *, n_iter=64):
    """Each row's directed membership weights to its neighbours.

    ``exp(-(d - rho) / sigma)``: 1 for the nearest neighbour, and ``sigma``
    found by bisection so that a row's weights sum to ``log2(k)``.
    """
    n, k = distances.shape
    positive = np.where(distances > 0, distances, np.inf)
    rho = np.where(np.isfinite(positive.min(axis=1)), positive.min(axis=1), 0.0)
    excess = np.maximum(distances - rho[:, None], 0.0)
    target = np.log2(k) if k > 1 else 1.0
    low, high = np.zeros(n), np.full(n, np.inf)
    sigma = np.ones(n)
    for _ in range(n_iter):
        total = np.exp(-excess / sigma[:, None]).sum(axis=1)
        too_big = total > target
        high = np.where(too_big, sigma, high)
        low = np.where(too_big, low, sigma)
        sigma = np.where(np.isinf(high), sigma * 2, (low + high) / 2)
    # As in UMAP, keep sigma from collapsing to zero on duplicated rows.
    sigma = np.maximum(sigma, 1e-3 * excess.mean(axis=1).clip(1e-12))
    return np.exp(-excess / sigma[:, None])


def fuzzy_graph(indices, distances, *, n_iter=64):
    """UMAP's symmetric fuzzy membership graph as a CSR matrix.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0]])
    >>> graph = fuzzy_graph(*nearest_neighbors(X, 2, n_pca=None))
    >>> graph.shape, bool((graph != graph.T).nnz == 0)
    ((4, 4), True)
    """
    n, k = indices.shape
    weights = membership_weights(distances, n_iter=n_iter)
    directed = sp.csr_matrix(
        (weights.ravel(), indices.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n)
    )
    product = directed.multiply(directed.T)
    return (directed + directed.T - product).tocsr()


class NeighborSampler:
    """Draw one graph neighbour per row, with probability ∝ edge weight.

    Holds the CSR arrays as tensors; sampling is a vectorised binary search
    in the cumulative weights, O(batch · log(edges)), on the given device.
    """

    def __init__(self, graph, device="cpu"):
        self.device = torch.device(device)
        graph = graph.tocsr()
        graph.sort_indices()
        weights = torch.as_tensor(graph.data, dtype=torch.float64)
        self.indices = torch.as_tensor(graph.indices, dtype=torch.long, device=device)
        self.cumulative = torch.cumsum(weights, 0).to(device)
        indptr = torch.as_tensor(graph.indptr, dtype=torch.long)
        starts = torch.cat(
            [torch.zeros(1, dtype=torch.float64), torch.cumsum(weights, 0)]
        )
        self.row_start = starts[indptr[:-1]].to(device)
        self.row_total = (starts[indptr[1:]] - starts[indptr[:-1]]).to(device)
        self.row_end = indptr[1:].to(device)

    def sample(self, rows):
        """Neighbour indices for ``rows`` (a row with no edge gets itself)."""
        u = torch.rand(len(rows), dtype=torch.float64, device=rows.device)
        target = self.row_start[rows] + u * self.row_total[rows]
        position = torch.searchsorted(self.cumulative, target, right=True)
        position = torch.minimum(position, self.row_end[rows] - 1)
        neighbors = self.indices[position.clamp(min=0)]
        return torch.where(self.row_total[rows] > 0, neighbors, rows)


def umap_cross_entropy(z_head, z_tail, n_negatives=5, eps=1e-4):
    """UMAP's fuzzy cross-entropy for sampled edges and negative pairs.

    Heads and tails of sampled edges should be close (membership 1); a head
    paired with the tails of shuffled edges should be far (membership 0).
    Low-dimensional similarity is ``1 / (1 + a d^(2b))``.
    """
    heads = z_head.repeat(n_negatives, 1)
    shuffled = torch.cat(
        [
            z_tail[torch.randperm(len(z_tail), device=z_tail.device)]
            for _ in range(n_negatives)
        ]
    )
    # The small offset keeps the gradient of d^(2b) finite at d = 0.
    d2_pos = (z_head - z_tail).pow(2).sum(1) + 1e-8
    d2_neg = (heads - shuffled).pow(2).sum(1) + 1e-8
    q_pos = 1.0 / (1.0 + UMAP_A * d2_pos.pow(UMAP_B))
    q_neg = 1.0 / (1.0 + UMAP_A * d2_neg.pow(UMAP_B))
    attraction = -torch.log(q_pos.clamp(min=eps))
    repulsion = -torch.log((1.0 - q_neg).clamp(min=eps))
    return torch.cat([attraction, repulsion]).mean()
