"""The variational autoencoder with a Gaussian posterior and a β-weighted KL.

Pure PyTorch: nothing here imports scikit-learn or skorch.
"""

import torch

from ._autoencoder import AutoEncoder
from ._random import randn_like

# exp(±10) spans posterior standard deviations from 0.0067 to 148: wide enough
# for any sensible posterior, narrow enough that exp() cannot overflow and a
# collapsing variance cannot send the KL to infinity.
LOGVAR_RANGE = (-10.0, 10.0)


class VariationalAutoEncoder(AutoEncoder):
    """A β-VAE: Gaussian posterior, standard normal prior, β-weighted KL.

    The encoder outputs ``2 * n_latent`` values per row, the posterior mean
    and log-variance (clamped to ``LOGVAR_RANGE``). In training mode the
    decoder sees a reparameterised draw from the posterior; in evaluation
    mode, and in ``embed``, the posterior mean.

    Parameters
    ----------
    encoder : torch.nn.Module
        Maps a batch ``(n, n_features)`` to ``(n, 2 * n_latent)``: the
        posterior mean, then its log-variance.
    decoder : torch.nn.Module
        As in :class:`AutoEncoder`.
    likelihood : {"bernoulli", "gaussian"}
        As in :class:`AutoEncoder`.
    n_latent : int
        Dimension of the latent space.
    beta : float, default=1.0
        Weight of the KL term in the training loss; 1 is the plain VAE.

    Attributes
    ----------
    kl_weight : float
        Extra factor on the KL term in training mode, for a warm-up schedule
        (1 = none): the training loss is ``reconstruction + beta * kl_weight
        * kl``, the evaluation loss ``reconstruction + beta * kl``.

    Examples
    --------
    >>> import torch
    >>> from aembed.nn import MLPDecoder, MLPEncoder, VariationalAutoEncoder
    >>> model = VariationalAutoEncoder(
    ...     MLPEncoder(6, 4, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli", n_latent=2
    ... )
    >>> sorted(model.loss_terms(torch.rand(4, 6)))
    ['kl', 'loss', 'reconstruction']
    >>> model.elbo(torch.rand(4, 6)).shape
    torch.Size([4])
    """

    def __init__(self, encoder, decoder, likelihood, n_latent, beta=1.0):
        super().__init__(encoder, decoder, likelihood)
        self.n_latent = int(n_latent)
        self.beta = beta
        self.kl_weight = 1.0

    def posterior(self, x):
        """Mean and (clamped) log-variance of the Gaussian posterior q(z|x).

        Parameters
        ----------
        x : torch.Tensor of shape (n, n_features)
            A batch in the model's input space.

        Returns
        -------
        mean : torch.Tensor of shape (n, n_latent)
            The posterior means.
        logvar : torch.Tensor of shape (n, n_latent)
            The posterior log-variances, clamped to ``LOGVAR_RANGE``.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import MLPDecoder, MLPEncoder, VariationalAutoEncoder
        >>> model = VariationalAutoEncoder(
        ...     MLPEncoder(6, 4, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli", n_latent=2
        ... ).eval()
        >>> mean, logvar = model.posterior(torch.rand(3, 6))
        >>> mean.shape, logvar.shape
        (torch.Size([3, 2]), torch.Size([3, 2]))
        """
        mean, logvar = self.encoder(x).split(self.n_latent, dim=1)
        return mean, logvar.clamp(*LOGVAR_RANGE)

    def embed(self, x):
        """The posterior mean: deterministic.

        Parameters
        ----------
        x : torch.Tensor of shape (n, n_features)
            A batch in the model's input space.

        Returns
        -------
        z : torch.Tensor of shape (n, n_latent)
            The posterior means, in training mode as in evaluation mode.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import MLPDecoder, MLPEncoder, VariationalAutoEncoder
        >>> model = VariationalAutoEncoder(
        ...     MLPEncoder(6, 4, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli", n_latent=2
        ... ).eval()
        >>> x = torch.rand(3, 6)
        >>> torch.equal(model.embed(x), model.posterior(x)[0])
        True
        """
        return self.posterior(x)[0]

    def _terms_per_row(self, x):
        """Reconstruction NLL and KL of each row, and the posterior means."""
        mean, logvar = self.posterior(x)
        z = mean
        if self.training:
            z = mean + torch.exp(0.5 * logvar) * randn_like(mean)
        recon = self.reconstruction_nll(self.decoder(z), x, reduction="none")
        kl = 0.5 * (mean**2 + logvar.exp() - 1.0 - logvar)
        return recon, kl.sum(dim=1), mean

    def loss_terms(self, x):
        """Reconstruction NLL and KL (summed over dims, batch means), and the loss.

        Parameters
        ----------
        x : torch.Tensor of shape (n, n_features)
            A batch in the model's input space.

        Returns
        -------
        terms : dict of str to torch.Tensor
            Scalars averaged over the batch: ``"reconstruction"``, ``"kl"``
            and ``"loss"``, which is ``reconstruction + beta * kl`` (times
            ``kl_weight`` on the KL in training mode).

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import MLPDecoder, MLPEncoder, VariationalAutoEncoder
        >>> model = VariationalAutoEncoder(
        ...     MLPEncoder(6, 4, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli", n_latent=2
        ... ).eval()
        >>> terms = model.loss_terms(torch.rand(4, 6))
        >>> bool(torch.isclose(terms["loss"], terms["reconstruction"] + terms["kl"]))
        True
        """
        return self.loss_terms_and_embedding(x)[0]

    def loss_terms_and_embedding(self, x):
        """:meth:`loss_terms` and the posterior means, from one encoder pass.

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
        >>> from aembed.nn import MLPDecoder, MLPEncoder, VariationalAutoEncoder
        >>> model = VariationalAutoEncoder(
        ...     MLPEncoder(6, 4, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli", n_latent=2
        ... )
        >>> x = torch.rand(4, 6)
        >>> terms, z = model.loss_terms_and_embedding(x)
        >>> torch.equal(z, model.embed(x))
        True
        """
        recon, kl, mean = self._terms_per_row(x)
        recon, kl = recon.mean(), kl.mean()
        # The warm-up shapes training only: evaluation losses stay comparable.
        weight = self.beta * (self.kl_weight if self.training else 1.0)
        loss = recon + weight * kl
        return {"loss": loss, "reconstruction": recon, "kl": kl}, mean

    def elbo(self, x):
        """Per-row evidence lower bound ``-(reconstruction NLL + KL)``.

        Evaluated in the current mode: in evaluation mode the reconstruction
        term decodes the posterior mean (a deterministic one-point estimate
        of the expectation over q). Unweighted by ``beta``. For a Gaussian
        likelihood the constant ``-0.5 * log(2 * pi)`` per feature is left out.

        Parameters
        ----------
        x : torch.Tensor of shape (n, n_features)
            A batch in the model's input space.

        Returns
        -------
        elbo : torch.Tensor of shape (n,)
            The ELBO of each row, in nats; higher is better.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import MLPDecoder, MLPEncoder, VariationalAutoEncoder
        >>> model = VariationalAutoEncoder(
        ...     MLPEncoder(6, 4, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli", n_latent=2
        ... ).eval()
        >>> elbo = model.elbo(torch.rand(4, 6))
        >>> elbo.shape, bool((elbo <= 0).all())
        (torch.Size([4]), True)
        """
        recon, kl, _ = self._terms_per_row(x)
        return -(recon + kl)
