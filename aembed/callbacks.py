"""Training callbacks for the aembed estimators."""

from numbers import Integral

import numpy as np
import torch
from sklearn.utils import check_array
from skorch.callbacks import Callback

from ._inference import map_rows
from ._inputs import as_array
from ._scaling import apply_scaling
from .nn._random import forked_stream


class LatentSnapshots(Callback):
    """Record the embedding and reconstruction of fixed rows during training.

    Pass an instance in an estimator's ``callbacks``; after ``fit`` it holds
    one snapshot per recorded epoch, from which the figures of the latent
    space evolving over epochs and of reconstructions improving are drawn
    (:func:`aembed.plotting.save_animation`).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Rows to follow, in the units the estimator is fitted on. Keep it
        small (a few hundred rows for the latent space). Checked, with
        ``every`` and ``n_reconstructions``, before the first epoch.
    every : int, default=1
        Record every ``every``-th epoch, at least 1 (the last epoch is
        always recorded).
    n_reconstructions : int, default=8
        How many of the first rows of ``X`` to reconstruct at each snapshot.

    Attributes
    ----------
    epochs_ : list of int
        The recorded epochs.
    embeddings_ : list of ndarray of shape (n_samples, n_components)
        The embedding of ``X`` at each recorded epoch.
    reconstructions_ : list of ndarray of shape (n_reconstructions, n_features)
        Reconstructions of the first rows, in the caller's units.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from aembed import DenoisingAEEmbedder
    >>> from aembed.callbacks import LatentSnapshots
    >>> X, _ = load_digits(return_X_y=True)
    >>> snapshots = LatentSnapshots(X[:100], every=2)
    >>> emb = DenoisingAEEmbedder(max_epochs=5, callbacks=[snapshots], random_state=0)
    >>> emb = emb.fit(X)
    >>> snapshots.epochs_, snapshots.embeddings_[0].shape
    ([2, 4, 5], (100, 2))
    """

    def __init__(self, X, every=1, n_reconstructions=8):
        self.X = X
        self.every = every
        self.n_reconstructions = n_reconstructions

    def initialize(self):
        # Called when the estimator builds its net, before any training.
        for name, low in (("every", 1), ("n_reconstructions", 0)):
            value = getattr(self, name)
            if not isinstance(value, Integral) or isinstance(value, bool):
                raise TypeError(
                    f"LatentSnapshots: {name} must be an int, got {value!r}."
                )
            if value < low:
                raise ValueError(
                    f"LatentSnapshots: {name} must be at least {low}, got {value}."
                )
        self.X_ = check_array(
            as_array(self.X, "LatentSnapshots X"),
            dtype=np.float32,
            input_name="LatentSnapshots X",
        )
        return super().initialize()

    def on_train_begin(self, net, **kwargs):
        n_features = len(net.input_scaling_[0])
        if self.X_.shape[1] != n_features:
            raise ValueError(
                f"LatentSnapshots X has {self.X_.shape[1]} features, but the "
                f"estimator is fitted on {n_features}."
            )
        self.epochs_, self.embeddings_, self.reconstructions_ = [], [], []

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        if epoch % self.every and epoch != net.max_epochs:
            return
        self._record(net, epoch)

    def on_train_end(self, net, **kwargs):
        # Early stopping may end before max_epochs or restore an earlier
        # epoch's weights: the final state is always the last snapshot.
        epoch = len(net.history)
        if self.epochs_ and self.epochs_[-1] == epoch:
            self.epochs_.pop()
            self.embeddings_.pop()
            self.reconstructions_.pop()
        self._record(net, epoch)

    def _record(self, net, epoch):
        scaling = net.input_scaling_
        z = map_rows(net, self.X_, _embed, None, scale_in=scaling, check_finite=False)
        x_rec = map_rows(
            net,
            z[: self.n_reconstructions],
            _decode,
            self.X_.shape[1],
            unscale_out=scaling,
            check_finite=False,
        )
        self.epochs_.append(epoch)
        self.embeddings_.append(z)
        self.reconstructions_.append(x_rec)


class ValidationLoss(Callback):
    """Record the loss terms on rows held out from training, every epoch.

    The estimators' own validation set (``early_stopping=True``) changes
    what is trained: the held-out share is taken from ``X`` and the best
    validation epoch is kept. This callback only watches: the rows it
    scores are given apart from the training data, and training runs
    exactly as without it (the evaluation draws no random numbers from the
    training stream). Each term the model reports is recorded in
    ``history_`` as ``valid_<term>`` (``valid_loss``,
    ``valid_reconstruction``, and ``valid_kl`` for the VAE), computed in
    evaluation mode as the estimators' own validation is; the
    neighbour-preserving term, a property of the training graph, is not.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Rows not in the training data, in the units the estimator is fitted
        on.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from aembed import VAEEmbedder
    >>> from aembed.callbacks import ValidationLoss
    >>> X, _ = load_digits(return_X_y=True)
    >>> vae = VAEEmbedder(max_epochs=3, callbacks=[ValidationLoss(X[:100])],
    ...                   random_state=0).fit(X[100:600])
    >>> sorted(c for c in vae.history_.columns if c.startswith("valid_"))
    ['valid_kl', 'valid_loss', 'valid_reconstruction']
    """

    def __init__(self, X):
        self.X = X

    def initialize(self):
        # Called when the estimator builds its net, before any training: a
        # NaN or infinite row would make every recorded loss NaN.
        self.X_ = check_array(
            as_array(self.X, "ValidationLoss X"),
            dtype=np.float32,
            input_name="ValidationLoss X",
        )
        return super().initialize()

    def on_train_begin(self, net, X=None, **kwargs):
        # The net's data is (train, valid); a valid set means the estimator
        # holds out its own rows and records valid_* itself.
        if isinstance(X, tuple) and X[1] is not None:
            raise ValueError(
                "ValidationLoss records valid_* columns, which early_stopping=True "
                "already records on its own validation share; use one or the other."
            )
        offset, scale = net.input_scaling_
        if self.X_.shape[1] != len(offset):
            raise ValueError(
                f"ValidationLoss X has {self.X_.shape[1]} features, but the "
                f"estimator is fitted on {len(offset)}."
            )
        self.rows_ = torch.from_numpy(apply_scaling(self.X_, offset, scale))

    def on_epoch_end(self, net, **kwargs):
        # The net's own validation epoch, on these rows; it must not draw
        # from the training's random stream.
        was_training = net.module_.training
        with forked_stream():
            net.run_single_epoch(
                net.get_iterator(self.rows_, training=False),
                training=False,
                prefix="valid",
                step_fn=net.validation_step,
            )
        net.module_.train(was_training)

    def on_train_end(self, net, **kwargs):
        # The scaled copy is working memory, not a result.
        self.rows_ = None


def _embed(module, x):
    return module.embed(x)


def _decode(module, z):
    return module.decode(z)
