"""Every skorch callback aembed's training runs, in the order a fit lists them.

The net's defaults (``epoch_timer``, ``duration``, ``train_loss``,
``valid_loss``, ``print_log``) come first; then the objective's own (the
VAE's KL warm-up, the VQ-VAE's codebook usage), the user's, the learning
rate schedule, the progress bar, the end-of-epoch record and early stopping
(:func:`training_callbacks`).
"""

import math

from skorch.callbacks import Callback, EarlyStopping

# The names of the callbacks a training net gets from aembed: the net's
# defaults, then those of training_callbacks (the objectives add theirs).
CALLBACK_NAMES = (
    "epoch_timer",
    "duration",
    "train_loss",
    "valid_loss",
    "print_log",
    "lr_schedule",
    "progress",
    "epoch_end",
    "early_stopping",
)
# The cosine schedule ends at this fraction of ``lr``.
FINAL_LR = 0.1


def training_callbacks(est, incremental=False):
    """The callbacks of a net that trains ``est``, after the net's defaults.

    Early stopping comes last: when it stops training, every other callback
    has seen the final epoch, and :class:`EpochEnd` has kept it. A net of
    ``partial_fit`` (``incremental``) makes one pass per call and the caller
    decides when to stop: no schedule, progress bar or early stopping.
    """
    callbacks = [*est._extra_callbacks(), *(est.callbacks or [])]
    if incremental:
        return [*callbacks, ("epoch_end", EpochEnd())]
    if est.lr_schedule == "cosine":
        callbacks.append(("lr_schedule", CosineSchedule(FINAL_LR)))
    if est.verbose:
        callbacks.append(("progress", EpochProgressBar()))
    callbacks.append(("epoch_end", EpochEnd()))
    if est.early_stopping or est.tol is not None:
        monitor = "valid_loss" if est.early_stopping else "train_loss"
        stopper = EarlyStopping(
            monitor=monitor,
            patience=est.n_iter_no_change,
            threshold=est.tol or 0.0,
            threshold_mode="abs",
            load_best=est.early_stopping,
            sink=print if est.verbose >= 2 else _silent,
        )
        callbacks.append(("early_stopping", stopper))
    return callbacks


def _silent(*args, **kwargs):
    pass


class EpochEnd(Callback):
    """Have the net keep the training state at the end of every epoch.

    Placed after the callbacks that record into the epoch's history row and
    before early stopping, so that an epoch counts as completed once its row
    is.
    """

    def on_train_begin(self, net, **kwargs):
        net.keep_epoch(completed=False)

    def on_epoch_end(self, net, **kwargs):
        net.keep_epoch(completed=True)


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


class SameDuration(Callback):
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


class KLWarmup(Callback):
    """Ramp the module's ``kl_weight`` linearly from 0 to 1 over the first epochs.

    The weight of each epoch is recorded in the history as ``kl_weight``.
    """

    def __init__(self, n_epochs):
        self.n_epochs = n_epochs

    def on_epoch_begin(self, net, **kwargs):
        epoch = len(net.history)  # skorch has already opened this epoch's row
        weight = min(1.0, (epoch - 1) / self.n_epochs)
        net.module_.kl_weight = weight
        net.history.record("kl_weight", weight)

    def on_train_end(self, net, **kwargs):
        net.module_.kl_weight = 1.0


class CodebookUsage(Callback):
    """Record the codebook's perplexity and share of codes used, per epoch.

    Counted over all training rows of the epoch, not averaged over batches:
    a batch of 128 rows cannot show more than 128 codes in use.
    """

    def on_epoch_begin(self, net, **kwargs):
        net.module_.quantizer.reset_usage()

    def on_epoch_end(self, net, **kwargs):
        counts = net.module_.quantizer.usage
        p = counts / counts.sum()
        entropy = -(p * p.clamp_min(1e-12).log()).sum()
        used = (counts > 0).float().mean()
        perplexity, used = math.exp(entropy.item()), used.item()
        net.history.record("train_perplexity", perplexity)
        net.history.record("train_code_usage", used)


class EpochTicks(Callback):
    """Advance a progress bar by one at the end of every epoch.

    Not one of a net's own callbacks: the comparison hands it to each
    trained method as a user's callback, to count epochs across methods.
    """

    def __init__(self, bar):
        self.bar = bar

    def on_epoch_end(self, net, **kwargs):
        self.bar.update(1)
