"""The private skorch net that trains an aembed module.

skorch runs the loop (optimizer, callbacks, history, early stopping); this
subclass feeds it contiguous slices of one tensor instead of per-row dataset
items, asks the module for its loss terms, and records the epoch mean of every
term with a single host synchronisation per epoch.
"""

import math

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EpochTimer, PrintLog

from ._graph import NeighborSampler, umap_cross_entropy


class BatchIterator:
    """Contiguous mini-batches of one tensor, reshuffled each pass if asked.

    Shuffling gathers the whole tensor once per epoch, then every batch is a
    view: no per-row indexing, no collate function. With ``with_index`` each
    batch comes as ``(rows, row_indices)``.
    """

    def __init__(self, X, batch_size, shuffle=False, device="cpu", with_index=False):
        self.X = X
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.device = device
        self.with_index = with_index

    def __len__(self):
        return math.ceil(len(self.X) / self.batch_size)

    def __iter__(self):
        X, order = self.X, None
        if self.shuffle:
            order = torch.randperm(len(X), device=X.device)
            X = X[order]
        elif self.with_index:
            order = torch.arange(len(X), device=X.device)
        for start in range(0, len(X), self.batch_size):
            stop = start + self.batch_size
            batch = X[start:stop].to(self.device, non_blocking=True)
            if self.with_index:
                yield batch, order[start:stop]
            else:
                yield batch


class NeighborTerm:
    """UMAP's cross-entropy on edges drawn from a graph of the training rows.

    Each training batch's rows are the heads, embedded with the batch's loss
    terms (``loss_terms_and_embedding``); one neighbour per head is drawn in
    proportion to its edge weight and embedded with the module's ``embed``.
    Both are the deterministic embedding ``transform`` returns.

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

    def __call__(self, module, z_heads, heads, device):
        tails = self.sampler.sample(heads)
        z_tails = module.embed(self.X[tails].to(device, non_blocking=True))
        return umap_cross_entropy(z_heads, z_tails, scale=self.scale)


class EmbedderNet(NeuralNet):
    """A ``NeuralNet`` whose data is ``(train_tensor, valid_tensor_or_None)``.

    The module must provide ``loss_terms(x) -> dict`` with a ``"loss"`` entry;
    every entry is recorded per epoch as ``train_<name>`` / ``valid_<name>``
    (``"loss"`` becomes skorch's usual ``train_loss`` / ``valid_loss``).

    With ``neighbor_term_`` set to a :class:`NeighborTerm`, training takes the
    terms and the batch's embedding from ``loss_terms_and_embedding(x)``, adds
    the term's weighted value to the loss and records it as
    ``train_neighbor``; validation scores the module's own objective.
    """

    neighbor_term_ = None
    # bfloat16 autocast of forward passes when set (mixed precision).
    mixed_precision_ = False
    # The loss of the first training batch, before any update: where
    # training started, against which divergence is judged.
    initial_loss_ = None

    def autocast(self):
        """Context of the forward passes: bfloat16 autocast with mixed precision."""
        return torch.autocast(
            device_type=torch.device(self.device).type,
            dtype=torch.bfloat16,
            enabled=self.mixed_precision_,
        )

    def on_batch_end(self, net, batch=None, training=False, loss=None, **kwargs):
        if training and self.initial_loss_ is None and loss is not None:
            self.initial_loss_ = loss.detach()  # read once, after training

    def get_default_callbacks(self):
        return [
            ("epoch_timer", EpochTimer()),
            ("train_loss", BestLoss("train_loss")),
            ("valid_loss", BestLoss("valid_loss")),
            ("print_log", PrintLog()),
        ]

    def get_dataset(self, X, y=None):
        return X

    def get_split_datasets(self, X, y=None, **fit_params):
        return X

    def get_iterator(self, dataset, training=False):
        return BatchIterator(
            dataset,
            self.batch_size,
            shuffle=training,
            device=self.device,
            with_index=training and self.neighbor_term_ is not None,
        )

    def train_step_single(self, batch, **fit_params):
        with self.autocast():
            if isinstance(batch, tuple):
                batch, heads = batch
                terms, z_heads = self.module_.loss_terms_and_embedding(batch)
                term = self.neighbor_term_
                terms["neighbor"] = term(self.module_, z_heads, heads, self.device)
                terms["loss"] = terms["loss"] + term.weight * terms["neighbor"]
            else:
                terms = self.module_.loss_terms(batch)
        terms["loss"].backward()
        return {"loss": terms["loss"], "y_pred": None, "terms": terms}

    def validation_step(self, batch, **fit_params):
        with torch.no_grad(), self.autocast():
            terms = self.module_.loss_terms(batch)
        return {"loss": terms["loss"], "y_pred": None, "terms": terms}

    def fit_layout(self, X, layout, n_passes):
        """Regress the module's embedding of ``X`` onto ``layout``.

        A start for the neighbour-preserving term, as UMAP starts its layout
        from a spectral embedding: ``n_passes`` shuffled passes of the
        squared error, with the net's optimizer. Not recorded in the history.
        """
        self._set_training(True)
        targets = torch.as_tensor(layout, dtype=X.dtype, device=X.device)
        for _ in range(n_passes):
            order = torch.randperm(len(X), device=X.device)
            for start in range(0, len(X), self.batch_size):
                rows = order[start : start + self.batch_size]
                with self.autocast():
                    z = self.module_.embed(X[rows].to(self.device, non_blocking=True))
                target = targets[rows].to(self.device, non_blocking=True)
                loss = (z.float() - target).pow(2).sum(1).mean()
                self.optimizer_.zero_grad()
                loss.backward()
                self.optimizer_.step()

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        # Once per epoch rather than per batch: walking the modules costs
        # tens of microseconds, a real share of a small GPU step.
        self._set_training(training)
        sums, n_rows, n_batches = {}, 0, 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            n = len(batch[0] if isinstance(batch, tuple) else batch)
            for name, value in step["terms"].items():
                sums[name] = sums.get(name, 0.0) + value.detach().float() * n
            n_rows += n
            n_batches += 1
            self.history.record_batch(prefix + "_batch_size", n)
            self.notify("on_batch_end", batch=batch, training=training, **step)

        # One transfer for all terms: no per-step host synchronisation.
        names = list(sums)
        means = (torch.stack([sums[k] for k in names]) / n_rows).tolist()
        for name, mean in zip(names, means, strict=True):
            self.history.record(f"{prefix}_{name}", mean)
        self.history.record(prefix + "_batch_count", n_batches)
        loss = means[names.index("loss")]
        if training and not np.isfinite(loss):
            raise ValueError(
                f"Training diverged: the training loss became {loss} in epoch "
                f"{len(self.history)}. The learning rate (lr={self.lr}) is likely "
                "too high, or the input is unscaled or holds extreme values "
                "(scaling='auto' or 'standard' rescales it)."
            )


class BestLoss(Callback):
    """Record ``<name>_best``, whether the epoch's ``name`` is the lowest yet.

    skorch's default scoring records these flags, which its ``Checkpoint``
    (``monitor="train_loss_best"``) and ``PrintLog`` read; it averages
    per-batch records, which this net does not keep.
    """

    def __init__(self, name):
        self.name = name

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        if self.name in row:
            # Over the whole history: a warm start continues the record.
            earlier = [r[self.name] for r in net.history[:-1] if self.name in r]
            net.history.record(
                f"{self.name}_best", row[self.name] < min(earlier, default=math.inf)
            )


class EpochProgressBar(Callback):
    """A tqdm bar over epochs showing the latest training and validation loss."""

    def __init__(self, total):
        self.total = total

    def on_train_begin(self, net, **kwargs):
        from tqdm.auto import tqdm

        self.bar_ = tqdm(total=self.total, unit="epoch", leave=True)

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        self.bar_.set_postfix(
            {k: f"{row[k]:.4g}" for k in ("train_loss", "valid_loss") if k in row},
            refresh=False,
        )
        self.bar_.update()

    def on_train_end(self, net, **kwargs):
        self.bar_.close()

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("bar_", None)
        return state
