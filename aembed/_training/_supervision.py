"""The supervised term: a classifier head's cross-entropy on labelled rows."""

import torch
import torch.nn.functional as F

from .._graph import spread_labels
from ..nn import classifier_head
from ..nn._random import rand_like

# Width of the classifier head's hidden layer.
HEAD_SIZE = 64


def add_head(module, n_components, n_classes):
    """Give ``module`` a classifier head of its embedding (see ``classifier_head``)."""
    module.head = classifier_head(n_components, n_classes, hidden=HEAD_SIZE)
    return module


class SupervisionTerm:
    """Cross-entropy of the module's head on a batch of training rows per step.

    Each training step draws as many rows as the batch has: uniformly with
    replacement from the labelled training rows, so that a few labels among
    many rows still shape every step; or, when ``targets`` spread the labels
    to the unlabelled rows, half from the labelled rows and half from all
    training rows. In a data-parallel run each process draws its share of
    the global batch's draw. The targets are class distributions (one-hot
    for a labelled row), and the term their cross-entropy with the head's.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_features)
        The training rows (scaled).
    targets : torch.Tensor of shape (n_samples, n_classes)
        Every training row's target distribution.
    labelled : torch.Tensor of shape (n_labelled,), int64
        Positions of the labelled rows.
    weight : float
        Factor of the term in the training loss.
    spread : bool
        Whether the unlabelled rows' targets are to be drawn too.
    """

    def __init__(self, X, targets, labelled, weight, spread):
        self.X = X
        self.targets = targets
        self.labelled = labelled
        self.weight = weight
        self.spread = spread
        self._targets = None

    def draw(self, n, device):
        """Rows for a batch of ``n``; keeps their targets for :meth:`add`."""
        u = rand_like(torch.empty(n, dtype=torch.float64, device=self.X.device))
        n_labelled = (n + 1) // 2 if self.spread else n
        picks = (u[:n_labelled] * len(self.labelled)).long()
        rows = self.labelled[picks.clamp(max=len(self.labelled) - 1)]
        if self.spread:
            others = (u[n_labelled:] * len(self.X)).long().clamp(max=len(self.X) - 1)
            rows = torch.cat([rows, others])
        self._targets = self.targets[rows].to(device, non_blocking=True)
        return self.X[rows].to(device, non_blocking=True)

    def add(self, terms):
        """Add the term for the head's ``"logits"`` (popped) to ``terms``."""
        logits = terms.pop("logits").float()
        log_p = F.log_softmax(logits, dim=1)
        supervision = -(self._targets * log_p).sum(dim=1).mean()
        terms["supervision"] = supervision
        terms["loss"] = terms["loss"] + self.weight * supervision
        return terms


def supervision_term(train, codes, graph, n_classes, est):
    """The supervised term of ``est`` on the rows ``train``, or None.

    ``codes`` holds the class code of every training row (-1 unlabelled),
    or is None. With unlabelled rows and their ``graph``, the labels are
    spread over it (:func:`~aembed._graph.spread_labels`) to give every row
    a target. The term is weighted by ``est.supervision_weight`` times the
    number of features, as the neighbour term is. None without codes, or
    without a labelled training row (the validation split may hold them
    all).
    """
    if codes is None:
        return None
    labelled = torch.nonzero(codes >= 0).ravel()
    if len(labelled) == 0:
        return None
    spread = graph is not None and len(labelled) < len(codes)
    if spread:
        targets = torch.from_numpy(spread_labels(graph, codes.numpy(), n_classes))
    else:
        targets = torch.zeros(len(codes), n_classes)
        targets[labelled, codes[labelled]] = 1.0
    weight = est.supervision_weight * train.shape[1]
    device = train.device
    return SupervisionTerm(
        train, targets.to(device), labelled.to(device), weight, spread
    )
