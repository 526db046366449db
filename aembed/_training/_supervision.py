"""The supervised term: a classifier head's cross-entropy on labelled rows."""

import torch
import torch.nn.functional as F

from ..nn import classifier_head
from ..nn._random import rand_like

# Width of the classifier head's hidden layer.
HEAD_SIZE = 64


def add_head(module, n_components, n_classes):
    """Give ``module`` a classifier head of its embedding (see ``classifier_head``)."""
    module.head = classifier_head(n_components, n_classes, hidden=HEAD_SIZE)
    return module


class SupervisionTerm:
    """Cross-entropy of the module's head on a batch of labelled rows per step.

    Each training step draws as many labelled rows as the batch has rows,
    uniformly with replacement from the labelled training rows, so that a
    few labels among many rows still shape every step; in a data-parallel
    run each process draws its share of the global batch's draw.

    Parameters
    ----------
    X : torch.Tensor of shape (n_labelled, n_features)
        The labelled training rows (scaled).
    codes : torch.Tensor of shape (n_labelled,), int64
        Their class codes.
    weight : float
        Factor of the term in the training loss.
    """

    def __init__(self, X, codes, weight):
        self.X = X
        self.codes = codes
        self.weight = weight
        self._targets = None

    def draw(self, n, device):
        """Labelled rows for a batch of ``n`` rows; keeps their codes for :meth:`add`."""
        u = rand_like(torch.empty(n, dtype=torch.float64, device=self.X.device))
        rows = (u * len(self.X)).long().clamp(max=len(self.X) - 1)
        self._targets = self.codes[rows].to(device, non_blocking=True)
        return self.X[rows].to(device, non_blocking=True)

    def add(self, terms):
        """Add the term for the head's ``"logits"`` (popped) to ``terms``."""
        logits = terms.pop("logits")
        supervision = F.cross_entropy(logits.float(), self._targets)
        terms["supervision"] = supervision
        terms["loss"] = terms["loss"] + self.weight * supervision
        return terms


def supervision_term(train, codes, est):
    """The supervised term of ``est`` on the rows ``train``, or None.

    ``codes`` holds the class code of every training row (-1 unlabelled),
    or is None. The term is weighted by ``est.supervision_weight`` times
    the number of features, as the neighbour term is. None without codes,
    or without a labelled training row (the validation split may hold them
    all).
    """
    if codes is None:
        return None
    labelled = torch.nonzero(codes >= 0).ravel()
    if len(labelled) == 0:
        return None
    weight = est.supervision_weight * train.shape[1]
    rows = labelled.to(train.device)
    return SupervisionTerm(train[rows], codes[labelled].to(train.device), weight)
