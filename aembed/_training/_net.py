"""The private skorch net that trains an aembed module, and owns its training run.

skorch runs the loop (optimizer, callbacks, history, early stopping); this
subclass feeds it contiguous slices of one tensor instead of per-row dataset
items, runs the module's ``forward`` for the loss terms, and records the epoch
mean of every term with a single host synchronisation per epoch. Trained
data-parallel (``data_parallel_`` set), each process takes its share of every
global batch and the epoch sums are added across processes.

The net also holds the state of its training run: the training state of the
last completed epoch, kept for an interrupt to fall back on, the checkpoint
writer, the random state that a later warm start continues from, and the
state copied into it from an earlier fit.

A training state is a dict: the module's and the optimizer's state dicts,
PyTorch's CPU random state (so that training resumed in a later fit draws
what one long fit would have drawn) and the skorch history rows. It serves
warm starts, restoring the last completed epoch after an interrupt, and
saving.
"""

import contextlib
import copy

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping, EpochTimer
from skorch.history import History

from .._console import EpochTable
from .._streaming import StreamedRows
from ..nn._random import generator, global_batch, set_stream_state, stream_state
from ._batches import BatchIterator, StreamIterator
from ._callbacks import BestLoss, SameDuration


class EmbedderNet(NeuralNet):
    """A ``NeuralNet`` whose data is ``(train_tensor, valid_tensor_or_None)``.

    The module must provide ``loss_terms(x) -> dict`` with a ``"loss"`` entry;
    every entry is recorded per epoch as ``train_<name>`` / ``valid_<name>``
    (``"loss"`` becomes skorch's usual ``train_loss`` / ``valid_loss``).

    With ``neighbor_term_`` set to a :class:`NeighborTerm`, training takes the
    terms and the batch's embedding from ``loss_terms_and_embedding(x)``, adds
    the term's weighted value to the loss and records it as
    ``train_neighbor``; with ``supervision_term_`` set to a
    :class:`SupervisionTerm`, the same pass embeds a batch of labelled rows
    for the module's head, whose weighted cross-entropy is added and recorded
    as ``train_supervision``. Validation scores the module's own objective.
    """

    neighbor_term_ = None
    # The supervised term (a classifier head's cross-entropy) while training
    # with labels; None otherwise.
    supervision_term_ = None
    # The DataParallel engine, which holds the wrapped module, while
    # training on several processes; None otherwise, and in a fitted net.
    data_parallel_ = None
    # bfloat16 autocast of forward passes when set (mixed precision).
    mixed_precision_ = False
    # The loss of the first training batch, before any update: where
    # training started, against which divergence is judged.
    initial_loss_ = None
    # The training state at the end of the last completed epoch, while
    # training; ``checkpoint_(net, state)`` writes it, when set.
    last_epoch_ = None
    checkpoint_ = None
    # PyTorch's random state at the end of training, which a warm start
    # continues from; the (offset, scale) map of the input, for callbacks
    # that read data in the caller's units; whether partial_fit built it.
    torch_rng_state_ = None
    input_scaling_ = None
    incremental_ = False

    # -- the training run ---------------------------------------------------------

    def training_state(self):
        """The training state, by reference (for saving or copying from)."""
        return {
            "module": self.module_.state_dict(),
            "optimizer": self.optimizer_.state_dict(),
            "rng": self.torch_rng_state_,
            "history": list(self.history),
        }

    def _copied_weights(self):
        """Copies of the module's and the optimizer's state."""
        return {
            "module": {
                k: v.detach().clone() for k, v in self.module_.state_dict().items()
            },
            "optimizer": copy.deepcopy(self.optimizer_.state_dict()),
        }

    def restore(self, state):
        """Put a training state into this net."""
        self.module_.load_state_dict(state["module"])
        if state["optimizer"] is not None:
            # Copied: the optimizer updates its state in place, and the state
            # we came from must survive a failed fit.
            self.optimizer_.load_state_dict(copy.deepcopy(state["optimizer"]))
            # The saved state carries the learning rate it was trained with;
            # the current parameters win, as after any set_params.
            for group in self.optimizer_.param_groups:
                group["lr"] = self.lr
                group["weight_decay"] = self.optimizer__weight_decay
        self.history = History(dict(row) for row in state["history"])
        self.torch_rng_state_ = state["rng"]

    def continue_from(self, state):
        """Start from an earlier fit's state (a warm start), its random state too."""
        try:
            self.restore(state)
        except (RuntimeError, ValueError) as exc:
            raise ValueError(
                "warm_start=True continues training the fitted network, but the "
                "current parameters describe a different one (changed "
                "n_components, hidden_layer_sizes, image_shape, activation or a "
                "size of the objective). Set warm_start=False to train a new "
                f"network. ({type(exc).__name__}: {str(exc).splitlines()[0]})"
            ) from exc
        if self.torch_rng_state_ is not None:
            set_stream_state(self.torch_rng_state_)

    def keep_epoch(self, completed):
        """Keep the training state: at the start of training, and after each epoch.

        Cheaply: the random state and the history rows now, the module's and
        the optimizer's state only once the next training step is about to
        change them (:meth:`on_batch_begin`), so that no copy is made after
        the last epoch. After a completed epoch, the checkpoint writer (if
        any) writes the state as it is.
        """
        self.last_epoch_ = {
            "module": None,
            "optimizer": None,
            "rng": stream_state(),
            "history": list(self.history),  # rows of finished epochs never change
        }
        if completed and self.checkpoint_ is not None:
            self.checkpoint_(self, self._kept_state())

    def _kept_state(self):
        """The kept training state; the current weights where not yet copied."""
        last = self.last_epoch_
        if last["module"] is None:
            current = self.training_state()
            last = {
                **last,
                "module": current["module"],
                "optimizer": current["optimizer"],
            }
        return last

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        super().on_batch_begin(net, batch=batch, training=training, **kwargs)
        last = self.last_epoch_
        if training and last is not None and last["module"] is None:
            last.update(self._copied_weights())

    def stopped_early(self):
        """Whether an early-stopping callback ended training.

        skorch's ``EarlyStopping`` stops by raising ``KeyboardInterrupt``, as a
        Ctrl-C does; it raises exactly when its misses reach the patience.
        """
        return any(
            isinstance(cb, EarlyStopping) and cb.misses_ >= cb.patience
            for _, cb in self.callbacks_
        )

    def settle_interrupt(self, n_before, n_epochs, owner):
        """After training: if it was interrupted, keep the last completed epoch.

        ``n_before`` is the number of epochs of earlier fits, ``n_epochs``
        the number this one was to train. Returns the warning to give once
        the model is in place, or None; an interrupt before the first epoch
        of a new model completed is raised.
        """
        last = self._kept_state()
        partial = len(self.history) > len(last["history"])
        n_done = len(last["history"]) - n_before
        if self.stopped_early() or (not partial and n_done == n_epochs):
            return None
        if n_done == 0 and n_before == 0:
            raise KeyboardInterrupt("fit was interrupted before any epoch completed")

        stopper = dict(self.callbacks_).get("early_stopping")
        # Set only with early_stopping=True (load_best).
        best = getattr(stopper, "best_model_weights_", None)
        # The partial epoch's history row goes too.
        self.restore(last if best is None else {**last, "module": best})
        set_stream_state(last["rng"])
        n_kept = len(last["history"])
        if best is not None:
            kept = f"epoch {stopper.best_epoch_}, the best validation epoch"
        elif n_done == 0:
            kept = f"epoch {n_kept}, as before this fit"
        else:
            kept = f"epoch {n_kept}, the last completed epoch"
        when = f"during epoch {n_kept + 1}" if partial else f"after epoch {n_kept}"
        return (
            f"fit was interrupted {when}; {owner} keeps the weights "
            f"of {kept}. Call fit with warm_start=True to continue training."
        )

    def settle_pass(self, n_before):
        """After a ``partial_fit`` pass: undo it, and raise, if it did not complete."""
        if len(self.last_epoch_["history"]) == n_before:
            self.restore(self._kept_state())
            raise KeyboardInterrupt("partial_fit was interrupted")

    def run(self, data, parallel, n_epochs, incremental, owner):
        """Train on ``data``, ``(train, valid or None)``, for ``n_epochs``.

        Through ``parallel`` when data-parallel. An interrupted ``fit``
        keeps the last completed epoch and returns the warning to give (an
        interrupted ``partial_fit`` pass, ``incremental``, is undone and
        raised); None otherwise. Whatever happens, what only training needs
        is dropped.
        """
        n_before = len(self.history)
        try:
            with self.parallel_training(parallel):
                self.partial_fit(data, epochs=n_epochs)
            if incremental:
                self.settle_pass(n_before)
                interrupted = None
            else:
                interrupted = self.settle_interrupt(n_before, n_epochs, owner)
            self.torch_rng_state_ = stream_state()
        finally:
            self.end_training()
        self.module_.eval()
        return interrupted

    def end_training(self):
        """Drop what only training needs: copies, the writer, the data.

        The neighbour and supervised terms hold training rows: a fitted net
        must not.
        """
        self.last_epoch_ = self.checkpoint_ = None
        self.neighbor_term_ = self.supervision_term_ = None

    # -- skorch's hooks ------------------------------------------------------------

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
            ("duration", SameDuration()),
            ("train_loss", BestLoss("train_loss")),
            ("valid_loss", BestLoss("valid_loss")),
            ("print_log", EpochTable()),
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
            term, supervised = self.neighbor_term_, self.supervision_term_
            inputs = {}
            if supervised is not None:
                inputs["labelled"] = supervised.draw(len(batch.x), self.device)
            if term is None:
                terms = module(batch.x, **inputs)
            else:
                terms = term.loss_terms(module, batch, self.device, parallel, **inputs)
            if supervised is not None:
                terms = supervised.add(terms)
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
            order = torch.randperm(
                len(X), device=X.device, generator=generator(X.device)
            )
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
