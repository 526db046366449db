"""The shared base of the aembed estimators.

A plain scikit-learn transformer that builds a private skorch net in ``fit``.
Everything the estimators share lives here once: parameter and data
validation, input scaling, seeding, devices, batched inference, history,
early stopping and scoring. A subclass adds its parameters and builds its
PyTorch module in ``_build_module``.
"""

import contextlib
from numbers import Integral, Real

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
from skorch.callbacks import EarlyStopping

from ._net import EmbedderNet, EpochProgressBar
from ._scaling import apply_scaling, fit_scaling, undo_scaling
from .nn import ACTIVATIONS

_MIN_INFERENCE_BATCH = 4096


def _resolve_device(device):
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        reason = (
            "this PyTorch build has no CUDA support"
            if torch.version.cuda is None
            else "no CUDA device is visible"
        )
        raise ValueError(
            f"device='cuda' was requested but {reason}; use device='cpu' or 'auto'."
        )
    return device


@contextlib.contextmanager
def _training_context(seed, device):
    """Seeded, denormal-free torch state that leaves the caller's untouched.

    MNIST-like data (many exact zeros) drive Adam's moment estimates into
    subnormal floats, which make CPU epochs much slower; flushing them to
    zero costs no accuracy. PyTorch cannot report the flag's previous value,
    so it is restored to its default, off.
    """
    cuda_devices = [torch.device(device)] if device.startswith("cuda") else []
    with torch.random.fork_rng(devices=cuda_devices):
        torch.manual_seed(seed)
        torch.set_flush_denormal(True)
        try:
            yield
        finally:
            torch.set_flush_denormal(False)


def _history_frame(history):
    skip = {"batches", "train_batch_count", "valid_batch_count"}
    rows = [{k: v for k, v in row.items() if k not in skip} for row in history]
    frame = pd.DataFrame(rows).set_index("epoch")
    first = ["train_loss", "valid_loss"]
    ordered = [c for c in first if c in frame] + sorted(
        c for c in frame if c not in first and c != "dur"
    )
    return frame[ordered + ["dur"]]


class _BaseEmbedder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Base class of the autoencoder embedders. Not for direct use."""

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like"],
        "image_shape": ["array-like", None],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "scaling": [StrOptions({"auto", "minmax", "standard"}), None],
        "reconstruction_loss": [StrOptions({"auto", "bce", "mse"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "callbacks": [list, None],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(512, 256),
        image_shape=None,
        activation="relu",
        scaling="auto",
        reconstruction_loss="auto",
        max_epochs=100,
        batch_size=128,
        lr=1e-3,
        weight_decay=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        callbacks=None,
        device="cpu",
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
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.callbacks = callbacks
        self.device = device
        self.verbose = verbose
        self.random_state = random_state

    # -- hooks for subclasses -------------------------------------------------

    def _build_module(self, n_features, likelihood, value_range):
        """Return the PyTorch module; see :mod:`aembed.nn` for its interface."""
        raise NotImplementedError

    def _extra_callbacks(self):
        """skorch callbacks the objective needs (e.g. a KL warm-up)."""
        return []

    # -- fitting --------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; any numeric table (see ``scaling``).
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X = validate_data(self, X, dtype=np.float32)
        X = np.require(X, requirements=["C", "W"])
        self._check_params_against_data(X)
        device = _resolve_device(self.device)

        self.scaling_, self.input_offset_, self.input_scale_ = fit_scaling(
            X, self.scaling
        )
        Xs = apply_scaling(X, self.input_offset_, self.input_scale_)
        self.reconstruction_loss_ = self._resolve_loss(Xs)
        likelihood = "bernoulli" if self.reconstruction_loss_ == "bce" else "gaussian"
        value_range = (float(Xs.min()), float(Xs.max()))

        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        with _training_context(seed, device):
            train, valid = self._split(torch.from_numpy(Xs), seed)
            module = self._build_module(X.shape[1], likelihood, value_range)
            self.net_ = EmbedderNet(
                module=module,
                criterion=torch.nn.Identity,
                optimizer=torch.optim.AdamW,
                optimizer__weight_decay=self.weight_decay,
                lr=self.lr,
                max_epochs=self.max_epochs,
                batch_size=self.batch_size,
                train_split=None,
                callbacks=self._callbacks(),
                device=device,
                verbose=int(self.verbose >= 2),
            )
            # Callbacks that look at data in the caller's units need the map.
            self.net_.input_scaling_ = (self.input_offset_, self.input_scale_)
            self.net_.fit((train, valid))
        self.net_.module_.eval()
        self.history_ = _history_frame(self.net_.history)
        self.n_iter_ = len(self.history_)
        return self

    def _check_params_against_data(self, X):
        n_features = X.shape[1]
        shape = self._image_shape()
        if shape is not None and int(np.prod(shape)) != n_features:
            raise ValueError(
                f"image_shape={tuple(self.image_shape)} holds {int(np.prod(shape))} "
                f"values per image, but X has {n_features} features."
            )
        if any(not isinstance(h, Integral) or h < 1 for h in self.hidden_layer_sizes):
            raise ValueError(
                "hidden_layer_sizes must be positive integers, got "
                f"{self.hidden_layer_sizes!r}."
            )
        if self.early_stopping and X.shape[0] < 2:
            raise ValueError(
                "early_stopping=True needs at least 2 samples to hold out a "
                f"validation set, got {X.shape[0]}; set early_stopping=False."
            )

    def _image_shape(self):
        """``image_shape`` as ``(channels, height, width)``, or None."""
        if self.image_shape is None:
            return None
        shape = tuple(self.image_shape)
        if len(shape) == 2:
            shape = (1, *shape)
        if len(shape) != 3 or any(not isinstance(s, Integral) or s < 1 for s in shape):
            raise ValueError(
                "image_shape must be (height, width) or (channels, height, width) "
                f"of positive integers, got {self.image_shape!r}."
            )
        return shape

    def _resolve_loss(self, Xs):
        if self.reconstruction_loss != "auto":
            if self.reconstruction_loss == "bce" and (Xs.min() < 0 or Xs.max() > 1):
                raise ValueError(
                    "reconstruction_loss='bce' needs data in [0, 1] after scaling, "
                    f"got values in [{Xs.min():.3g}, {Xs.max():.3g}]; use "
                    "scaling='minmax' or reconstruction_loss='mse'."
                )
            return self.reconstruction_loss
        return "bce" if Xs.min() >= 0 and Xs.max() <= 1 else "mse"

    def _split(self, X, seed):
        if not self.early_stopping:
            return X, None
        n_valid = max(1, int(round(self.validation_fraction * len(X))))
        n_valid = min(n_valid, len(X) - 1)
        order = torch.from_numpy(np.random.default_rng(seed).permutation(len(X)))
        return X[order[n_valid:]], X[order[:n_valid]]

    def _callbacks(self):
        callbacks = list(self._extra_callbacks())
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
        if self.verbose:
            callbacks.append(("progress", EpochProgressBar(self.max_epochs)))
        return callbacks + list(self.callbacks or [])

    # -- inference --------------------------------------------------------------

    def _map_batches(self, X, step, n_out, scale_in=False, unscale_out=False):
        """Apply ``step`` to chunks of ``X``; memory bounded by the chunk size."""
        module = self.net_.module_
        module.eval()
        device = self.net_.device
        out = np.empty((X.shape[0], n_out), dtype=np.float32)
        chunk = max(self.batch_size, _MIN_INFERENCE_BATCH)
        with torch.inference_mode():
            for start in range(0, X.shape[0], chunk):
                block = X[start : start + chunk]
                if scale_in:
                    block = apply_scaling(block, self.input_offset_, self.input_scale_)
                block = np.ascontiguousarray(block, dtype=np.float32)
                result = step(module, torch.from_numpy(block).to(device))
                result = result.cpu().numpy()
                if unscale_out:
                    result = undo_scaling(result, self.input_offset_, self.input_scale_)
                out[start : start + chunk] = result
        if not np.isfinite(out).all():
            raise ValueError(
                "The network produced non-finite values; the input is likely far "
                "outside the range of the training data."
            )
        return out

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
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float32, np.float64])
        return self._map_batches(X, self._embed, self.n_components, scale_in=True)

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
        X = check_array(X, dtype=[np.float32, np.float64], input_name="X")
        if X.shape[1] != self.n_components:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__}."
                f"inverse_transform expects n_components={self.n_components} "
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
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float32, np.float64])
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
        X_rec = self.reconstruct(X)
        X = validate_data(self, X, reset=False, dtype=[np.float32, np.float64])
        return -float(np.mean((X - X_rec) ** 2, dtype=np.float64))

    @property
    def _n_features_out(self):
        return self.n_components

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def _silent(*args, **kwargs):
    pass
