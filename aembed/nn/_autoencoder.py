"""The autoencoder modules: a shared base and the denoising autoencoder.

Every model exposes the same small interface, which the estimators rely on:
``embed(x)`` (the deterministic embedding ``transform`` returns),
``decode(z)`` (reconstructions in the model's input space) and
``loss_terms(x)`` (a dict of scalar tensors whose ``"loss"`` entry is the
training objective and whose other entries are its components, averaged over
the batch), ``loss_terms_and_embedding(x)``, both at once, and ``forward``,
the training step's pass, which returns what the step needs (the loss terms;
with the neighbour-preserving term the embeddings of the batch and of its
sampled neighbours; with a classification ``head``, its logits for labelled
rows) so that hooks, ``torch.compile`` and DistributedDataParallel see the
whole step. Pure PyTorch: nothing here
imports scikit-learn or skorch.
"""

import torch
import torch.nn.functional as F
from torch import nn

from ._random import rand_like, randn_like

NOISE_TYPES = ("gaussian", "masking", "salt_and_pepper")


class AutoEncoder(nn.Module):
    """Encoder, decoder and a reconstruction likelihood.

    Parameters
    ----------
    encoder : torch.nn.Module
        Maps a batch ``(n, n_features)`` to ``(n, n_latent)``.
    decoder : torch.nn.Module
        Maps ``(n, n_latent)`` back to ``(n, n_features)`` (linear output).
    likelihood : {"bernoulli", "gaussian"}
        ``"bernoulli"`` reads the decoder output as logits (binary
        cross-entropy, for data in [0, 1]); ``"gaussian"`` as means with unit
        variance (half the squared error).

    Attributes
    ----------
    head : torch.nn.Module or None
        A classifier of the embedding (``(n, n_latent)`` to class logits),
        which :meth:`forward` applies to labelled rows; None (the default)
        for a model trained without labels. See :func:`classifier_head`.

    See Also
    --------
    DenoisingAutoEncoder : Trained to undo a corruption of its input.
    VariationalAutoEncoder : A Gaussian posterior and a KL term.
    VectorQuantizedAutoEncoder : A codebook of discrete codes.

    Examples
    --------
    >>> import torch
    >>> from aembed.nn import AutoEncoder, MLPDecoder, MLPEncoder
    >>> model = AutoEncoder(MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)),
    ...                     "bernoulli")
    >>> x = torch.rand(4, 6)
    >>> model.embed(x).shape, model.decode(model.embed(x)).shape
    (torch.Size([4, 2]), torch.Size([4, 6]))
    """

    def __init__(self, encoder, decoder, likelihood):
        super().__init__()
        if likelihood not in ("bernoulli", "gaussian"):
            raise ValueError(f"unknown likelihood {likelihood!r}")
        self.encoder = encoder
        self.decoder = decoder
        self.likelihood = likelihood
        self.head = None

    def forward(self, x, tails=None, labelled=None):
        """The training step's pass over a batch.

        Parameters
        ----------
        x : torch.Tensor of shape (n, n_features)
            A batch in the model's input space.
        tails : torch.Tensor of shape (m, n_features), default=None
            Rows whose embedding the step needs as well (the sampled
            neighbours of the neighbour-preserving term).
        labelled : torch.Tensor of shape (k, n_features), default=None
            Labelled rows, for a model with a ``head``.

        Returns
        -------
        out : dict of str to torch.Tensor
            :meth:`loss_terms` of ``x``; with ``tails``, also
            ``"embedding"``, the batch's embedding (:meth:`embed`, from the
            same encoder pass as the loss where the model allows), and
            ``"tail_embedding"``, that of ``tails``; with ``labelled``,
            ``"logits"``, the head's output for their embedding.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import AutoEncoder, MLPDecoder, MLPEncoder
        >>> model = AutoEncoder(MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)),
        ...                     "bernoulli")
        >>> sorted(model(torch.rand(4, 6)))
        ['loss', 'reconstruction']
        >>> out = model(torch.rand(4, 6), tails=torch.rand(3, 6))
        >>> out["embedding"].shape, out["tail_embedding"].shape
        (torch.Size([4, 2]), torch.Size([3, 2]))
        """
        if tails is None:
            out = self.loss_terms(x)
        else:
            terms, z = self.loss_terms_and_embedding(x)
            out = {**terms, "embedding": z, "tail_embedding": self.embed(tails)}
        if labelled is not None:
            out["logits"] = self.head(self.embed(labelled))
        return out

    def embed(self, x):
        """The deterministic embedding of ``x``.

        Parameters
        ----------
        x : torch.Tensor of shape (n, n_features)
            A batch in the model's (scaled) input space.

        Returns
        -------
        z : torch.Tensor of shape (n, n_latent)
            The encoder's output.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import AutoEncoder, MLPDecoder, MLPEncoder
        >>> model = AutoEncoder(MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)),
        ...                     "gaussian")
        >>> model.embed(torch.rand(4, 6)).shape
        torch.Size([4, 2])
        """
        return self.encoder(x)

    def decode(self, z):
        """Reconstructions of latent points ``z``, in the model's input space.

        Parameters
        ----------
        z : torch.Tensor of shape (n, n_latent)
            Latent points.

        Returns
        -------
        x_rec : torch.Tensor of shape (n, n_features)
            The decoder's means: probabilities in [0, 1] (the sigmoid of the
            logits) for a Bernoulli likelihood, the raw output for a Gaussian
            one.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import AutoEncoder, MLPDecoder, MLPEncoder
        >>> model = AutoEncoder(MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)),
        ...                     "bernoulli")
        >>> x_rec = model.decode(torch.zeros(3, 2))
        >>> x_rec.shape, bool(((x_rec >= 0) & (x_rec <= 1)).all())
        (torch.Size([3, 6]), True)
        """
        out = self.decoder(z)
        return torch.sigmoid(out) if self.likelihood == "bernoulli" else out

    def reconstruction_nll(self, decoder_output, x, reduction="mean"):
        """Negative log-likelihood of ``x``, summed over features.

        Parameters
        ----------
        decoder_output : torch.Tensor of shape (n, n_features)
            The decoder's raw output (logits for a Bernoulli likelihood,
            means for a Gaussian one).
        x : torch.Tensor of shape (n, n_features)
            The targets.
        reduction : {"mean", "none"}, default="mean"
            ``"mean"`` averages over rows; ``"none"`` returns one value per
            row.

        Returns
        -------
        nll : torch.Tensor
            A scalar, or a tensor of shape (n,) with ``reduction="none"``.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import AutoEncoder, MLPDecoder, MLPEncoder
        >>> model = AutoEncoder(MLPEncoder(2, 1, (4,)), MLPDecoder(1, 2, (4,)),
        ...                     "gaussian")
        >>> x = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
        >>> model.reconstruction_nll(torch.zeros(2, 2), x, reduction="none")
        tensor([0., 1.])
        """
        if self.likelihood == "bernoulli":
            nll = F.binary_cross_entropy_with_logits(
                decoder_output, x, reduction="none"
            )
        else:
            nll = 0.5 * (decoder_output - x) ** 2
        nll = nll.sum(dim=1)
        return nll.mean() if reduction == "mean" else nll

    def log_likelihood(self, x):
        """Per-row log-likelihood of ``x`` decoded from its embedding.

        ``-reconstruction_nll`` of the decoder's output for ``embed(x)``,
        summed over features: higher for rows the model rebuilds well, an
        anomaly score. Computed in the current mode; use evaluation mode.

        Parameters
        ----------
        x : torch.Tensor of shape (n, n_features)
            A batch in the model's input space.

        Returns
        -------
        log_likelihood : torch.Tensor of shape (n,)
            In nats; at most 0 for a Bernoulli likelihood, and without the
            constant ``-0.5 * log(2 * pi)`` per feature for a Gaussian one.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import AutoEncoder, MLPDecoder, MLPEncoder
        >>> model = AutoEncoder(MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)),
        ...                     "bernoulli")
        >>> ll = model.log_likelihood(torch.rand(4, 6))
        >>> ll.shape, bool((ll <= 0).all())
        (torch.Size([4]), True)
        """
        z = self.embed(x)
        return -self.reconstruction_nll(self.decoder(z), x, reduction="none")

    def loss_terms(self, x):
        """Plain autoencoder objective: the reconstruction term alone.

        Parameters
        ----------
        x : torch.Tensor of shape (n, n_features)
            A training batch in the model's input space.

        Returns
        -------
        terms : dict of str to torch.Tensor
            Scalars averaged over the batch: ``"loss"``, the objective to
            minimise, and its components (here only ``"reconstruction"``).

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import AutoEncoder, MLPDecoder, MLPEncoder
        >>> model = AutoEncoder(MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)),
        ...                     "bernoulli")
        >>> sorted(model.loss_terms(torch.rand(4, 6)))
        ['loss', 'reconstruction']
        """
        recon = self.reconstruction_nll(self.decoder(self.encoder(x)), x)
        return {"loss": recon, "reconstruction": recon}

    def loss_terms_and_embedding(self, x):
        """``loss_terms(x)`` and ``embed(x)`` of one batch.

        Models whose objective already computes the embedding (the VAE's
        posterior mean, the VQ-VAE's continuous code) return it without a
        second encoder pass; here the two are computed one after the other.

        Parameters
        ----------
        x : torch.Tensor of shape (n, n_features)
            A training batch in the model's input space.

        Returns
        -------
        terms : dict of str to torch.Tensor
            As :meth:`loss_terms`.
        z : torch.Tensor of shape (n, n_latent)
            As :meth:`embed`, with its gradient.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import AutoEncoder, MLPDecoder, MLPEncoder
        >>> model = AutoEncoder(MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)),
        ...                     "bernoulli")
        >>> x = torch.rand(4, 6)
        >>> terms, z = model.loss_terms_and_embedding(x)
        >>> torch.equal(z, model.embed(x))
        True
        """
        return self.loss_terms(x), self.embed(x)


def classifier_head(n_latent, n_classes, hidden=64):
    """A small classifier of embeddings: one hidden ReLU layer, then logits.

    Parameters
    ----------
    n_latent : int
        Width of the embedding it reads.
    n_classes : int
        Number of classes.
    hidden : int, default=64
        Width of the hidden layer.

    Returns
    -------
    head : torch.nn.Sequential
        Maps ``(n, n_latent)`` to ``(n, n_classes)`` logits.

    Examples
    --------
    >>> import torch
    >>> from aembed.nn import classifier_head
    >>> classifier_head(2, 3)(torch.zeros(4, 2)).shape
    torch.Size([4, 3])
    """
    return nn.Sequential(
        nn.Linear(n_latent, hidden), nn.ReLU(), nn.Linear(hidden, n_classes)
    )


def corrupt(x, noise, noise_level, value_range=(0.0, 1.0)):
    """Corrupt a batch for denoising training.

    Parameters
    ----------
    x : torch.Tensor
        The clean batch.
    noise : {"gaussian", "masking", "salt_and_pepper"}
        Additive Gaussian noise of standard deviation ``noise_level``; each
        entry set to zero with probability ``noise_level``; or each entry set
        to the low or the high end of ``value_range`` (equally likely) with
        probability ``noise_level``.
    noise_level : float
        Standard deviation or probability, as above.
    value_range : tuple of float, default=(0.0, 1.0)
        Low and high values for salt-and-pepper noise.

    Returns
    -------
    x_noisy : torch.Tensor
        A corrupted copy of ``x``, of the same shape; ``x`` itself when
        ``noise_level`` is 0.

    Examples
    --------
    >>> import torch
    >>> from aembed.nn import corrupt
    >>> x = torch.ones(2, 4)
    >>> corrupt(x, "masking", 1.0)
    tensor([[0., 0., 0., 0.],
            [0., 0., 0., 0.]])
    """
    if noise_level == 0:
        return x
    if noise == "gaussian":
        return x + noise_level * randn_like(x)
    hit = rand_like(x) < noise_level
    if noise == "masking":
        return x.masked_fill(hit, 0.0)
    if noise == "salt_and_pepper":
        low, high = value_range
        salt = rand_like(x) < 0.5
        return torch.where(hit, torch.where(salt, high, low), x)
    raise ValueError(f"noise must be one of {NOISE_TYPES}, got {noise!r}")


class DenoisingAutoEncoder(AutoEncoder):
    """An autoencoder that learns to undo a corruption of its input.

    The corruption applies only in training mode; in evaluation mode (and in
    ``embed``) the input is used as it is.

    Parameters
    ----------
    encoder : torch.nn.Module
        As in :class:`AutoEncoder`.
    decoder : torch.nn.Module
        As in :class:`AutoEncoder`.
    likelihood : {"bernoulli", "gaussian"}
        As in :class:`AutoEncoder`.
    noise : {"gaussian", "masking", "salt_and_pepper"}, default="gaussian"
        The corruption, see :func:`corrupt`.
    noise_level : float, default=0.1
        Its standard deviation or probability.
    value_range : tuple of float, default=(0.0, 1.0)
        Low and high values for salt-and-pepper noise.

    Examples
    --------
    >>> import torch
    >>> from aembed.nn import DenoisingAutoEncoder, MLPDecoder, MLPEncoder
    >>> model = DenoisingAutoEncoder(
    ...     MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli"
    ... )
    >>> sorted(model.loss_terms(torch.rand(4, 6)))
    ['loss', 'reconstruction']
    """

    def __init__(
        self,
        encoder,
        decoder,
        likelihood,
        noise="gaussian",
        noise_level=0.1,
        value_range=(0.0, 1.0),
    ):
        super().__init__(encoder, decoder, likelihood)
        self.noise = noise
        self.noise_level = noise_level
        self.value_range = value_range

    def loss_terms(self, x):
        x_in = x
        if self.training:
            x_in = corrupt(x, self.noise, self.noise_level, self.value_range)
        recon = self.reconstruction_nll(self.decoder(self.encoder(x_in)), x)
        return {"loss": recon, "reconstruction": recon}

    def loss_terms_and_embedding(self, x):
        """:meth:`loss_terms` and the clean batch's codes, from one encoder call.

        In training mode the encoder sees the corrupted and the clean batch
        stacked; the reconstruction decodes the first, the embedding is the
        second.

        Parameters
        ----------
        x : torch.Tensor of shape (n, n_features)
            A batch in the model's input space.

        Returns
        -------
        terms : dict of str to torch.Tensor
            As :meth:`loss_terms`.
        z : torch.Tensor of shape (n, n_latent)
            As :meth:`embed`, with its gradient.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import DenoisingAutoEncoder, MLPDecoder, MLPEncoder
        >>> model = DenoisingAutoEncoder(
        ...     MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli"
        ... )
        >>> x = torch.rand(4, 6)
        >>> terms, z = model.loss_terms_and_embedding(x)
        >>> torch.allclose(z, model.embed(x))
        True
        """
        if not self.training:
            return super().loss_terms_and_embedding(x)
        x_in = corrupt(x, self.noise, self.noise_level, self.value_range)
        z_in, z = self.encoder(torch.cat([x_in, x])).split(len(x))
        recon = self.reconstruction_nll(self.decoder(z_in), x)
        return {"loss": recon, "reconstruction": recon}, z
