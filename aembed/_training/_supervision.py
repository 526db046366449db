"""The supervised term: a classifier head's cross-entropy on rows with a class."""

from functools import partial

import torch
import torch.nn.functional as F

from .._graph import spread_labels
from .._validation import augment_shape
from ..nn import classifier_head
from ..nn._random import rand_like
from ._augment import random_affine

# Width of the classifier head's hidden layer.
HEAD_SIZE = 64
# The share of its spread label distribution a row's most likely class must
# hold for the row to be pseudo-labelled with it. On MNIST-5k with 10 labels
# per class, 64 % of the unlabelled rows pass, 94.5 % of them rightly.
PSEUDO_CONFIDENCE = 0.5


def add_head(module, n_components, n_classes):
    """Give ``module`` a classifier head of its embedding (see ``classifier_head``)."""
    module.head = classifier_head(n_components, n_classes, hidden=HEAD_SIZE)
    return module


class SupervisionTerm:
    """Cross-entropy of the module's head on a batch of training rows per step.

    Each training step draws as many rows as the batch has, uniformly with
    replacement from the rows that have a class (labelled, or
    pseudo-labelled), so that a few labels among many rows still shape
    every step. In a data-parallel run each process draws its share of the
    global batch's draw.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_features)
        The training rows (scaled).
    codes : torch.Tensor of shape (n_samples,), int64
        Every training row's class code: its label, its pseudo-label, or -1.
    rows : torch.Tensor of shape (n_rows,), int64
        Positions of the rows to draw from (those with a class).
    weight : float
        Factor of the term in the training loss.
    augment : callable, default=None
        Maps the drawn rows to randomly transformed copies, which the head
        then reads.
    """

    def __init__(self, X, codes, rows, weight, augment=None):
        self.X = X
        self.codes = codes
        self.rows = rows
        self.weight = weight
        self.augment = augment
        self._targets = None

    def draw(self, n, device):
        """Rows for a batch of ``n``; keeps their codes for :meth:`add`."""
        u = rand_like(torch.empty(n, dtype=torch.float64, device=self.X.device))
        picks = (u * len(self.rows)).long().clamp(max=len(self.rows) - 1)
        rows = self.rows[picks]
        self._targets = self.codes[rows].to(device, non_blocking=True)
        x = self.X[rows].to(device, non_blocking=True)
        return x if self.augment is None else self.augment(x)

    def add(self, terms):
        """Add the term for the head's ``"logits"`` (popped) to ``terms``."""
        logits = terms.pop("logits")
        supervision = F.cross_entropy(logits.float(), self._targets)
        terms["supervision"] = supervision
        terms["loss"] = terms["loss"] + self.weight * supervision
        return terms


def supervision_term(train, codes, graph, n_classes, est):
    """The supervised term of ``est`` on the rows ``train``, or None.

    ``codes`` holds the class code of every training row (-1 unlabelled),
    or is None. With unlabelled rows and their ``graph``, the labels are
    spread over it (:func:`~aembed._graph.spread_labels`), and the
    unlabelled rows whose spread class holds at least ``PSEUDO_CONFIDENCE``
    of their distribution are pseudo-labelled with it. The term is weighted
    by ``est.supervision_weight`` times the number of features, as the
    neighbour term is; with ``est.augment`` (an image geometry) the head
    reads randomly transformed copies of the rows. None without codes, or
    without a labelled training row (the validation split may hold them
    all).
    """
    if codes is None:
        return None
    labelled = torch.nonzero(codes >= 0).ravel()
    if len(labelled) == 0:
        return None
    codes = codes.clone()
    if graph is not None and len(labelled) < len(codes):
        spread = torch.from_numpy(spread_labels(graph, codes.numpy(), n_classes))
        confidence, guess = spread.max(dim=1)
        pseudo = (codes < 0) & (confidence >= PSEUDO_CONFIDENCE)
        codes[pseudo] = guess[pseudo]
    weight = est.supervision_weight * train.shape[1]
    device = train.device
    rows = torch.nonzero(codes >= 0).ravel()
    shape = augment_shape(est.augment, est.image_shape)
    augment = None if shape is None else partial(random_affine, image_shape=shape)
    return SupervisionTerm(train, codes.to(device), rows.to(device), weight, augment)
