"""The shared base of the aembed estimators.

A plain scikit-learn transformer that builds a private skorch net in ``fit``.
Everything the estimators share lives here once: parameter and data
validation, input scaling, seeding, devices, batched inference, history,
early stopping, scoring, saving, warm starts, interrupts and checkpoints. A
subclass adds its parameters and builds its PyTorch module in
``_build_module``.
"""

import contextlib
import copy
import functools
import math
import os
import tempfile
import warnings
from numbers import Integral, Real
from uuid import uuid4

import numpy as np
import pandas as pd
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from skorch.callbacks import Callback, EarlyStopping, PassthroughScoring
from skorch.callbacks.scoring import ScoringBase
from skorch.history import History

from . import _persistence
from ._augment import random_affine
from ._devices import resolve_device as _resolve_device
from ._distributed import data_parallel, is_secondary_process
from ._graph import neighbor_graph, spectral_layout
from ._inference import rowwise
from ._inputs import as_array
from ._net import CosineSchedule, EmbedderNet, EpochProgressBar, NeighborTerm
from ._scaling import ColumnStats, apply_scaling, fit_scaling, undo_scaling
from ._streaming import BlockReader, StreamedRows, is_out_of_core, load_memmap
from ._teacher import TeacherTerm, current_layout, teacher_layout
from ._torch_state import (
    TORCH_STATE_LOCK,
    float32_autograd,
    flush_denormal_enabled,
)
from .metrics import _reject_bools
from .nn import ACTIVATIONS, build_encoder_decoder

_MIN_INFERENCE_BATCH = 4096
# On a GPU, inference chunks are larger: fewer launches and transfers.
_MIN_CUDA_BATCH = 65536
# The neighbour term's similarities see distances times this: UMAP's layout
# at a third of its size, about the unit scale a VAE's prior asks for.
_NEIGHBOR_SCALE = 3.0
# The cosine schedule ends at this fraction of ``lr``.
_FINAL_LR = 0.1
# partial_fit warns below this many rows per neighbour in a block.
_MIN_GRAPH_BLOCK = 10
# Passes over the data that fit a new encoder to the spectral start.
_LAYOUT_PASSES = 5
# Training losses, as multiples of the first batch's, that say training
# failed: an epoch this far above, or the last epoch this far above.
_EXPLODED, _ENDED_ABOVE = 10.0, 1.5

CHECKPOINT_FILE = "checkpoint.aembed"


def _to_device_if_room(tensor, device):
    """``tensor`` on ``device`` when it takes at most half the free memory there.

    Training data moved once per fit spares a host-to-device copy per batch;
    data too large for the device stay on the host and go batch by batch.
    """
    device = torch.device(device)
    if device.type != "cuda":
        return tensor
    free, _ = torch.cuda.mem_get_info(device)
    if tensor.nbytes > free // 2:
        return tensor
    return tensor.to(device)


@contextlib.contextmanager
def _training_context(seed, device):
    """Seeded, denormal-free torch state that leaves the caller's untouched.

    MNIST-like data (many exact zeros) drive Adam's moment estimates into
    subnormal floats, which make CPU epochs much slower; flushing them to
    zero costs no accuracy. The caller's flag is probed and restored. The
    global state is held under a lock, so that threaded fits with the same
    seed give the models of fits run one after the other.
    """
    kind = torch.device(device).type
    devices = [] if kind == "cpu" else [torch.device(device)]
    with (
        TORCH_STATE_LOCK,
        torch.random.fork_rng(devices=devices, device_type=kind),
        float32_autograd(),
    ):
        flush = flush_denormal_enabled()
        torch.manual_seed(seed)
        torch.set_flush_denormal(True)
        try:
            yield
        finally:
            torch.set_flush_denormal(flush)


def _check_memory(n_bytes, needs, fix):
    """Refuse, before allocating, more than the machine's physical memory.

    The message reads ``f"{needs} {size} GiB, more than ...; {fix}"``.
    """
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # the platform does not say
        return
    if n_bytes > memory:
        raise MemoryError(
            f"{needs} {n_bytes / 2**30:.3g} GiB, more than this machine's "
            f"{memory / 2**30:.3g} GiB of memory; {fix}"
        )


def _checkpoint_id(path):
    """The training a checkpoint file belongs to, or None if it cannot tell."""
    try:
        return _persistence.read(path)["attributes"]["values"].get("_checkpoint_id_")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _history_frame(history):
    skip = {"batches", "train_batch_count", "valid_batch_count"}
    # The *_best flags are for skorch's callbacks (Checkpoint, PrintLog).
    rows = [
        {k: v for k, v in row.items() if k not in skip and not k.endswith("_best")}
        for row in history
    ]
    frame = pd.DataFrame(rows).set_index("epoch")
    first = ["train_loss", "valid_loss"]
    ordered = [c for c in first if c in frame] + sorted(
        c for c in frame if c not in first and c != "dur"
    )
    return frame[ordered + ["dur"]]


# -- training state -------------------------------------------------------------
#
# What continuing training needs, as a dict: the module's and the optimizer's
# state dicts, PyTorch's CPU random state (so that training resumed in a
# later fit draws what one long fit would have drawn) and the skorch history
# rows. Used for warm starts, for restoring the last completed epoch after an
# interrupt, and for saving.


def _current_state(net):
    """The net's training state, by reference (for saving or copying from)."""
    return {
        "module": net.module_.state_dict(),
        "optimizer": net.optimizer_.state_dict(),
        "rng": getattr(net, "torch_rng_state_", None),
        "history": list(net.history),
    }


def _snapshot(net):
    """A copy of the training state, taken inside the fit's random context."""
    return {
        "module": {k: v.detach().clone() for k, v in net.module_.state_dict().items()},
        "optimizer": copy.deepcopy(net.optimizer_.state_dict()),
        "rng": torch.get_rng_state(),
        "history": list(net.history),  # rows of finished epochs never change
    }


def _restore_state(net, state):
    """Put a training state into a net built by ``_make_net``."""
    net.module_.load_state_dict(state["module"])
    if state["optimizer"] is not None:
        # Copied: the optimizer updates its state in place, and the state we
        # came from must survive a failed fit.
        net.optimizer_.load_state_dict(copy.deepcopy(state["optimizer"]))
        # The saved state carries the learning rate it was trained with;
        # the current parameters win, as after any set_params.
        for group in net.optimizer_.param_groups:
            group["lr"] = net.lr
            group["weight_decay"] = net.optimizer__weight_decay
    net.history = History(dict(row) for row in state["history"])
    net.torch_rng_state_ = state["rng"]


def _stopped_early(net):
    """Whether an early-stopping callback ended training.

    skorch's ``EarlyStopping`` stops by raising ``KeyboardInterrupt``, as a
    Ctrl-C does; it raises exactly when its misses reach the patience.
    """
    return any(
        isinstance(cb, EarlyStopping) and cb.misses_ >= cb.patience
        for _, cb in net.callbacks_
    )


class _EpochEnd(Callback):
    """Keep a copy of the training state at the end of every epoch.

    Placed after the callbacks that record into the epoch's history row and
    before early stopping, so that an epoch counts as completed once its row
    is. ``checkpoint(net, state)``, when given, writes the state to disk.
    """

    def __init__(self, checkpoint=None):
        self.checkpoint = checkpoint

    def on_train_begin(self, net, **kwargs):
        self.state_ = _snapshot(net)

    def on_epoch_end(self, net, **kwargs):
        self.state_ = _snapshot(net)
        if self.checkpoint is not None:
            self.checkpoint(net, self.state_)

    def release(self):
        """Drop the copies and the writer, which a fitted net must not carry."""
        self.state_ = None
        self.checkpoint = None


class _BaseEmbedder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Base class of the autoencoder embedders. Not for direct use."""

    # The parameters that define the network. fit records them in
    # ``_network_``, which transform, save, load and warm starts use, so
    # that set_params after fit cannot change what the fitted model is.
    _network_params = (
        "n_components",
        "hidden_layer_sizes",
        "image_shape",
        "activation",
    )

    # The names of aembed's own callbacks, which a user's must not take:
    # the net's defaults, then those of _callbacks (and of subclasses).
    _callback_names = (
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

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like"],
        "image_shape": ["array-like", None],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "scaling": [StrOptions({"auto", "minmax", "standard"}), None],
        "reconstruction_loss": [StrOptions({"auto", "bce", "mse"})],
        "max_epochs": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "lr_schedule": [StrOptions({"cosine"}), None],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "callbacks": [list, None],
        "warm_start": ["boolean"],
        "checkpoint_dir": [str, os.PathLike, None],
        "neighbor_weight": [Interval(Real, 0, None, closed="left")],
        "n_neighbors": [Interval(Integral, 2, None, closed="left")],
        "teacher_weight": [Interval(Real, 0, None, closed="left")],
        "augment": [StrOptions({"auto"}), "array-like", None],
        "device": [str, torch.device],
        "distributed": [StrOptions({"auto"}), "boolean"],
        "mixed_precision": ["boolean"],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(256, 128),
        image_shape=None,
        activation="relu",
        scaling="auto",
        reconstruction_loss="auto",
        max_epochs="auto",
        batch_size=64,
        lr=3e-3,
        lr_schedule="cosine",
        weight_decay=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        callbacks=None,
        warm_start=False,
        checkpoint_dir=None,
        neighbor_weight=0.0,
        n_neighbors=15,
        teacher_weight=1.0,
        augment="auto",
        device="cpu",
        distributed="auto",
        mixed_precision=False,
        verbose=0,
        random_state=None,
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.image_shape = image_shape
        self.activation = activation
        self.scaling = scaling
        self.reconstruction_loss = reconstruction_loss
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.checkpoint_dir = checkpoint_dir
        self.neighbor_weight = neighbor_weight
        self.n_neighbors = n_neighbors
        self.teacher_weight = teacher_weight
        self.augment = augment
        self.device = device
        self.distributed = distributed
        self.mixed_precision = mixed_precision
        self.verbose = verbose
        self.random_state = random_state

    # -- hooks for subclasses -------------------------------------------------

    def _build_module(self, network, n_features, likelihood, value_range):
        """Return the PyTorch module; see :mod:`aembed.nn` for its interface.

        ``network`` holds the recorded ``_network_params``; the module is
        built from them, never from the current parameters.
        """
        raise NotImplementedError

    def _encoder_decoder(self, network, n_features, n_encoder_outputs):
        """The encoder and decoder ``network`` describes."""
        return build_encoder_decoder(
            n_features,
            network["n_components"],
            n_encoder_outputs,
            network["hidden_layer_sizes"],
            network["activation"],
            network["image_shape"],
        )

    def _extra_callbacks(self):
        """skorch callbacks the objective needs (e.g. a KL warm-up)."""
        return []

    def _fitted_on(self, X):
        """Record what the fitted model says of its training rows ``X``."""

    # -- fitting --------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; any numeric table (see ``scaling``). Torch
            tensors are taken too, here and in every method: detached,
            copied to the CPU, bfloat16 widened to float32.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The fitted estimator.

        Notes
        -----
        Interrupting ``fit`` (Ctrl-C, or a callback raising
        ``KeyboardInterrupt``) returns a fitted estimator with the weights
        of the last completed epoch, or of the best validation epoch with
        ``early_stopping=True``, and warns; the history keeps the completed
        epochs only, and ``warm_start=True`` continues from there. An epoch
        counts as completed once all its callbacks have run. An interrupt
        before the first epoch completes is raised as usual, and leaves the
        estimator unfitted (with ``warm_start``, as it was).

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from aembed import DenoisingAEEmbedder
        >>> X, _ = load_digits(return_X_y=True)
        >>> emb = DenoisingAEEmbedder(max_epochs=2, warm_start=True, random_state=0)
        >>> emb.fit(X[:300]).n_iter_
        2
        >>> emb.fit(X[:300]).n_iter_  # two more epochs on the same network
        4
        """
        warm = self.warm_start and hasattr(self, "net_")
        n_before = self.n_iter_ if warm else 0
        try:
            notes = self._fit(X, warm)
        except BaseException:
            # A fit that fails leaves no half-replaced model behind: a warm
            # one keeps the previous model, a cold one none.
            if not warm:
                self._forget_fit()
            raise
        # Once fitted: a warning turned into an error keeps the model.
        for message in [*notes, *self._undertraining(n_before)]:
            warnings.warn(message, UserWarning, stacklevel=3)
        return self

    def _fit(self, X, warm):
        data, stats = self._training_data(X, reset=not warm)
        self.max_epochs_ = self._resolve_epochs(stats.n_samples)
        if warm:
            self._check_warm_network()
        device, parallel = self._device_and_parallel()
        checkpoint = self._checkpoint_path(parallel)
        if warm:
            self._check_warm_data(stats)
            previous = _current_state(self.net_)
        else:
            self._fit_input_map(stats)
            previous = None

        seed = self._seed(parallel)
        write_checkpoint = self._checkpoint_writer(checkpoint)
        epoch_end = _EpochEnd(write_checkpoint)
        with _training_context(seed, device):
            train, valid = self._split(self._scaled(data, device), seed)
            net = self._make_net(device, self._callbacks(epoch_end), self.max_epochs_)
            if previous is not None:
                self._continue_from(net, previous)
            # One row has no neighbours to preserve.
            if self.neighbor_weight > 0 and len(train) > 1:
                net.neighbor_term_ = self._neighbor_term(
                    net, train, seed, warm, parallel
                )
            n_before = 0 if previous is None else len(previous["history"])
            try:
                with net.parallel_training(parallel):
                    net.partial_fit((train, valid))
                interrupted = self._settle_interrupt(net, epoch_end.state_, n_before)
                rng = torch.get_rng_state()
            finally:
                epoch_end.release()
                # The term holds the training data: a fitted net must not.
                net.neighbor_term_ = None

        net.module_.eval()
        net.torch_rng_state_ = rng
        self.net_ = net
        self.history_ = _history_frame(net.history)
        self.n_iter_ = len(self.history_)
        # Files written before partial_fit existed lack the count.
        seen = getattr(self, "n_samples_seen_", 0) if warm else 0
        self.n_samples_seen_ = seen + stats.n_samples
        if checkpoint is not None:
            # Early stopping may have restored an earlier epoch: the folder
            # ends with the model fit returns.
            write_checkpoint(net, _current_state(net))
        self._fitted_on(X)
        return [interrupted] if interrupted else []

    def _undertraining(self, n_before):
        """What went wrong, said in words, in the epochs after ``n_before``.

        Failures without a NaN, judged against the loss of the first
        training batch, before any update: the training loss ended far
        above it (the model is worse than an untrained one), or rose far
        above it on the way. Subclasses add the failures of their objective.
        """
        net = self.net_
        losses = self.history_["train_loss"].to_numpy()[n_before:]
        start = net.initial_loss_
        if start is None or len(losses) == 0:
            return []
        start = net.initial_loss_ = float(start)
        fix = (
            f"The learning rate (lr={self.lr}) is likely too high: lower it, or "
            "check that the input is scaled (scaling='auto' or 'standard')."
        )
        peak, final = int(np.argmax(losses)), losses[-1]
        if self.early_stopping and "valid_loss" in self.history_:
            # fit keeps the weights of the best validation epoch.
            valid = self.history_["valid_loss"].to_numpy()[n_before:]
            final = losses[int(np.nanargmin(valid))]
        if final > _ENDED_ABOVE * start:
            message = (
                f"Training failed: the training loss ended at {final:.4g}, "
                f"{final / start:.3g} times the {start:.4g} it started at; "
                "the model is worse than an untrained one."
            )
        elif losses[peak] > _EXPLODED * start:
            message = (
                f"Training was unstable: the training loss rose to "
                f"{losses[peak]:.4g} in epoch {n_before + peak + 1}, "
                f"{losses[peak] / start:.3g} times the {start:.4g} it started "
                f"at, before coming back to {final:.4g}."
            )
        else:
            return []
        return [f"{message} {fix}"]

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train on ``X`` for one pass, continuing from earlier calls.

        The first call (on an unfitted estimator) fixes the number of
        features, the feature names, the input scaling (from this block
        alone: see ``scaling``) and the network; every later call validates
        ``X`` against them and makes one shuffled pass over it with the
        optimizer's state kept, as :meth:`fit` with ``warm_start=True``
        would for one epoch. After :meth:`fit`, it continues training the
        fitted network. ``max_epochs``, ``early_stopping`` and ``tol`` do
        not apply: the caller decides how many passes to make, as with
        scikit-learn's ``MLPRegressor.partial_fit``. This is the method
        ``dask_ml.wrappers.Incremental`` calls on every block of a Dask
        array.

        With ``neighbor_weight > 0`` the neighbour graph is built on each
        block alone, which therefore needs more than ``n_neighbors`` rows;
        blocks of 10,000 rows or more give a graph close to that of the
        whole data. The spectral start is fitted on the first block.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            One block of training data; in-memory or out-of-core (see
            :meth:`fit`).
        y : None
            Ignored entirely (Dask passes a placeholder).

        Returns
        -------
        self : object
            The estimator, with ``n_iter_`` (passes so far) and
            ``n_samples_seen_`` (rows so far) updated.

        Notes
        -----
        An interrupted or failed call leaves the estimator as it was before
        the call (unfitted, for a first call) and raises.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_digits
        >>> from aembed import DenoisingAEEmbedder
        >>> X, _ = load_digits(return_X_y=True)
        >>> emb = DenoisingAEEmbedder(random_state=0)
        >>> for block in np.array_split(X, 4):
        ...     emb = emb.partial_fit(block)
        >>> emb.n_iter_, emb.n_samples_seen_
        (4, 1797)
        """
        first = not hasattr(self, "net_")
        try:
            self._partial_fit(X, first)
        except BaseException:
            if first:
                self._forget_fit()
            raise
        return self

    def _partial_fit(self, X, first):
        data, stats = self._training_data(X, reset=first, incremental=True)
        device, parallel = self._device_and_parallel()
        if first:
            self._fit_input_map(stats)
            seed = self._seed(parallel)
        else:
            self._check_warm_network()
            self._check_warm_data(stats)
            device, seed = str(self.net_.device), 0
        checkpoint = self._checkpoint_path(parallel)
        with _training_context(seed, device):
            train = self._scaled(data, device)
            net = self._incremental_net(device, first)
            epoch_end = dict(net.callbacks_)["epoch_end"]
            epoch_end.checkpoint = self._checkpoint_writer(checkpoint)
            if self.neighbor_weight > 0 and len(train) > 1:
                net.neighbor_term_ = self._neighbor_term(
                    net, train, seed, not first, parallel
                )
            n_before = len(net.history)
            try:
                with net.parallel_training(parallel):
                    net.partial_fit((train, None), epochs=1)
                if len(epoch_end.state_["history"]) == n_before:
                    # The pass did not complete: back to the state before it.
                    _restore_state(net, epoch_end.state_)
                    raise KeyboardInterrupt("partial_fit was interrupted")
                net.torch_rng_state_ = torch.get_rng_state()
            finally:
                epoch_end.release()
                net.neighbor_term_ = None
        net.module_.eval()
        self.net_ = net
        self.history_ = _history_frame(net.history)
        self.n_iter_ = len(self.history_)
        seen = 0 if first else getattr(self, "n_samples_seen_", 0)
        self.n_samples_seen_ = seen + stats.n_samples
        self._fitted_on(X)

    def _incremental_net(self, device, first):
        """The net ``partial_fit`` trains: the fitted one, or a new one.

        A net built by :meth:`fit` carries fit's progress bar and early
        stopping; a fresh net with the same state replaces it.
        """
        if not first and getattr(self.net_, "incremental_", False):
            if self.net_.torch_rng_state_ is not None:
                torch.set_rng_state(self.net_.torch_rng_state_)
            return self.net_
        callbacks = self._callbacks(_EpochEnd(), incremental=True)
        net = self._make_net(device, callbacks, max_epochs=1)
        net.incremental_ = True
        if not first:
            self._continue_from(net, _current_state(self.net_))
        return net

    def _training_data(self, X, reset, incremental=False):
        """Validated training data and its column statistics.

        An out-of-core array (a memory map, zarr, HDF5, Dask) comes back as
        a :class:`~._streaming.BlockReader`, after one pass that checks its
        values and computes the statistics; anything else as a float32
        array in memory.
        """
        X = as_array(X)
        if is_out_of_core(X):
            if self.neighbor_weight > 0 and not incremental:
                raise ValueError(
                    "neighbor_weight > 0 needs the training rows in memory, but "
                    f"X is a {type(X).__name__} read in blocks. Fit on an "
                    "in-memory sample (e.g. np.asarray(X[rows])), or train with "
                    "partial_fit on blocks, each of which gets its own graph."
                )
            validate_data(self, X, skip_check_array=True, reset=reset)
            data = BlockReader(
                X,
                min_blocks=10 if self.early_stopping and not incremental else 1,
            )
            stats = data.statistics()
        else:
            X = load_memmap(X)
            data = validate_data(self, X, dtype=np.float32, reset=reset)
            data = np.require(data, requirements=["C", "W"])
            stats = ColumnStats.of(data)
        self._check_params_against_data(data, incremental)
        return data, stats

    def _fit_input_map(self, stats):
        """Fix the input scaling, the loss and the network's shape."""
        self.scaling_, self.input_offset_, self.input_scale_ = fit_scaling(
            stats, self.scaling
        )
        low, high = stats.scaled_range(self.input_offset_, self.input_scale_)
        self.reconstruction_loss_ = self._resolve_loss(low, high)
        likelihood = "bernoulli" if self.reconstruction_loss_ == "bce" else "gaussian"
        self._network_ = self._network_from_params()
        self._module_args_ = {
            "n_features": stats.mean.shape[0],
            "likelihood": likelihood,
            "value_range": (low, high),
        }
        self._check_network_memory()

    def _scaled(self, data, device):
        """The scaled training rows: a tensor, or blocks scaled as they are read."""
        if isinstance(data, BlockReader):
            blocks = range(data.n_blocks)
            return StreamedRows(data, blocks, self.input_offset_, self.input_scale_)
        rows = torch.from_numpy(
            apply_scaling(data, self.input_offset_, self.input_scale_)
        )
        return _to_device_if_room(rows, device)

    def _neighbor_term(self, net, train, seed, warm, parallel=None):
        """UMAP's graph of the (scaled) training rows, and the term it drives.

        The term is weighted by ``neighbor_weight`` times the number of
        features: the reconstruction term sums over features, so the balance
        does not change with the width of the data. A new network first
        learns to map the rows to the graph's spectral embedding, UMAP's own
        starting layout, which the term then refines. In a data-parallel
        run every process builds the same graph and fits the same start on
        all rows, in batches of the global batch's size.
        """
        rows = train.cpu().numpy()
        graph = neighbor_graph(rows, self.n_neighbors, random_state=seed)
        augment = self._augmentation()
        start = None
        if not warm:
            start = spectral_layout(graph, self.n_components, random_state=seed)
        teacher = None
        if self.teacher_weight > 0:
            if warm:  # the teacher starts from the current map
                start = current_layout(net, train)
            teacher = teacher_layout(graph, start, _NEIGHBOR_SCALE, seed)
            start = None if warm else teacher
        if start is not None:
            world = 1 if parallel is None else parallel.world
            net.fit_layout(
                train,
                start,
                n_passes=_LAYOUT_PASSES,
                batch_size=net.batch_size * world,
                augment=augment,
            )
        weight = self.neighbor_weight * train.shape[1]
        if teacher is None and augment is None:
            return NeighborTerm(train, graph, weight, scale=_NEIGHBOR_SCALE)
        return TeacherTerm(
            train,
            graph,
            weight,
            _NEIGHBOR_SCALE,
            teacher=teacher,
            teacher_weight=self.teacher_weight * train.shape[1],
            augment=augment,
        )

    def _resolve_epochs(self, n_samples):
        """``max_epochs``, with ``"auto"`` resolved for ``n_samples`` rows.

        ``round(50 * sqrt(4000 / n_samples))`` between 1 and 100 epochs: 50
        for 4,000 rows, 13 for 60,000, 3 for a million. Larger data give
        each epoch more distinct rows to learn from, so the rows seen over
        a fit grow with the square root of the data, not linearly.
        """
        if self.max_epochs != "auto":
            return int(self.max_epochs)
        return int(min(100, max(1, round(50 * math.sqrt(4000 / n_samples)))))

    def _device_and_parallel(self):
        """The device to train on, and the data-parallel engine or None.

        Started by a launcher on several processes (and unless
        ``distributed=False``), each process trains on its share through
        Accelerate; on GPUs each takes its local one.
        """
        device = _resolve_device(self.device)
        parallel = data_parallel(self.distributed, device)
        return (device if parallel is None else parallel.device), parallel

    def _seed(self, parallel):
        """The fit's seed; in a data-parallel run, rank 0's on every process."""
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        if parallel is not None:
            seed = parallel.broadcast_int(seed)
        return seed

    def _make_net(self, device, callbacks, max_epochs):
        """The skorch net around a new module, initialised on ``device``.

        Used by ``fit``, ``partial_fit`` (one epoch per call) and
        :func:`aembed.load`, so that a loaded estimator's net is built
        exactly as a fitted one's. The module's initial weights are drawn
        from the caller's random context.
        """
        net = EmbedderNet(
            module=self._build_module(self._network_, **self._module_args_),
            criterion=torch.nn.Identity,
            optimizer=torch.optim.AdamW,
            optimizer__weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=max_epochs,
            batch_size=self.batch_size,
            train_split=None,
            callbacks=callbacks,
            device=device,
            verbose=int(self.verbose >= 2),
        )
        # Callbacks that look at data in the caller's units need the map.
        net.input_scaling_ = (self.input_offset_, self.input_scale_)
        net.mixed_precision_ = bool(self.mixed_precision)
        return net.initialize()

    def _check_network_memory(self):
        """Refuse a network too large to train here, before allocating it."""
        with torch.device("meta"):  # shapes only: no memory, no random draws
            module = self._build_module(self._network_, **self._module_args_)
        n_weights = sum(p.numel() for p in module.parameters())
        n_buffers = sum(b.numel() for b in module.buffers())
        # Weights, gradients and Adam's two moments, in float32.
        _check_memory(
            16 * n_weights + 4 * n_buffers,
            f"Training this network ({n_weights:,} weights) needs at least",
            "choose smaller hidden_layer_sizes, n_components or n_codes.",
        )

    def _network_from_params(self):
        """``_network_params`` as the current parameters set them, as plain data."""
        network = {}
        for name in self._network_params:
            value = getattr(self, name)
            if name == "image_shape":
                value = self._image_shape()
            elif isinstance(value, tuple | list | np.ndarray):
                value = tuple(int(v) for v in value)
            network[name] = _persistence.to_plain(value)
        return network

    def _check_warm_network(self):
        current = self._network_from_params()
        changed = [
            f"{name} from {self._network_[name]!r} to {current[name]!r}"
            for name in current
            if current[name] != self._network_.get(name)
        ]
        if changed:
            raise ValueError(
                "warm_start=True continues training the fitted network, but the "
                f"current parameters describe a different one ({', '.join(changed)}"
                "). Set warm_start=False to train a new network, or set them back."
            )

    def _continue_from(self, net, state):
        """Load the previous fit's state into the new net, for a warm start."""
        try:
            _restore_state(net, state)
        except (RuntimeError, ValueError) as exc:
            raise ValueError(
                "warm_start=True continues training the fitted network, but the "
                "current parameters describe a different one (changed "
                "n_components, hidden_layer_sizes, image_shape, activation or a "
                "size of the objective). Set warm_start=False to train a new "
                f"network. ({type(exc).__name__}: {str(exc).splitlines()[0]})"
            ) from exc
        if net.torch_rng_state_ is not None:
            torch.set_rng_state(net.torch_rng_state_)

    def _settle_interrupt(self, net, last, n_before):
        """After training: if it was interrupted, keep the last completed epoch.

        ``last`` is the training state at the end of the last completed
        epoch (or at the start of training), ``n_before`` the number of
        epochs of earlier fits. Returns the warning to give once the model
        is in place, or None.
        """
        partial = len(net.history) > len(last["history"])
        n_done = len(last["history"]) - n_before
        if _stopped_early(net) or (not partial and n_done == self.max_epochs_):
            return None
        if n_done == 0 and n_before == 0:
            raise KeyboardInterrupt("fit was interrupted before any epoch completed")

        stopper = dict(net.callbacks_).get("early_stopping")
        # Set only with early_stopping=True (load_best).
        best = getattr(stopper, "best_model_weights_", None)
        # The partial epoch's history row goes too.
        _restore_state(net, last if best is None else {**last, "module": best})
        torch.set_rng_state(last["rng"])
        n_kept = len(last["history"])
        if best is not None:
            kept = f"epoch {stopper.best_epoch_}, the best validation epoch"
        elif n_done == 0:
            kept = f"epoch {n_kept}, as before this fit"
        else:
            kept = f"epoch {n_kept}, the last completed epoch"
        when = f"during epoch {n_kept + 1}" if partial else f"after epoch {n_kept}"
        return (
            f"fit was interrupted {when}; {type(self).__name__} keeps the weights "
            f"of {kept}. Call fit with warm_start=True to continue training."
        )

    def _check_warm_data(self, stats):
        low, high = stats.scaled_range(self.input_offset_, self.input_scale_)
        if self.reconstruction_loss_ == "bce" and (low < 0 or high > 1):
            raise ValueError(
                "warm_start=True and partial_fit keep the input scaling of the "
                f"first fit, which maps this X to [{low:.3g}, {high:.3g}], outside "
                "the [0, 1] that reconstruction_loss 'bce' needs. Fit with "
                "warm_start=False to rescale."
            )

    def _forget_fit(self):
        for name in [k for k in vars(self) if k.endswith("_") and k[:2] != "__"]:
            delattr(self, name)

    def _check_params_against_data(self, X, incremental=False):
        # sklearn's Interval(Integral, ...) admits True and False, which
        # PyTorch would take for sizes 1 and 0 or reject with its own error.
        for name, constraints in self._parameter_constraints.items():
            if any(getattr(c, "type", None) is Integral for c in constraints):
                _reject_bools(**{name: getattr(self, name)})
        for name in ("hidden_layer_sizes", "image_shape", "augment"):
            sizes = getattr(self, name)
            if sizes is None or isinstance(sizes, str):
                continue
            # sklearn's "array-like" admits dicts and sets, whose order (and
            # what a saved file can hold) is not that of a sequence.
            if not isinstance(sizes, tuple | list | np.ndarray) or np.ndim(sizes) != 1:
                raise TypeError(
                    f"{name} must be a tuple or list of integers, got {sizes!r}."
                )
            if any(isinstance(h, bool | np.bool_) for h in sizes):
                raise TypeError(f"{name} must hold integers, got {sizes!r}.")
        for i, callback in enumerate(self.callbacks or []):
            # skorch takes a (name, callback) pair as a tuple or a list.
            name = None
            if isinstance(callback, tuple | list) and len(callback) == 2:
                name, callback = callback
                if not isinstance(name, str):
                    callback = None
            if not (
                isinstance(callback, Callback)
                or (isinstance(callback, type) and issubclass(callback, Callback))
            ):
                raise TypeError(
                    "callbacks must hold skorch Callback instances or "
                    f"(name, callback) pairs, got {self.callbacks[i]!r} at "
                    f"position {i}."
                )
            self._check_callback(name, callback)
        n_features = X.shape[1]
        shape = self._image_shape()
        if shape is not None and int(np.prod(shape)) != n_features:
            raise ValueError(
                f"image_shape={tuple(self.image_shape)} holds {int(np.prod(shape))} "
                f"values per image, but X has {n_features} features."
            )
        shape = self._augment_shape()
        if shape is not None and int(np.prod(shape)) != n_features:
            raise ValueError(
                f"augment={tuple(self.augment)} holds {int(np.prod(shape))} "
                f"values per image, but X has {n_features} features."
            )
        if any(not isinstance(h, Integral) or h < 1 for h in self.hidden_layer_sizes):
            raise ValueError(
                "hidden_layer_sizes must be positive integers, got "
                f"{self.hidden_layer_sizes!r}."
            )
        if incremental and self.neighbor_weight > 0:
            if X.shape[0] < _MIN_GRAPH_BLOCK * self.n_neighbors:
                warnings.warn(
                    "partial_fit with neighbor_weight > 0 builds the neighbour "
                    f"graph of each block alone; a block of {X.shape[0]} rows "
                    "holds little neighbourhood structure. Pass blocks of at "
                    f"least {_MIN_GRAPH_BLOCK * self.n_neighbors} rows "
                    f"({_MIN_GRAPH_BLOCK} x n_neighbors; 10,000 or more work "
                    "well).",
                    UserWarning,
                    stacklevel=5,
                )
        if self.lr * self.weight_decay >= 1:
            raise ValueError(
                f"weight_decay={self.weight_decay} with lr={self.lr}: AdamW "
                "multiplies the weights by 1 - lr * weight_decay at every step, so "
                "lr * weight_decay must be below 1 (it is usually below 1e-3)."
            )
        if self.early_stopping and X.shape[0] < 2:
            raise ValueError(
                "early_stopping=True needs at least 2 samples to hold out a "
                f"validation set, got {X.shape[0]}; set early_stopping=False."
            )

    def _check_callback(self, name, callback):
        """Refuse, before training, a skorch callback that cannot work here."""
        reserved = self._callback_names
        if name in reserved:
            raise ValueError(
                f"callbacks: {name!r} names one of aembed's own callbacks "
                f"({', '.join(reserved)}); give yours another name."
            )
        kind = callback if isinstance(callback, type) else type(callback)
        if issubclass(kind, ScoringBase | PassthroughScoring):
            what = (
                "averages per-batch records, which this net does not keep"
                if issubclass(kind, PassthroughScoring)
                else "scores a net's predictions of a target, which an "
                "embedder's net does not make"
            )
            raise TypeError(
                f"callbacks: skorch's {kind.__name__} {what}. Record a score of "
                "your own in a callback's on_epoch_end with "
                "net.history.record(name, value); train_loss_best (and "
                "valid_loss_best with early_stopping=True) are recorded already."
            )
        monitor = getattr(callback, "monitor", None)
        if (
            isinstance(monitor, str)
            and monitor.startswith("valid_")
            and not self.early_stopping
        ):
            raise ValueError(
                f"callbacks: {kind.__name__} monitors {monitor!r}, which is "
                "recorded only with early_stopping=True (which holds out "
                "validation_fraction of the rows). Set early_stopping=True, or "
                f"monitor {monitor.replace('valid_', 'train_', 1)!r}."
            )

    def _image_shape(self):
        """``image_shape`` as ``(channels, height, width)``, or None."""
        return _as_image_shape(self.image_shape, "image_shape")

    def _augment_shape(self):
        """The image geometry that ``augment`` transforms, or None."""
        if isinstance(self.augment, str):  # "auto"
            return self._image_shape()
        return _as_image_shape(self.augment, "augment")

    def _augmentation(self):
        """The random transform of the neighbour term's rows, or None."""
        shape = self._augment_shape()
        if shape is None:
            return None
        return functools.partial(random_affine, image_shape=shape)

    def _resolve_loss(self, low, high):
        """The reconstruction loss, given the range of the scaled data."""
        if self.reconstruction_loss != "auto":
            if self.reconstruction_loss == "bce" and (low < 0 or high > 1):
                raise ValueError(
                    "reconstruction_loss='bce' needs data in [0, 1] after scaling, "
                    f"got values in [{low:.3g}, {high:.3g}]; use "
                    "scaling='minmax' or reconstruction_loss='mse'."
                )
            return self.reconstruction_loss
        return "bce" if low >= 0 and high <= 1 else "mse"

    def _split(self, X, seed):
        """Training and validation rows (None without early stopping).

        Rows read in blocks are split by whole blocks.
        """
        if not self.early_stopping:
            return X, None
        if isinstance(X, StreamedRows):
            n_valid = min(
                max(1, round(self.validation_fraction * len(X.blocks))),
                len(X.blocks) - 1,
            )
            order = np.random.default_rng(seed).permutation(X.blocks).tolist()
            return X.subset(order[n_valid:]), X.subset(order[:n_valid])
        n_valid = max(1, int(round(self.validation_fraction * len(X))))
        n_valid = min(n_valid, len(X) - 1)
        order = np.random.default_rng(seed).permutation(len(X))
        order = torch.from_numpy(order).to(X.device)
        return X[order[n_valid:]], X[order[:n_valid]]

    def _callbacks(self, epoch_end=None, incremental=False):
        # Early stopping comes last: when it stops training, every other
        # callback has seen the final epoch, and _EpochEnd has kept it.
        callbacks = [*self._extra_callbacks(), *(self.callbacks or [])]
        if incremental:
            # partial_fit: one pass per call, the caller decides when to stop.
            return [*callbacks, ("epoch_end", epoch_end)]
        if self.lr_schedule == "cosine":
            callbacks.append(("lr_schedule", CosineSchedule(_FINAL_LR)))
        if self.verbose:
            callbacks.append(("progress", EpochProgressBar()))
        if epoch_end is not None:
            callbacks.append(("epoch_end", epoch_end))
        if self.early_stopping or self.tol is not None:
            monitor = "valid_loss" if self.early_stopping else "train_loss"
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(
                        monitor=monitor,
                        patience=self.n_iter_no_change,
                        threshold=self.tol or 0.0,
                        threshold_mode="abs",
                        load_best=self.early_stopping,
                        sink=print if self.verbose >= 2 else _silent,
                    ),
                )
            )
        return callbacks

    # -- persistence ------------------------------------------------------------

    def save(self, path):
        """Write the fitted estimator to a file that :func:`aembed.load` reads.

        The file holds the parameters and fitted attributes as plain data,
        the network's and the optimizer's state as tensors, the format
        version and the aembed version, and a checksum. Loading it never
        executes code, unlike a pickle, and works across aembed versions
        that read its format version. The write is atomic: an interrupted
        save leaves any earlier file at ``path`` intact. A file it replaces
        keeps its permissions, and a symlink is written through to its
        target.

        Parameters
        ----------
        path : str or path-like
            Destination file; conventionally ending in ``.aembed``.

        Warns
        -----
        UserWarning
            When a parameter is not plain data (``callbacks``, a
            ``RandomState`` instance) and is therefore saved as None, or a
            history column recorded by a callback is not and is left out.

        See Also
        --------
        aembed.load : Read the file back.

        Examples
        --------
        >>> import os, tempfile
        >>> from sklearn.datasets import load_digits
        >>> from aembed import VAEEmbedder, load
        >>> X, _ = load_digits(return_X_y=True)
        >>> emb = VAEEmbedder(max_epochs=2, random_state=0).fit(X[:200])
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     emb.save(os.path.join(folder, "vae.aembed"))
        ...     loaded = load(os.path.join(folder, "vae.aembed"))
        >>> loaded.sample(3, random_state=0).shape
        (3, 64)
        """
        check_is_fitted(self)
        if is_secondary_process():
            return  # in a data-parallel script, the first process writes
        self._write(path, self.net_, _current_state(self.net_), warn=True)

    def _write(self, path, net, state, warn):
        body, dropped = self._to_body(state, str(net.device), net.mixed_precision_)
        if dropped and warn:
            warnings.warn(
                f"{', '.join(dropped)} cannot be saved as plain data: the loaded "
                "estimator has None for such parameters and lacks such history "
                "columns.",
                UserWarning,
                stacklevel=3,
            )
        _persistence.write(body, path)

    def _to_body(self, state, device, mixed_precision=False):
        """The file's body: plain data and tensors, see :mod:`._persistence`."""
        params, dropped = _persistence.plain_params(self.get_params(deep=False))
        history, dropped_columns = _persistence.encode_history(
            _history_frame(state["history"])
        )
        attributes = {
            k: v
            for k, v in vars(self).items()
            if k.endswith("_")
            and k[:2] != "__"
            and k not in _persistence.DERIVED_ATTRIBUTES
        }
        body = {
            "class": type(self).__name__,
            "params": params,
            "attributes": _persistence.encode_attributes(attributes),
            "history": history,
            "module": state["module"],
            "optimizer": state["optimizer"],
            "rng": state["rng"],
            "device": device,
            # As fit chose it: inference runs in the precision it was fitted in.
            "mixed_precision": bool(mixed_precision),
            # set_output's choice, which sklearn keeps outside the parameters.
            "output": getattr(self, "_sklearn_output_config", {}).get("transform"),
        }
        return body, dropped + dropped_columns

    @classmethod
    def _from_body(cls, body, device):
        """Rebuild a fitted estimator from a file's body, its net on ``device``."""
        # The author's checkpoint folder is a place on the author's machine: a
        # later fit writes checkpoints only where its caller asks.
        est = cls(**{**body["params"], "device": device, "checkpoint_dir": None})
        est._validate_params()
        if body["output"] is not None:
            est.set_output(transform=body["output"])
        for name, value in _persistence.decode_attributes(body["attributes"]).items():
            setattr(est, name, value)
        if not hasattr(est, "_network_"):  # written before networks were recorded
            est._network_ = est._network_from_params()
        est._network_ = {
            k: tuple(v) if isinstance(v, list) else v for k, v in est._network_.items()
        }
        if body["rng"] is not None:
            torch.Generator().set_state(body["rng"])  # refuse a bad state now
        # A new module's random initial weights are overwritten at once; they
        # must not consume the caller's random stream.
        with TORCH_STATE_LOCK, torch.random.fork_rng(devices=[]), float32_autograd():
            # A model trained by partial_fit has no max_epochs_: one per call.
            max_epochs = getattr(est, "max_epochs_", 1)
            net = est._make_net(_resolve_device(device), est._callbacks(), max_epochs)
        _restore_state(
            net,
            {
                "module": body["module"],
                "optimizer": body["optimizer"],
                "rng": body["rng"],
                "history": _persistence.decode_history(body["history"]),
            },
        )
        net.mixed_precision_ = bool(body.get("mixed_precision", est.mixed_precision))
        net.module_.eval()
        est.net_ = net
        est.history_ = _history_frame(net.history)
        est.n_iter_ = len(est.history_)
        return est

    def _checkpoint_path(self, parallel=None):
        """This fit's checkpoint file, checked before any training.

        The folder must be writable, and may hold only a checkpoint of this
        estimator's own training: its earlier fits, or the fit it was loaded
        from (``_checkpoint_id_`` names the training a file belongs to).
        """
        # In a data-parallel run only the first process writes.
        if self.checkpoint_dir is None or (
            parallel is not None and not parallel.is_main
        ):
            return None
        folder = os.fspath(self.checkpoint_dir)
        if not folder:
            raise ValueError(
                "checkpoint_dir='' is empty; give a folder ('.' for the current "
                "one), or None."
            )
        if os.path.exists(folder) and not os.path.isdir(folder):
            raise ValueError(
                f"checkpoint_dir={folder!r} is a file; it must be a folder (made "
                "if missing)."
            )
        try:
            os.makedirs(folder, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            raise type(exc)(
                f"checkpoint_dir={folder!r} cannot be written ({exc.strerror or exc})"
                "; choose a writable folder, or checkpoint_dir=None."
            ) from None
        path = os.path.join(folder, CHECKPOINT_FILE)
        self._checkpoint_id_ = getattr(self, "_checkpoint_id_", None) or uuid4().hex
        if os.path.exists(path) and _checkpoint_id(path) != self._checkpoint_id_:
            raise ValueError(
                f"checkpoint_dir={folder!r} holds the checkpoint of another fit "
                f"({CHECKPOINT_FILE}), which this fit would replace. Choose another "
                "folder, delete that file, or continue its training: "
                f"est = aembed.load({path!r}), then "
                f"est.set_params(warm_start=True, checkpoint_dir={folder!r}).fit(X)."
            )
        return path

    def _checkpoint_writer(self, path):
        """Write checkpoints to ``path``; a failed write warns, once, and no more.

        Training goes on, and fit returns the trained model: losing the
        checkpoint must not lose the model.
        """
        if path is None:
            return None
        failures = []

        def write(net, state):
            try:
                self._write(path, net, state, warn=False)
            except OSError as exc:
                if not failures:
                    warnings.warn(
                        f"fit could not write the checkpoint {path!r} ({exc}); "
                        "training goes on, and fit returns the trained model "
                        "(save it with save).",
                        UserWarning,
                        stacklevel=2,
                    )
                failures.append(exc)

        return write

    # -- inference --------------------------------------------------------------

    def _map_batches(self, X, step, n_out, scale_in=False, unscale_out=False):
        """Apply ``step`` to chunks of ``X``; memory bounded by the chunk size.

        ``X`` is an array or a :class:`~._streaming.BlockReader`, whose
        blocks are read one at a time.
        """
        module = self.net_.module_
        module.eval()
        device = self.net_.device
        out = np.empty((X.shape[0], n_out), dtype=np.float32)
        chunk = max(
            self.batch_size,
            _MIN_CUDA_BATCH
            if torch.device(device).type == "cuda"
            else _MIN_INFERENCE_BATCH,
        )
        # Data already in [0, 1] need no map: skip its two temporary copies.
        identity = self.scaling_ == "none"
        scale_in, unscale_out = scale_in and not identity, unscale_out and not identity
        with torch.inference_mode():
            for start, block in _chunks(X, chunk):
                if scale_in:
                    block = apply_scaling(block, self.input_offset_, self.input_scale_)
                with np.errstate(over="ignore"):  # non-finite output is refused below
                    block = np.ascontiguousarray(block, dtype=np.float32)
                if not block.flags.writeable:  # torch wants writable memory
                    block = block.copy()
                x = torch.from_numpy(block).to(device)
                with self.net_.autocast():
                    result = rowwise(lambda x: step(module, x), x)
                result = result.float().cpu().numpy()
                if unscale_out:
                    result = undo_scaling(result, self.input_offset_, self.input_scale_)
                out[start : start + len(block)] = result
        if not np.isfinite(out).all():
            raise ValueError(
                "The network produced non-finite values; the input is likely far "
                "outside the range of the training data."
            )
        return out

    def _inference_data(self, X):
        """``X`` validated against the fit: an array, or a block reader."""
        check_is_fitted(self)
        X = as_array(X)
        if is_out_of_core(X):
            validate_data(self, X, skip_check_array=True, reset=False)
            return BlockReader(X)
        X = load_memmap(X)
        return validate_data(self, X, reset=False, dtype=[np.float32, np.float64])

    def _embed(self, module, x):
        return module.embed(x)

    def transform(self, X):
        """Embed ``X`` with the trained encoder.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units seen in :term:`fit`.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components), float32
            The embedding.
        """
        X = self._inference_data(X)
        return self._map_batches(X, self._embed, self._n_features_out, scale_in=True)

    def inverse_transform(self, X):
        """Decode embedded points back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Points in the embedding space.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features_in_), float32
            Reconstructions, in the units of the data seen in :term:`fit`.
        """
        check_is_fitted(self)
        X = check_array(as_array(X), dtype=[np.float32, np.float64], input_name="X")
        n_components = self._n_features_out
        if X.shape[1] != n_components:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__}."
                f"inverse_transform expects n_components={n_components} "
                "(points in the embedding space)."
            )
        return self._map_batches(
            X, lambda m, z: m.decode(z), self.n_features_in_, unscale_out=True
        )

    def _reconstruct(self, module, x):
        return module.decode(self._embed(module, x))

    def reconstruct(self, X):
        """Encode then decode ``X``: ``inverse_transform(transform(X))``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units seen in :term:`fit`.

        Returns
        -------
        X_rec : ndarray of shape (n_samples, n_features_in_), float32
            Reconstructions in the same units.
        """
        X = self._inference_data(X)
        return self._map_batches(
            X, self._reconstruct, self.n_features_in_, scale_in=True, unscale_out=True
        )

    def score(self, X, y=None):
        """Negative mean squared reconstruction error, in the input's units.

        Higher is better, so that :class:`~sklearn.model_selection.GridSearchCV`
        can select models without labels and without a scorer.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to reconstruct.
        y : None
            Ignored.

        Returns
        -------
        score : float
            ``-mean((X - reconstruct(X)) ** 2)``.
        """
        X = self._inference_data(X)
        total, size = 0.0, 0
        for _, block in _chunks(X, X.shape[0] if isinstance(X, np.ndarray) else None):
            X_rec = self._map_batches(
                block,
                self._reconstruct,
                self.n_features_in_,
                scale_in=True,
                unscale_out=True,
            )
            total += np.sum((block - X_rec) ** 2, dtype=np.float64)
            size += block.size
        return -float(total / size)

    def score_samples(self, X):
        """Log-likelihood of every row, decoded from its embedding; higher is better.

        ``-(reconstruction NLL)`` of each row, summed over features in the
        model's scaled input space (see ``scaling``): the natural anomaly
        score, low for rows unlike the training data. With
        ``reconstruction_loss="bce"`` it is at most 0; with ``"mse"`` the
        constant ``-0.5 * log(2 * pi)`` per feature of the unit-variance
        Gaussian is left out.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units seen in :term:`fit`.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,), float32
            In nats.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from aembed import DenoisingAEEmbedder
        >>> X, _ = load_digits(return_X_y=True)
        >>> emb = DenoisingAEEmbedder(max_epochs=2, random_state=0).fit(X[:300])
        >>> emb.score_samples(X[:3]).shape
        (3,)
        """
        return self._per_row(X, lambda module, x: module.log_likelihood(x))

    def _per_row(self, X, step):
        """``step(module, x)``, one value per row, for every row of ``X``."""
        X = self._inference_data(X)
        out = self._map_batches(
            X, lambda module, x: step(module, x).unsqueeze(1), 1, scale_in=True
        )
        return out[:, 0]

    @property
    def _n_features_out(self):
        # get_feature_names_out checks this attribute to tell a fitted
        # estimator: like PCA's, it exists only after fit.
        # Fitted with n_components, whatever set_params said since.
        check_is_fitted(self, "net_")
        return int(self._network_["n_components"])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def _chunks(X, chunk):
    """``(start, rows)`` over an array, or over the blocks of a reader.

    A reader's blocks are split into chunks of at most ``chunk`` rows (None:
    whole blocks).
    """
    if isinstance(X, BlockReader):
        for first, rows in X.blocks():
            step = chunk or len(rows)
            for start in range(0, len(rows), step):
                yield first + start, rows[start : start + step]
    else:
        for start in range(0, X.shape[0], chunk):
            yield start, X[start : start + chunk]


def _silent(*args, **kwargs):
    pass


def _as_image_shape(value, name):
    """``value``, ``(height, width)`` or ``(channels, height, width)``, as
    ``(channels, height, width)``; None stays None."""
    if value is None:
        return None
    shape = tuple(value)
    if len(shape) == 2:
        shape = (1, *shape)
    if len(shape) != 3 or any(not isinstance(s, Integral) or s < 1 for s in shape):
        raise ValueError(
            f"{name} must be (height, width) or (channels, height, width) "
            f"of positive integers, got {value!r}."
        )
    return shape
