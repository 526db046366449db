"""The private skorch net that trains an aembed module.

skorch runs the loop (optimizer, callbacks, history, early stopping); this
subclass feeds it contiguous slices of one tensor instead of per-row dataset
items, runs the module's ``forward`` for the loss terms, and records the epoch
mean of every term with a single host synchronisation per epoch. Trained
data-parallel (``data_parallel_`` set), each process takes its share of every
global batch and the epoch sums are added across processes.
"""

import contextlib
import math
from typing import NamedTuple

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EpochTimer, PrintLog

from ._graph import NeighborSampler, umap_cross_entropy
from ._streaming import StreamedRows
from .nn._random import global_batch


class Batch(NamedTuple):
    """A training or validation batch.

    ``x`` holds the rows; ``index`` their positions in the training tensor
    (for the neighbour term), or None; ``share`` is ``(offset, size)``, this
    process's place in the global batch of a data-parallel run, or None.
    """

    x: torch.Tensor
    index: torch.Tensor | None = None
    share: tuple | None = None


class BatchIterator:
    """Contiguous mini-batches of one tensor, reshuffled each pass if asked.

    Shuffling gathers the whole tensor once per epoch, then every batch is a
    view: no per-row indexing, no collate function. With ``with_index`` each
    batch carries its row indices. With ``world > 1`` every global batch of
    ``world * batch_size`` rows is cut into ``world`` equal shares and this
    process (``rank``) takes its own; the rows are first padded to a multiple
    of ``world`` by repeating the first ones, as PyTorch's
    ``DistributedSampler`` does, so that every process runs the same number
    of equal batches.
    """

    def __init__(
        self,
        X,
        batch_size,
        shuffle=False,
        device="cpu",
        with_index=False,
        rank=0,
        world=1,
    ):
        self.X = X
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.device = device
        self.with_index = with_index
        self.rank = rank
        self.world = world

    def _padded(self):
        return math.ceil(len(self.X) / self.world) * self.world

    def __len__(self):
        return math.ceil(self._padded() / (self.batch_size * self.world))

    def __iter__(self):
        X, order = self.X, None
        if self.shuffle:
            order = torch.randperm(len(X), device=X.device)
            X = X[order]
        elif self.with_index:
            order = torch.arange(len(X), device=X.device)
        if self.world > 1 and self._padded() > len(X):
            extra = self._padded() - len(X)
            X = torch.cat([X, X[:extra]])
            order = None if order is None else torch.cat([order, order[:extra]])
        step = self.batch_size * self.world
        for start in range(0, len(X), step):
            stop = min(start + step, len(X))
            size = (stop - start) // self.world
            first = start + self.rank * size
            rows = slice(first, first + size)
            yield Batch(
                X[rows].to(self.device, non_blocking=True),
                order[rows] if self.with_index else None,
                (self.rank * size, stop - start) if self.world > 1 else None,
            )


class StreamIterator:
    """Mini-batches of rows read in blocks (:class:`~._streaming.StreamedRows`).

    With ``world > 1``, this process's share of the blocks, in batches of
    the same sizes on every process.
    """

    def __init__(self, rows, batch_size, shuffle, device, rank=0, world=1):
        self.rows = rows
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.device = device
        self.rank = rank
        self.world = world

    def __len__(self):
        return math.ceil(len(self.rows) / (self.batch_size * self.world))

    def __iter__(self):
        batches = self.rows.batches(
            self.batch_size, self.shuffle, self.device, self.rank, self.world
        )
        for x in batches:
            share = (
                (self.rank * len(x), self.world * len(x)) if self.world > 1 else None
            )
            yield Batch(x, None, share)


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

    def loss_terms(self, module, batch, device, parallel=None):
        """The module's loss terms for ``batch``, with the term added."""
        terms = module(batch.x, self.tails(batch.index, device))
        z_heads, z_tails = terms.pop("embedding"), terms.pop("tail_embedding")
        neighbor = self(z_heads, z_tails, batch.share, parallel)
        terms["neighbor"] = neighbor
        terms["loss"] = terms["loss"] + self.weight * neighbor
        return terms


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
    # The DataParallel engine, which holds the wrapped module, while
    # training on several processes; None otherwise, and in a fitted net.
    data_parallel_ = None
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
            ("duration", _SameDuration()),
            ("train_loss", BestLoss("train_loss")),
            ("valid_loss", BestLoss("valid_loss")),
            ("print_log", PrintLog()),
        ]

    def get_dataset(self, X, y=None):
        return X

    def get_split_datasets(self, X, y=None, **fit_params):
        return X

    def get_iterator(self, dataset, training=False):
        parallel = self.data_parallel_
        rank, world = (parallel.rank, parallel.world) if parallel else (0, 1)
        if isinstance(dataset, StreamedRows):
            return StreamIterator(
                dataset, self.batch_size, training, self.device, rank, world
            )
        return BatchIterator(
            dataset,
            self.batch_size,
            shuffle=training,
            device=self.device,
            with_index=training and self.neighbor_term_ is not None,
            rank=rank,
            world=world,
        )

    def train_step_single(self, batch, **fit_params):
        parallel = self.data_parallel_
        module = self.module_ if parallel is None else parallel.module
        share = global_batch(*batch.share) if batch.share else contextlib.nullcontext()
        with self.autocast(), share:
            term = self.neighbor_term_
            if term is None:
                terms = module(batch.x)
            else:
                terms = term.loss_terms(module, batch, self.device, parallel)
        if parallel is not None:
            parallel.backward(terms["loss"])
        else:
            terms["loss"].backward()
        return {"loss": terms["loss"], "y_pred": None, "terms": terms}

    def validation_step(self, batch, **fit_params):
        with torch.no_grad(), self.autocast():
            terms = self.module_.loss_terms(batch.x)
        return {"loss": terms["loss"], "y_pred": None, "terms": terms}

    @contextlib.contextmanager
    def parallel_training(self, parallel):
        """Train data-parallel through ``parallel`` inside; a plain net after.

        The module is wrapped in DistributedDataParallel (which gives every
        process rank 0's parameters) and rank 0's optimizer state is
        broadcast; the VQ-VAE's codebook updates from the global batch.
        With ``parallel`` None, nothing changes.
        """
        if parallel is None:
            yield
            return
        quantizers = [m for m in self.module_.modules() if hasattr(m, "synchronize")]
        state = self.optimizer_.state.values()
        parallel.broadcast([v for s in state for v in s.values() if torch.is_tensor(v)])
        parallel.wrap(self.module_)
        self.data_parallel_ = parallel
        for quantizer in quantizers:
            quantizer.synchronize = True
        try:
            yield
        finally:
            for quantizer in quantizers:
                quantizer.synchronize = False
            self.data_parallel_ = parallel.module = None
            parallel.wait()

    def fit_layout(self, X, layout, n_passes, batch_size=None, augment=None):
        """Regress the module's embedding of ``X`` onto ``layout``.

        A start for the neighbour-preserving term, as UMAP starts its layout
        from a spectral embedding: ``n_passes`` shuffled passes of the
        squared error, with the net's optimizer, in batches of
        ``batch_size`` rows (the net's when None), each batch passed
        through ``augment`` first when given. Not recorded in the history.
        """
        self._set_training(True)
        batch_size = batch_size or self.batch_size
        targets = torch.as_tensor(layout, dtype=X.dtype, device=X.device)
        for _ in range(n_passes):
            order = torch.randperm(len(X), device=X.device)
            for start in range(0, len(X), batch_size):
                rows = order[start : start + batch_size]
                x = X[rows].to(self.device, non_blocking=True)
                if augment is not None:
                    x = augment(x)
                with self.autocast():
                    z = self.module_.embed(x)
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
            n = len(batch.x)
            for name, value in step["terms"].items():
                sums[name] = sums.get(name, 0.0) + value.detach().float() * n
            n_rows += n
            n_batches += 1
            self.history.record_batch(prefix + "_batch_size", n)
            self.notify("on_batch_end", batch=batch, training=training, **step)

        # One transfer for all terms: no per-step host synchronisation.
        names = list(sums)
        totals = torch.stack([*(sums[k] for k in names), torch.tensor(n_rows)])
        if self.data_parallel_ is not None:
            totals = self.data_parallel_.sum(totals.to(self.device, torch.float32))
        means = (totals[:-1] / totals[-1]).tolist()
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


class CosineSchedule(Callback):
    """Decay the learning rate along a half cosine, batch by batch, over a fit.

    From the net's ``lr`` at the first training step to ``final`` times it
    at the last, over ``max_epochs`` epochs of the training data: large
    steps while the map takes shape, small ones to settle it. Each ``fit``
    runs its own schedule (a warm start decays again over its epochs).
    """

    def __init__(self, final=0.1):
        self.final = final

    def on_train_begin(self, net, X=None, **kwargs):
        train = X[0] if isinstance(X, tuple) else X
        self.total_ = max(
            1, net.max_epochs * len(net.get_iterator(train, training=True))
        )
        self.step_ = 0

    def on_batch_begin(self, net, training=False, **kwargs):
        if not training:
            return
        progress = min(1.0, self.step_ / self.total_)
        factor = self.final + (1 - self.final) * 0.5 * (
            1 + math.cos(math.pi * progress)
        )
        for group in net.optimizer_.param_groups:
            group["lr"] = net.lr * factor
        self.step_ += 1

    def on_train_end(self, net, **kwargs):
        for group in net.optimizer_.param_groups:
            group["lr"] = net.lr


class _SameDuration(Callback):
    """In a data-parallel run, every process records the slowest one's time.

    So that all processes keep the same history; it follows skorch's
    ``EpochTimer``, which records each process's own time.
    """

    def on_epoch_end(self, net, **kwargs):
        if net.data_parallel_ is not None:
            net.history.record("dur", net.data_parallel_.max(net.history[-1, "dur"]))


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
    """A tqdm bar over the net's epochs showing the latest losses."""

    def on_train_begin(self, net, **kwargs):
        from tqdm.auto import tqdm

        self.bar_ = tqdm(total=net.max_epochs, unit="epoch", leave=True)

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
