"""The neighbour-preserving term: UMAP's graph of the training rows and its loss."""

from .._graph import (
    NeighborSampler,
    neighbor_graph,
    spectral_layout,
    umap_cross_entropy,
)

# The neighbour term's similarities see distances times this: UMAP's layout
# at a third of its size, about the unit scale a VAE's prior asks for.
NEIGHBOR_SCALE = 3.0
# Passes over the data that fit a new encoder to the spectral start.
LAYOUT_PASSES = 5


class NeighborTerm:
    """UMAP's cross-entropy on edges drawn from a graph of the training rows.

    Each training batch's rows are the heads; one neighbour per head (its
    tail) is drawn in proportion to its edge weight, and the module's
    ``forward`` embeds both, with the embedding ``transform`` returns. The
    batch's other tails are the negative samples; in a data-parallel run,
    the tails of the whole global batch, gathered with their gradients.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_features)
        The training rows, indexed as the batches' row indices.
    graph : scipy.sparse matrix of shape (n_samples, n_samples)
        Symmetric fuzzy membership weights.
    weight : float
        Factor of the term in the training loss.
    scale : float
        Distance scale of the low-dimensional similarity.
    """

    def __init__(self, X, graph, weight, scale):
        self.X = X
        self.sampler = NeighborSampler(graph, device=X.device)
        self.weight = weight
        self.scale = scale

    def tails(self, heads, device):
        """Rows of the neighbours drawn for the rows ``heads``."""
        return self.X[self.sampler.sample(heads)].to(device, non_blocking=True)

    def __call__(self, z_heads, z_tails, share=None, parallel=None):
        offset = 0
        if parallel is not None:
            z_tails, offset = parallel.gather_with_grad(z_tails), share[0]
        return umap_cross_entropy(z_heads, z_tails, scale=self.scale, offset=offset)


def neighbor_term(net, train, est, seed, warm, parallel):
    """UMAP's graph of the (scaled) training rows, and the term it drives.

    The term is weighted by ``est.neighbor_weight`` times the number of
    features: the reconstruction term sums over features, so the balance
    does not change with the width of the data. A new network (``warm``
    False) first learns to map the rows to the graph's spectral embedding,
    UMAP's own starting layout, which the term then refines. In a
    data-parallel run every process builds the same graph and fits the same
    start on all rows, in batches of the global batch's size.
    """
    rows = train.cpu().numpy()
    graph = neighbor_graph(rows, est.n_neighbors, random_state=seed)
    if not warm:
        layout = spectral_layout(graph, est.n_components, random_state=seed)
        world = 1 if parallel is None else parallel.world
        net.fit_layout(
            train, layout, n_passes=LAYOUT_PASSES, batch_size=net.batch_size * world
        )
    weight = est.neighbor_weight * train.shape[1]
    return NeighborTerm(train, graph, weight, scale=NEIGHBOR_SCALE)
