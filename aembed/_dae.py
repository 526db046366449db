"""Denoising autoencoder embedder."""

from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import _BaseEmbedder
from ._docstrings import Substitution, _shared_docs
from ._registry import register
from .nn import NOISE_TYPES, DenoisingAutoEncoder


@register
@Substitution(**_shared_docs)
class DenoisingAEEmbedder(_BaseEmbedder):
    """Denoising autoencoder as a scikit-learn transformer.

    The encoder learns to map a corrupted row to a code from which the
    decoder restores the clean row; ``transform`` encodes clean rows and
    ``inverse_transform`` decodes codes back to the input's units. The
    corruption is applied only while training.

    Parameters
    ----------
    {n_components}

    noise : {{"gaussian", "masking", "salt_and_pepper"}}, default="gaussian"
        Corruption applied to the (scaled) training rows: additive Gaussian
        noise, entries set to zero (dropped pixels), or entries set to the
        minimum or maximum of the scaled training data.

    noise_level : float, default=0.1
        Standard deviation of the Gaussian noise, in scaled units, or the
        probability (at most 1) that an entry is masked or salted. 0 trains
        a plain autoencoder.

    {network}

    {data}

    {training}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    VAEEmbedder : Variational autoencoder with a Gaussian latent space.
    VQVAEEmbedder : Autoencoder with a discrete codebook.
    sklearn.decomposition.PCA : The linear baseline.

    References
    ----------
    .. [1] P. Vincent, H. Larochelle, Y. Bengio and P.-A. Manzagol,
       "Extracting and composing robust features with denoising
       autoencoders", ICML 2008.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from aembed import DenoisingAEEmbedder
    >>> X, _ = load_digits(return_X_y=True)
    >>> emb = DenoisingAEEmbedder(n_components=2, max_epochs=5, random_state=0)
    >>> emb.fit_transform(X).shape
    (1797, 2)
    >>> emb.inverse_transform(emb.transform(X[:3])).shape
    (3, 64)
    """

    _parameter_constraints: dict = {
        **_BaseEmbedder._parameter_constraints,
        "noise": [StrOptions(set(NOISE_TYPES))],
        "noise_level": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_components=2,
        *,
        noise="gaussian",
        noise_level=0.1,
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
        self.noise = noise
        self.noise_level = noise_level

    def _check_objective_params(self):
        if self.noise != "gaussian" and self.noise_level > 1:
            raise ValueError(
                f"noise_level={self.noise_level} is the probability that "
                f"noise={self.noise!r} hits an entry, so it must lie in [0, 1]."
            )

    def _build_module(self, network, n_features, likelihood, value_range):
        encoder, decoder = self._encoder_decoder(
            network, n_features, network["n_components"]
        )
        return DenoisingAutoEncoder(
            encoder,
            decoder,
            likelihood,
            noise=self.noise,
            noise_level=self.noise_level,
            value_range=value_range,
        )
