"""A teacher layout: UMAP's own optimisation of the training rows' layout.

A neighbour-preserving encoder learns its map from a few edges per row and
epoch; UMAP moves each row's coordinates directly, over hundreds of epochs
of every edge, at a fraction of an encoder's cost per step. Optimising that
non-parametric layout first and pulling the encoder towards it gives the
encoder the layout UMAP would reach, which the sampled term alone does not
within an autoencoder's training budget.
"""

import numpy as np
import torch

from .._graph import UMAP_A, UMAP_B

# Epochs of the teacher's optimisation; None: umap-learn's, 500 up to
# 10,000 rows and 200 above.
TEACHER_EPOCHS = None


# The coefficients take powers of every edge's distance: in numpy, in one
# thread, because PyTorch splits a large tensor among its threads and
# computes the part at each split's end with scalar rather than vector code,
# whose powers can differ in the last bit; over hundreds of epochs such bits
# grow into another layout, and the map would depend on the thread count.
def _attraction(d2, a, b):
    """UMAP's attraction coefficient at squared distances ``d2``."""
    d2 = d2.numpy()
    coef = (
        -2 * a * b * np.power(np.maximum(d2, 1e-12), b - 1) / (1 + a * np.power(d2, b))
    )
    return torch.from_numpy(coef)


def _repulsion(d2, a, b):
    """UMAP's repulsion coefficient at squared distances ``d2``."""
    d2 = d2.numpy()
    return torch.from_numpy(2 * b / ((0.001 + d2) * (1 + a * np.power(d2, b))))


def umap_layout(graph, init, *, n_epochs=200, n_negatives=5, random_state=0):
    """Optimise a 2-D (or any-D) layout of the graph's rows as UMAP does.

    UMAP's stochastic gradient descent (``min_dist=0.1``), vectorised: in
    epoch ``e`` each edge is drawn with probability ``w / max(w)`` (UMAP
    samples it every ``max(w) / w`` epochs), moves both of its ends together
    along the clipped gradient of its attraction, and its head apart from
    ``n_negatives`` uniformly drawn rows; the step size decays linearly from
    1 to 0. The moves of one epoch are applied at once rather than one edge
    after another, their sum clipped as UMAP clips each. Edges too weak to
    be drawn within ``n_epochs`` are dropped, as in UMAP.

    Parameters
    ----------
    graph : scipy.sparse matrix of shape (n, n)
        Symmetric fuzzy membership weights.
    init : ndarray of shape (n, n_components)
        The starting layout (the spectral embedding); rescaled to [0, 10]
        per axis, as UMAP does.
    n_epochs : int, default=200
        Epochs of the optimisation.
    n_negatives : int, default=5
        Negative samples per drawn edge.
    random_state : int, default=0
        Seed of the draws (a generator of its own; the global one is not
        touched).

    Returns
    -------
    layout : ndarray of shape (n, n_components), float32
        The optimised layout, centred.

    Examples
    --------
    >>> import numpy as np
    >>> from aembed._graph import neighbor_graph, spectral_layout
    >>> from aembed._training._teacher import umap_layout
    >>> X = np.random.default_rng(0).normal(size=(100, 5))
    >>> graph = neighbor_graph(X, 10)
    >>> umap_layout(graph, spectral_layout(graph, 2), n_epochs=20).shape
    (100, 2)
    """
    generator = torch.Generator().manual_seed(int(random_state))
    coo = graph.tocoo()
    weights = torch.from_numpy(coo.data.astype(np.float32))
    top = weights.max() if len(weights) else torch.tensor(1.0)
    keep = weights >= top / n_epochs
    heads = torch.from_numpy(coo.row.astype(np.int64))[keep]
    tails = torch.from_numpy(coo.col.astype(np.int64))[keep]
    chance = weights[keep] / top
    layout = torch.as_tensor(np.asarray(init), dtype=torch.float32).clone()
    low, high = layout.min(0).values, layout.max(0).values
    layout = 10 * (layout - low) / torch.where(high > low, high - low, 1.0)
    n, a, b = len(layout), UMAP_A, UMAP_B
    for epoch in range(n_epochs):
        alpha = 1.0 - epoch / n_epochs
        drawn = torch.rand(len(chance), generator=generator) < chance
        head, tail = heads[drawn], tails[drawn]
        step = torch.zeros_like(layout)
        # Attraction along each edge, to both of its ends.
        diff = layout[head] - layout[tail]
        d2 = (diff * diff).sum(1, keepdim=True)
        coef = _attraction(d2, a, b)
        move = (torch.where(d2 > 0, coef, 0.0) * diff).clamp(-4, 4) * alpha
        step.index_add_(0, head, move)
        step.index_add_(0, tail, -move)
        # Repulsion of each head from uniformly drawn rows.
        head = head.repeat_interleave(n_negatives)
        other = torch.randint(0, n, (len(head),), generator=generator)
        diff = layout[head] - layout[other]
        d2 = (diff * diff).sum(1, keepdim=True)
        coef = _repulsion(d2, a, b)
        move = torch.where(d2 > 0, (coef * diff).clamp(-4, 4), 0.0) * alpha
        step.index_add_(0, head, move)
        # Applied at once, a row's many clipped moves would add up to jumps
        # that sequential SGD never makes: clip their sum as UMAP clips one.
        layout += step.clamp(-4 * alpha, 4 * alpha)
    layout -= layout.mean(0)
    return layout.numpy()


def teacher_layout(graph, start, scale, random_state):
    """The teacher for a map whose similarities take distances times ``scale``.

    :func:`umap_layout` from ``start`` for umap-learn's number of epochs
    (500 up to 10,000 rows, 200 above), in UMAP's units, divided by
    ``scale`` into the embedding's, as a float32 tensor.
    """
    n_epochs = TEACHER_EPOCHS or (500 if graph.shape[0] <= 10_000 else 200)
    layout = umap_layout(graph, start, n_epochs=n_epochs, random_state=random_state)
    return torch.from_numpy(layout / scale)


def current_layout(net, X, batch_size=4096):
    """The net's embedding of the rows ``X`` (a tensor), as an array."""
    net.module_.eval()
    with torch.no_grad():
        parts = [
            net.module_.embed(X[i : i + batch_size].to(net.device)).float().cpu()
            for i in range(0, len(X), batch_size)
        ]
    return torch.cat(parts).numpy()
