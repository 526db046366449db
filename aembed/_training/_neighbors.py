"""The neighbour-preserving term: UMAP's graph of the training rows and its loss."""

from functools import partial

import torch

from .._graph import (
    NeighborSampler,
    label_intersection,
    neighbor_graph,
    spectral_layout,
    umap_cross_entropy,
)
from .._validation import augment_shape
from ._augment import random_affine
from ._teacher import current_layout, teacher_layout

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

    def loss_terms(self, module, batch, device, parallel=None, **inputs):
        """The module's loss terms for ``batch``, with the term added.

        ``inputs`` go to the module's ``forward`` as well (``labelled``).
        """
        terms = module(batch.x, self.tails(batch.index, device), **inputs)
        z_heads, z_tails = terms.pop("embedding"), terms.pop("tail_embedding")
        neighbor = self(z_heads, z_tails, batch.share, parallel)
        terms["neighbor"] = neighbor
        terms["loss"] = terms["loss"] + self.weight * neighbor
        return terms


class TeacherTerm(NeighborTerm):
    """The neighbour term, guided by a teacher layout, on augmented views.

    As :class:`NeighborTerm`, plus, when ``teacher`` is given, the
    squared distance of both ends of each sampled edge to their places in
    the teacher layout, weighted by ``teacher_weight``; and, when
    ``augment`` is given, both ends are embedded from randomly transformed
    copies of their rows (``augment(x)``), each pulled towards its row's
    teacher place, while the model's own loss (the reconstruction) still
    sees the batch as it is.

    Parameters
    ----------
    X, graph, weight, scale
        As :class:`NeighborTerm`.
    teacher : torch.Tensor of shape (n_samples, n_components) or None
        The teacher layout, in the embedding's units.
    teacher_weight : float
        Factor of the teacher term in the training loss.
    augment : callable or None
        Maps a batch of rows to randomly transformed copies.
    """

    def __init__(self, X, graph, weight, scale, teacher, teacher_weight, augment):
        super().__init__(X, graph, weight, scale)
        self.teacher = teacher
        self.teacher_weight = teacher_weight
        self.augment = augment

    def loss_terms(self, module, batch, device, parallel=None, **inputs):
        tail_rows = self.sampler.sample(batch.index)
        tails = self.X[tail_rows].to(device, non_blocking=True)
        if self.augment is None:
            terms = module(batch.x, tails, **inputs)
            z_heads, z_tails = terms.pop("embedding"), terms.pop("tail_embedding")
        else:
            # One draw per call: in data-parallel training each call's rows
            # are one share of the global batch.
            views = torch.cat([self.augment(batch.x), self.augment(tails)])
            terms = module(batch.x, views, **inputs)
            terms.pop("embedding")
            z_heads, z_tails = terms.pop("tail_embedding").split(len(batch.x))
        neighbor = self(z_heads, z_tails, batch.share, parallel)
        terms["neighbor"] = neighbor
        terms["loss"] = terms["loss"] + self.weight * neighbor
        if self.teacher is not None:
            rows = torch.cat([batch.index, tail_rows])
            target = self.teacher[rows].to(device, non_blocking=True)
            z = torch.cat([z_heads, z_tails]).float()
            teacher = (z - target).pow(2).sum(1).mean()
            terms["teacher"] = teacher
            terms["loss"] = terms["loss"] + self.teacher_weight * teacher
        return terms


def training_graph(train, est, seed, labels=None):
    """UMAP's graph of the (scaled) training rows, or None where no term needs it.

    The neighbour term needs it (``est.neighbor_weight`` > 0), and so does
    the supervised term when some rows are unlabelled (``labels``, the class
    code of every training row, has a -1), to spread the labels. With
    ``labels`` the graph is made label-aware, as umap-learn's categorical
    target makes it (:func:`~aembed._graph.label_intersection`). None for a
    single row, which has no neighbours.
    """
    unlabelled = labels is not None and bool((labels < 0).any())
    if (est.neighbor_weight == 0 and not unlabelled) or len(train) < 2:
        return None
    graph = neighbor_graph(train.cpu().numpy(), est.n_neighbors, random_state=seed)
    if labels is not None:
        graph = label_intersection(graph, labels.cpu().numpy())
    return graph


def neighbor_term(net, train, graph, est, seed, warm, parallel):
    """The neighbour-preserving term on ``graph`` of the training rows, or None.

    The term is weighted by ``est.neighbor_weight`` times the number of
    features: the reconstruction term sums over features, so the balance
    does not change with the width of the data. A new network (``warm``
    False) first learns to map the rows to the graph's spectral embedding,
    UMAP's own starting layout, which the term then refines. In a
    data-parallel run every process builds the same graph and fits the same
    start on all rows, in batches of the global batch's size.

    The opt-in teacher mode (``est.teacher_weight > 0``) optimises UMAP's
    layout of the rows from that start (from the current map when
    ``warm``), fits a new network to it instead, and returns a
    :class:`TeacherTerm`, as does ``est.augment`` with an image geometry.
    None when ``est.neighbor_weight`` is 0 or there is no ``graph`` (see
    :func:`training_graph`).
    """
    if est.neighbor_weight == 0 or graph is None:
        return None
    shape = augment_shape(est.augment, est.image_shape)
    augment = None if shape is None else partial(random_affine, image_shape=shape)
    start = None
    if not warm:
        start = spectral_layout(graph, est.n_components, random_state=seed)
    teacher = None
    if est.teacher_weight > 0:
        if warm:  # the teacher starts from the current map
            start = current_layout(net, train)
        teacher = teacher_layout(graph, start, NEIGHBOR_SCALE, seed)
        start = None if warm else teacher
    if start is not None:
        world = 1 if parallel is None else parallel.world
        net.fit_layout(
            train,
            start,
            n_passes=LAYOUT_PASSES,
            batch_size=net.batch_size * world,
            augment=augment,
        )
    weight = est.neighbor_weight * train.shape[1]
    if teacher is None and augment is None:
        return NeighborTerm(train, graph, weight, scale=NEIGHBOR_SCALE)
    teacher_weight = est.teacher_weight * train.shape[1]
    return TeacherTerm(
        train, graph, weight, NEIGHBOR_SCALE, teacher, teacher_weight, augment
    )
