"""Variational autoencoder (β-VAE) embedder."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ._base import _BaseEmbedder
from ._docstrings import Substitution, _shared_docs
from ._inference import MIN_INFERENCE_BATCH
from ._registry import register
from ._training import KLWarmup
from ._validation import check_memory, check_n_samples
from .nn import VariationalAutoEncoder

# Below this KL per latent dimension (in nats), at the end of training, the
# posterior has collapsed onto the prior: the code carries next to nothing.
_COLLAPSED_KL = 0.01


@register
@Substitution(**_shared_docs)
class VAEEmbedder(_BaseEmbedder):
    """Variational autoencoder (β-VAE) as a scikit-learn transformer.

    The encoder maps a row to a Gaussian posterior over the latent space,
    which a KL term pulls towards a standard normal prior; the decoder maps
    latent points back to the input. ``transform`` returns the posterior
    mean, so the embedding is deterministic; ``inverse_transform`` decodes
    latent points to the input's units and :meth:`sample` decodes draws from
    the prior. :meth:`score` is the evidence lower bound (ELBO), so that a
    grid search needs neither labels nor a scorer.

    Parameters
    ----------
    {n_components}

    beta : float, default=1.0
        Weight of the KL term in the training loss. 1 is the plain VAE;
        larger values give a smoother, more prior-like latent space at the
        cost of reconstruction, smaller values approach a plain autoencoder.

    kl_warmup_epochs : int, default=0
        Number of epochs over which the KL weight rises linearly from 0 to
        ``beta``, against posterior collapse (the decoder learning to ignore
        the latent code). 0 trains with the full weight from the start.
        Validation losses always use the full weight, so that early stopping
        compares like with like; the training loss grows during the warm-up,
        so with ``early_stopping=False`` keep ``n_iter_no_change`` above the
        warm-up or set ``tol=None``.

    {network}

    {data}

    {training}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    DenoisingAEEmbedder : Deterministic autoencoder trained to undo noise.
    VQVAEEmbedder : Autoencoder with a discrete codebook.
    sklearn.decomposition.PCA : The linear baseline.

    Notes
    -----
    ``history_`` records two loss terms per epoch: ``reconstruction``, the
    negative log-likelihood of a row summed over features, and ``kl``, the
    KL divergence of the posterior from the prior summed over latent
    dimensions and not weighted by ``beta``; with a warm-up, ``kl_weight``
    holds each epoch's factor. Training terms decode a draw from the
    posterior; validation terms decode its mean, as :meth:`score_samples`
    does.

    References
    ----------
    .. [1] D. P. Kingma and M. Welling, "Auto-encoding variational Bayes",
       ICLR 2014.
    .. [2] I. Higgins et al., "β-VAE: Learning basic visual concepts with a
       constrained variational framework", ICLR 2017.
    .. [3] S. R. Bowman et al., "Generating sentences from a continuous
       space", CoNLL 2016 (KL warm-up).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from aembed import VAEEmbedder
    >>> X, _ = load_digits(return_X_y=True)
    >>> emb = VAEEmbedder(n_components=2, max_epochs=5, random_state=0)
    >>> emb.fit_transform(X).shape
    (1797, 2)
    >>> emb.sample(4, random_state=0).shape
    (4, 64)
    >>> emb.score_samples(X[:3]).shape
    (3,)
    """

    _callback_names = (*_BaseEmbedder._callback_names, "kl_warmup")

    _parameter_constraints: dict = {
        **_BaseEmbedder._parameter_constraints,
        "beta": [Interval(Real, 0, None, closed="left")],
        "kl_warmup_epochs": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_components=2,
        *,
        beta=1.0,
        kl_warmup_epochs=0,
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
        super().__init__(
            n_components=n_components,
            hidden_layer_sizes=hidden_layer_sizes,
            image_shape=image_shape,
            activation=activation,
            scaling=scaling,
            reconstruction_loss=reconstruction_loss,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            lr_schedule=lr_schedule,
            weight_decay=weight_decay,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            callbacks=callbacks,
            warm_start=warm_start,
            checkpoint_dir=checkpoint_dir,
            neighbor_weight=neighbor_weight,
            n_neighbors=n_neighbors,
            teacher_weight=teacher_weight,
            augment=augment,
            device=device,
            distributed=distributed,
            mixed_precision=mixed_precision,
            verbose=verbose,
            random_state=random_state,
        )
        self.beta = beta
        self.kl_warmup_epochs = kl_warmup_epochs

    def _build_module(self, network, n_features, likelihood, value_range):
        n_latent = network["n_components"]
        encoder, decoder = self._encoder_decoder(network, n_features, 2 * n_latent)
        return VariationalAutoEncoder(
            encoder, decoder, likelihood, n_latent=n_latent, beta=self.beta
        )

    def _training_failures(self, n_before):
        messages = super()._training_failures(n_before)
        if len(self.history_) == n_before:
            return messages
        # The ramp counts every epoch of the history, warm fits' included.
        run = len(self.history_)
        if run <= self.kl_warmup_epochs:
            messages.append(
                f"The KL warm-up (kl_warmup_epochs={self.kl_warmup_epochs}) "
                f"outlasted training ({run} epochs): the last epoch weighed the "
                f"KL term by {self.history_['kl_weight'].iloc[-1]:.2g}, so the "
                "model is not the β-VAE asked for (its codes are barely "
                "regularised). Lower kl_warmup_epochs or raise max_epochs."
            )
        kl = self.history_["train_kl"].iloc[-1] / self._n_features_out
        if kl < _COLLAPSED_KL:
            messages.append(
                "The posterior collapsed onto the prior: the KL term ended at "
                f"{kl:.2g} nats per latent dimension, so the decoder barely uses "
                "the codes (reconstructions and samples are close to the mean row, "
                "and the embedding spans a small part of the prior). Train longer "
                "(max_epochs), raise kl_warmup_epochs, or lower beta "
                f"(beta={self.beta})."
            )
        return messages

    def _extra_callbacks(self):
        if self.kl_warmup_epochs == 0:
            return []
        return [("kl_warmup", KLWarmup(self.kl_warmup_epochs))]

    def score_samples(self, X):
        """Evidence lower bound (ELBO) of every row; higher is better.

        ``-(reconstruction NLL + KL)``, computed in the model's scaled input
        space (see ``scaling``) and not weighted by ``beta``. The
        reconstruction term decodes the posterior mean, a deterministic
        one-point estimate of its expectation, so the value is close to the
        ELBO but not strictly a bound. With ``reconstruction_loss="bce"``
        (data in [0, 1]) it is at most 0; with ``"mse"`` the constant
        ``-0.5 * log(2 * pi)`` per feature of the unit-variance Gaussian is
        left out.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units seen in :term:`fit`.

        Returns
        -------
        elbo : ndarray of shape (n_samples,), float32
            The ELBO of each row, in nats.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from aembed import VAEEmbedder
        >>> X, _ = load_digits(return_X_y=True)
        >>> emb = VAEEmbedder(max_epochs=2, random_state=0).fit(X[:300])
        >>> emb.score_samples(X[:3]).shape
        (3,)
        """
        return self._per_row(X, lambda module, x: module.elbo(x))

    def score(self, X, y=None):
        """Mean evidence lower bound (ELBO) per row; higher is better.

        The mean of :meth:`score_samples`, so that
        :class:`~sklearn.model_selection.GridSearchCV` can compare
        ``n_components`` and ``beta`` without labels and without a scorer.
        This is the one estimator whose ``score`` is the mean of
        ``score_samples``, as for scikit-learn's density models;
        :meth:`DenoisingAEEmbedder.score` and :meth:`VQVAEEmbedder.score` are
        the negative mean squared reconstruction error in the input's
        units. In a script started on several processes by ``torchrun`` or
        ``accelerate launch``, a grid search trains every candidate
        data-parallel under the default ``distributed="auto"`` (see
        ``distributed``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units seen in :term:`fit`.
        y : None
            Ignored.

        Returns
        -------
        score : float
            The mean ELBO, in nats per row.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from aembed import VAEEmbedder
        >>> X, _ = load_digits(return_X_y=True)
        >>> emb = VAEEmbedder(max_epochs=2, random_state=0).fit(X[:300])
        >>> isinstance(emb.score(X[300:]), float)
        True
        """
        return float(np.mean(self.score_samples(X), dtype=np.float64))

    def sample(self, n_samples=1, random_state=None):
        """Decode draws from the standard normal prior.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples.
        random_state : int, RandomState instance or None, default=None
            Seeds the draws; PyTorch's global random state is not used.

        Returns
        -------
        X : ndarray of shape (n_samples, `n_features_in_`), float32
            The decoder's means (pixel intensities for ``"bce"``), in the
            units of the data seen in :term:`fit`.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from aembed import VAEEmbedder
        >>> X, _ = load_digits(return_X_y=True)
        >>> emb = VAEEmbedder(max_epochs=2, random_state=0).fit(X[:300])
        >>> emb.sample(5, random_state=0).shape
        (5, 64)
        """
        check_is_fitted(self)
        check_n_samples(n_samples)
        n_features, n_latent = self.n_features_in_, self._n_features_out
        check_memory(
            n_samples * n_features * 4,
            f"sample({n_samples}) would return",
            "draw fewer samples at a time.",
        )
        rng = check_random_state(random_state)
        out = np.empty((n_samples, n_features), dtype=np.float32)
        # Drawn and decoded in chunks (the same draws as all at once), each
        # through inverse_transform's row map.
        chunk = max(self.batch_size, MIN_INFERENCE_BATCH)
        for start in range(0, n_samples, chunk):
            stop = min(start + chunk, n_samples)
            z = rng.standard_normal((stop - start, n_latent)).astype(np.float32)
            out[start:stop] = self.inverse_transform(z)
        return out
