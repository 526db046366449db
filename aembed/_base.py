"""The shared base of the aembed estimators: their public API and ``fit``'s route.

A plain scikit-learn transformer that builds a private skorch net in ``fit``.
It keeps the parameters, the fitted attributes and the orchestration of
``fit`` and ``partial_fit``, which share one path (``_fit``); private modules
do the work, one concern each: :mod:`._validation` (every check, one entry
point per phase), :mod:`._training` (the skorch net, which owns the training
run, and its callbacks, batches, checkpoints and set-up), :mod:`._inference`
(the one row map of every inference method), :mod:`._model_io` (the model
file's body) and :mod:`._export` (``to_onnx``). A subclass builds its module
in ``_build_module``.
"""

import os
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from . import _labels, _model_io, _training, _validation
from ._distributed import is_secondary_process
from ._export import OnnxExportMixin
from ._inference import chunks, map_rows
from ._scaling import fit_scaling
from .nn import ACTIVATIONS, build_encoder_decoder


class _BaseEmbedder(
    OnnxExportMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
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

    # The names of aembed's own callbacks, which a user's must not take
    # (subclasses add those of their objective).
    _callback_names = _training.CALLBACK_NAMES

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
        "supervision_weight": [Interval(Real, 0, None, closed="left")],
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
        supervision_weight=0.0,
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
        self.supervision_weight = supervision_weight
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

    def _new_module(self):
        """A new module of the fitted network, with its classifier head if any."""
        module = self._build_module(self._network_, **self._module_args_)
        if hasattr(self, "classes_"):
            n_components = self._network_["n_components"]
            _training.add_head(module, n_components, len(self.classes_))
        return module

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

    def _check_objective_params(self):
        """Refuse, before training, parameters of the objective that clash."""

    def _training_failures(self, n_before):
        """What went wrong in the epochs after ``n_before``, in words.

        See :func:`._training.training_failures`; subclasses add the
        failures of their objective.
        """
        return _training.training_failures(self, n_before)

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
        y : array-like of shape (n_samples,), default=None
            Class labels, used only when ``supervision_weight`` > 0 (and
            ignored otherwise, as by any unsupervised transformer): ``-1``
            (or None, NaN) marks an unlabelled row; any other label type is
            encoded into ``classes_``. Continuous targets are refused.

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
        return self._fit(X, y, incremental=False)

    def _fit(self, X, y, incremental):
        """The one path of ``fit`` and ``partial_fit``.

        Training continues the fitted network (warm) for every
        ``partial_fit`` after the first and for ``fit`` with
        ``warm_start=True``; otherwise it starts a new one. A fit that fails
        leaves no half-replaced model behind: a warm one keeps the previous
        model, a cold one none.
        """
        warm = hasattr(self, "net_") and (incremental or self.warm_start)
        n_before = self.n_iter_ if warm else 0
        try:
            interrupted = self._train(X, y, warm, incremental)
        except BaseException:
            if not warm:
                self._forget_fit()
            raise
        # Once fitted: a warning turned into an error keeps the model.
        if interrupted:
            warnings.warn(interrupted, UserWarning, stacklevel=4)
        if not incremental:
            for message in self._training_failures(n_before):
                warnings.warn(message, ConvergenceWarning, stacklevel=4)
        return self

    def _train(self, X, y, warm, incremental):
        """Check, set up and train; the warning of an interrupt, or None."""
        data, stats = _validation.check_fit(self, X, not warm, incremental)
        codes = _labels.encode_labels(
            self, y, stats.n_samples, not warm, isinstance(data, np.ndarray)
        )
        if not incremental:
            self.max_epochs_ = _training.resolve_epochs(
                self.max_epochs, stats.n_samples
            )
        if warm:
            _validation.check_warm_start(self, stats)
        device, parallel = _training.device_and_parallel(self, stats)
        if not warm:
            self._fit_input_map(stats)
        # partial_fit continues on the fitted net's device and random stream.
        if warm and incremental:
            device, seed = str(self.net_.device), 0
        else:
            seed = _training.draw_seed(self.random_state, parallel)
        checkpoint = _training.checkpoint_path(self, parallel)
        with _training.training_context(seed, device):
            rows = _training.scaled_rows(
                data, self.input_offset_, self.input_scale_, device
            )
            train, labels, valid = _training.training_split(
                rows, codes, self, seed, incremental
            )
            net = _training.training_net(self, device, warm, incremental)
            graph = _training.training_graph(train, self, seed, labels)
            net.neighbor_term_ = _training.neighbor_term(
                net, train, graph, self, seed, warm, parallel
            )
            if labels is not None:
                net.supervision_term_ = _training.supervision_term(
                    train, labels, graph, len(self.classes_), self
                )
            writer = _training.checkpoint_writer(checkpoint, self._write)
            net.checkpoint_ = writer
            interrupted = net.run(
                (train, valid),
                parallel,
                n_epochs=1 if incremental else self.max_epochs_,
                incremental=incremental,
                owner=type(self).__name__,
            )
        self.net_ = net
        self.history_ = _model_io.history_frame(net.history)
        self.n_iter_ = len(self.history_)
        # A checkpoint written during a first fit has no count yet.
        seen = getattr(self, "n_samples_seen_", 0) if warm else 0
        self.n_samples_seen_ = seen + stats.n_samples
        if writer is not None and not incremental:
            # Early stopping may have restored an earlier epoch: the folder
            # ends with the model fit returns.
            writer(net, net.training_state())
        self._fitted_on(X)
        return interrupted

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
        y : array-like of shape (n_samples,), default=None
            Class labels of the block, used only when ``supervision_weight``
            > 0 (see :meth:`fit`; ignored otherwise, so that the placeholder
            Dask passes does no harm). The first block fixes ``classes_``:
            a later block's labels must be among them.

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
        return self._fit(X, y, incremental=True)

    def _fit_input_map(self, stats):
        """Fix the input scaling, the loss and the network's shape."""
        self.scaling_, self.input_offset_, self.input_scale_ = fit_scaling(
            stats, self.scaling
        )
        _validation.check_resolution(self, stats)
        low, high = stats.scaled_range(self.input_offset_, self.input_scale_)
        self.reconstruction_loss_ = _validation.resolve_loss(
            self.reconstruction_loss, low, high
        )
        likelihood = "bernoulli" if self.reconstruction_loss_ == "bce" else "gaussian"
        self._network_ = _validation.network_from_params(self)
        self._module_args_ = dict(
            n_features=len(stats.min), likelihood=likelihood, value_range=(low, high)
        )
        _validation.check_network_memory(self)

    def _forget_fit(self):
        for name in [k for k in vars(self) if k.endswith("_") and k[:2] != "__"]:
            delattr(self, name)

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
        _model_io.write(self, path, self.net_, self.net_.training_state(), warn=True)

    def _write(self, path, net, state):
        """Write a checkpoint: ``net``'s training ``state`` with this estimator."""
        _model_io.write(self, path, net, state, warn=False)

    # -- inference --------------------------------------------------------------

    def _map_rows(self, X, step, n_out, scale_in=False, unscale_out=False):
        """``step(module, x)`` over the rows of ``X``; see :func:`.map_rows`."""
        # Data already in [0, 1] need no map: skip its two temporary copies.
        scaling = (
            None if self.scaling_ == "none" else (self.input_offset_, self.input_scale_)
        )
        return map_rows(
            self.net_,
            X,
            step,
            n_out,
            scale_in=scaling if scale_in else None,
            unscale_out=scaling if unscale_out else None,
        )

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
        X = _validation.check_inference(self, X)
        return self._map_rows(X, self._embed, self._n_features_out, scale_in=True)

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
        X = _validation.check_embedding(self, X)
        return self._map_rows(
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
        X = _validation.check_inference(self, X)
        return self._map_rows(
            X, self._reconstruct, self.n_features_in_, scale_in=True, unscale_out=True
        )

    def score(self, X, y=None):
        """Negative mean squared reconstruction error, in the input's units.

        Higher is better, so that :class:`~sklearn.model_selection.GridSearchCV`
        can select models without labels and without a scorer.

        Unlike scikit-learn's density models (and :meth:`VAEEmbedder.score`),
        this is *not* the mean of :meth:`score_samples`: it is measured in
        the caller's units, which makes models with different ``scaling``
        or ``reconstruction_loss`` comparable, whereas ``score_samples`` is
        a log-likelihood in the model's scaled space. Compare scores only
        between estimators of one class.

        In a script started on several processes by ``torchrun`` or
        ``accelerate launch``, a grid search trains every candidate
        data-parallel under the default ``distributed="auto"`` (see
        ``distributed``).

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
        X = _validation.check_inference(self, X)
        total, size = 0.0, 0
        step, n_out = self._reconstruct, self.n_features_in_
        for _, block in chunks(X, X.shape[0] if isinstance(X, np.ndarray) else None):
            X_rec = self._map_rows(block, step, n_out, scale_in=True, unscale_out=True)
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
        X = _validation.check_inference(self, X)
        out = self._map_rows(
            X, lambda module, x: step(module, x).unsqueeze(1), 1, scale_in=True
        )
        return out[:, 0]

    @property
    def _n_features_out(self):
        # Like PCA's, it exists only after fit (get_feature_names_out checks
        # it), and it is the fitted n_components, whatever set_params said.
        check_is_fitted(self, "net_")
        return int(self._network_["n_components"])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
