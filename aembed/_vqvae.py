"""Vector-quantised autoencoder (VQ-VAE) embedder."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import _BaseEmbedder
from ._docstrings import Substitution, _shared_docs
from ._registry import register
from ._training import CodebookUsage
from .nn import VectorQuantizedAutoEncoder


@register
@Substitution(**_shared_docs)
class VQVAEEmbedder(_BaseEmbedder):
    """Vector-quantised autoencoder (VQ-VAE) as a scikit-learn transformer.

    The encoder maps a row to a point of the embedding space, which is
    snapped to the nearest of ``n_codes`` learned codes before decoding;
    gradients pass the snap by the straight-through estimator. The codebook
    follows the encoder by exponential moving averages, and codes that fall
    out of use are restarted at encoder outputs, against codebook collapse.

    ``transform`` returns the continuous encoder output (or the code, with
    ``quantize=True``), :meth:`predict` the index of each row's code, so the
    estimator doubles as a clusterer with ``n_codes`` clusters
    (:func:`sklearn.base.is_clusterer` is true), and
    ``inverse_transform`` snaps points to their codes and decodes them.

    Parameters
    ----------
    {n_components}

    n_codes : int, default=1024
        Number of codes in the codebook, and so the number of clusters of
        :meth:`predict`, :meth:`fit_predict` and ``labels_`` (as
        ``n_clusters`` is for :class:`~sklearn.cluster.KMeans`).
        Reconstructions can take at most ``n_codes`` distinct values. The
        default is a fine quantiser, made for reconstruction: dead-code
        restarts keep most of the 1,024 codes in use, so ``fit_predict``
        splits the rows into up to 1,024 small clusters. To cluster, set
        ``n_codes`` to the number of clusters wanted (``n_codes=10`` for
        the ten digits).

    commitment_cost : float, default=0.25
        Weight of the commitment term, the squared distance between the
        encoder output and its code, which keeps the encoder close to the
        codebook.

    quantize : bool, default=False
        Whether ``transform`` returns each row's code (a point of the
        codebook) instead of the continuous encoder output. Training is the
        same either way.

    {network}

    {data}

    {training}

    Attributes
    ----------
    {attributes}

    codebook_ : ndarray of shape (n_codes, n_components)
        The learned codes, in the embedding space.

    labels_ : ndarray of shape (n_samples,), int64
        The code of every row of the last :term:`fit`, as :meth:`predict`
        gives it: the codes are a clustering of the rows.

    See Also
    --------
    DenoisingAEEmbedder : Deterministic autoencoder trained to undo noise.
    VAEEmbedder : Variational autoencoder with a Gaussian latent space.
    sklearn.cluster.KMeans : Clustering with a codebook in the input space.

    Notes
    -----
    ``history_`` records the loss terms ``reconstruction`` and
    ``commitment`` per epoch, and the codebook's health over each epoch's
    training rows: ``train_perplexity``, the exponential of the entropy of
    code use (``n_codes`` when all codes are used equally, 1 when one code
    takes everything), and ``train_code_usage``, the share of codes used at
    least once.

    References
    ----------
    .. [1] A. van den Oord, O. Vinyals and K. Kavukcuoglu, "Neural discrete
       representation learning", NeurIPS 2017.
    .. [2] P. Dhariwal et al., "Jukebox: A generative model for music",
       2020 (restarting dead codes).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from aembed import VQVAEEmbedder
    >>> X, _ = load_digits(return_X_y=True)
    >>> emb = VQVAEEmbedder(n_components=2, n_codes=32, max_epochs=5,
    ...                     random_state=0)
    >>> emb.fit_transform(X).shape
    (1797, 2)
    >>> emb.predict(X[:3]).shape
    (3,)
    >>> emb.codebook_.shape
    (32, 2)

    As a clusterer, with as many codes as clusters wanted:

    >>> clusterer = VQVAEEmbedder(n_codes=10, max_epochs=5, random_state=0)
    >>> labels = clusterer.fit_predict(X)
    >>> labels.shape, int(labels.max()) < 10
    ((1797,), True)
    """

    _network_params = (*_BaseEmbedder._network_params, "n_codes")
    _callback_names = (*_BaseEmbedder._callback_names, "codebook_usage")

    _parameter_constraints: dict = {
        **_BaseEmbedder._parameter_constraints,
        "n_codes": [Interval(Integral, 1, None, closed="left")],
        "commitment_cost": [Interval(Real, 0, None, closed="left")],
        "quantize": ["boolean"],
    }

    def __init__(
        self,
        n_components=2,
        *,
        n_codes=1024,
        commitment_cost=0.25,
        quantize=False,
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
            supervision_weight=supervision_weight,
            device=device,
            distributed=distributed,
            mixed_precision=mixed_precision,
            verbose=verbose,
            random_state=random_state,
        )
        self.n_codes = n_codes
        self.commitment_cost = commitment_cost
        self.quantize = quantize

    def _build_module(self, network, n_features, likelihood, value_range):
        n_latent = network["n_components"]
        encoder, decoder = self._encoder_decoder(network, n_features, n_latent)
        return VectorQuantizedAutoEncoder(
            encoder,
            decoder,
            likelihood,
            n_latent=n_latent,
            n_codes=network["n_codes"],
            commitment_cost=self.commitment_cost,
        )

    def _extra_callbacks(self):
        return [("codebook_usage", CodebookUsage())]

    def _embed(self, module, x):
        z = module.embed(x)
        return module.quantize(z) if self.quantize else z

    def _fitted_on(self, X):
        self.labels_ = self.predict(X)

    def fit_predict(self, X, y=None):
        """Fit, then return the code of every training row: ``labels_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, as for :meth:`fit`.
        y : None
            Ignored.

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64
            Indices into ``codebook_``, the clusters of the rows.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from aembed import VQVAEEmbedder
        >>> X, _ = load_digits(return_X_y=True)
        >>> emb = VQVAEEmbedder(n_codes=16, max_epochs=2, random_state=0)
        >>> emb.fit_predict(X[:300]).shape
        (300,)
        """
        return self.fit(X).labels_

    def predict(self, X):
        """Index of the code each row is encoded to.

        The nearest code (in Euclidean distance) of the continuous
        embedding ``transform`` returns with ``quantize=False``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units seen in :term:`fit`.

        Returns
        -------
        codes : ndarray of shape (n_samples,), int64
            Indices into ``codebook_``.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from aembed import VQVAEEmbedder
        >>> X, _ = load_digits(return_X_y=True)
        >>> emb = VQVAEEmbedder(n_codes=16, max_epochs=2, random_state=0)
        >>> codes = emb.fit(X[:300]).predict(X[:5])
        >>> codes.shape, bool((codes < 16).all())
        ((5,), True)
        """
        # Passing through float32 is exact for indices below 2**24.
        codes = self._per_row(X, lambda module, x: module.predict(x))
        return codes.astype(np.int64)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A clusterer by role (predict, fit_predict, labels_), as
        # sklearn.base.is_clusterer reports. Not a ClusterMixin: the common
        # checks of that mixin want labels numbered 0 to k - 1 by use, where
        # these index the codebook (the codes in use are any of n_codes).
        tags.estimator_type = "clusterer"
        return tags

    @property
    def codebook_(self):
        return self.net_.module_.quantizer.codebook.detach().cpu().numpy().copy()
