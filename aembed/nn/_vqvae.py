"""The vector-quantised autoencoder and its EMA codebook.

Pure PyTorch: nothing here imports scikit-learn or skorch.
"""

import torch
import torch.distributed as dist
from torch import nn

from ._autoencoder import AutoEncoder
from ._random import generator


class VectorQuantizer(nn.Module):
    """A codebook updated by exponential moving averages, with dead-code restarts.

    Codes are not trained by gradient descent: in training mode every call
    moves each code towards the mean of the vectors assigned to it (an online
    k-means step, [1]_), and restarts the codes that have stopped being used
    at randomly chosen vectors of the batch. Without the restarts a codebook
    typically collapses to a handful of codes.

    Parameters
    ----------
    n_codes : int
        Number of codes.
    dim : int
        Dimension of a code.
    decay : float, default=0.99
        Decay of the moving averages of code counts and sums.
    restart_after : float, default=8.0
        A code is dead, and restarted, when none of the last
        ``restart_after * n_codes`` training vectors chose it. Counting
        vectors rather than steps makes the rule independent of the batch
        size and quick on small data sets; a code used as often as all
        others is chosen once every ``n_codes`` vectors on average, and is
        passed over that long with probability ``exp(-restart_after)``.
    eps : float, default=1e-5
        Laplace smoothing of the counts, which keeps unused codes finite.

    Attributes
    ----------
    codebook : torch.Tensor of shape (n_codes, dim)
        The codes (a buffer, saved in the state dict).
    usage : torch.Tensor of shape (n_codes,)
        How often each code was chosen in training mode since the last
        :meth:`reset_usage` (not saved in the state dict).

    See Also
    --------
    VectorQuantizedAutoEncoder : The autoencoder built around it.

    References
    ----------
    .. [1] A. van den Oord, O. Vinyals and K. Kavukcuoglu, "Neural discrete
       representation learning", NeurIPS 2017, appendix A.1.

    Examples
    --------
    >>> import torch
    >>> from aembed.nn import VectorQuantizer
    >>> vq = VectorQuantizer(n_codes=4, dim=2)
    >>> z_q, codes = vq(torch.randn(8, 2))
    >>> z_q.shape, codes.dtype
    (torch.Size([8, 2]), torch.int64)
    """

    def __init__(self, n_codes, dim, decay=0.99, restart_after=8.0, eps=1e-5):
        super().__init__()
        self.n_codes = n_codes
        self.decay = decay
        self.restart_after = restart_after
        self.eps = eps
        self.register_buffer("codebook", torch.zeros(n_codes, dim))
        self.register_buffer("ema_count", torch.zeros(n_codes))
        self.register_buffer("ema_sum", torch.zeros(n_codes, dim))
        # Training vectors seen since each code was last chosen. Starting at
        # infinity marks every code dead, so the first training batch
        # initialises the whole codebook from encoder outputs.
        self.register_buffer("idle", torch.full((n_codes,), float("inf")))
        self.register_buffer("usage", torch.zeros(n_codes), persistent=False)
        # Set while training data-parallel: every process updates the
        # codebook from the whole global batch, so all keep the same one.
        self.synchronize = False

    def nearest(self, z):
        """Index of the nearest code (Euclidean) for every row of ``z``.

        Parameters
        ----------
        z : torch.Tensor of shape (n, dim)
            Points of the latent space.

        Returns
        -------
        codes : torch.Tensor of shape (n,), int64
            Indices into ``codebook``.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import VectorQuantizer
        >>> vq = VectorQuantizer(n_codes=2, dim=1)
        >>> _ = vq.codebook.copy_(torch.tensor([[0.0], [1.0]]))
        >>> vq.nearest(torch.tensor([[0.2], [0.9]]))
        tensor([0, 1])
        """
        # The direct difference, not the matmul expansion, so that the result
        # matches a plain distance computation to the last bit.
        dist = torch.cdist(
            z, self.codebook, compute_mode="donot_use_mm_for_euclid_dist"
        )
        return dist.argmin(dim=1)

    def quantize(self, z):
        """The nearest code of every row of ``z``; never updates the codebook.

        Parameters
        ----------
        z : torch.Tensor of shape (n, dim)
            Points of the latent space.

        Returns
        -------
        z_q : torch.Tensor of shape (n, dim)
            The nearest code of each point.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import VectorQuantizer
        >>> vq = VectorQuantizer(n_codes=2, dim=1)
        >>> _ = vq.codebook.copy_(torch.tensor([[0.0], [1.0]]))
        >>> vq.quantize(torch.tensor([[0.2], [0.9]]))
        tensor([[0.],
                [1.]])
        """
        return self.codebook[self.nearest(z)]

    def forward(self, z):
        """Quantise ``z``; in training mode, then update the codebook.

        Parameters
        ----------
        z : torch.Tensor of shape (n, dim)
            Points of the latent space (encoder outputs).

        Returns
        -------
        z_q : torch.Tensor of shape (n, dim)
            The nearest code of each point, taken before the update.
        codes : torch.Tensor of shape (n,), int64
            Their indices into ``codebook``.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import VectorQuantizer
        >>> vq = VectorQuantizer(n_codes=2, dim=1)
        >>> _ = vq.codebook.copy_(torch.tensor([[0.0], [1.0]]))
        >>> z_q, codes = vq.eval()(torch.tensor([[0.2], [0.9]]))
        >>> codes
        tensor([0, 1])
        """
        # Distances and the moving averages need float32, even under autocast.
        with torch.autocast(device_type=z.device.type, enabled=False):
            z = z.float()
            codes = self.nearest(z)
            z_q = self.codebook[codes]
            if self.training:
                with torch.no_grad():
                    self._update(z.detach(), codes)
        return z_q, codes

    def reset_usage(self):
        self.usage.zero_()

    def _update(self, z, codes):
        if self.synchronize and dist.is_available() and dist.is_initialized():
            z, codes = _gather(z), _gather(codes)
        counts = torch.bincount(codes, minlength=self.n_codes).to(z.dtype)
        sums = torch.zeros_like(self.ema_sum).index_add_(0, codes, z)
        self.usage += counts
        self.ema_count.lerp_(counts, 1 - self.decay)
        self.ema_sum.lerp_(sums, 1 - self.decay)
        total = self.ema_count.sum()
        smoothed = (self.ema_count + self.eps) / (total + self.n_codes * self.eps)
        self.codebook.copy_(self.ema_sum / (smoothed * total).unsqueeze(1))

        self.idle.add_(len(z)).masked_fill_(counts > 0, 0)
        dead = (self.idle >= self.restart_after * self.n_codes).unsqueeze(1)
        # Candidates for every code, used only where the code is dead: a
        # masked update needs no device-to-host sync to learn how many died.
        gen = generator(z.device)
        rows = torch.randint(len(z), (self.n_codes,), device=z.device, generator=gen)
        # Jitter, so that codes restarted at the same row can split it.
        jitter = (
            1e-2
            * z.std(dim=0, unbiased=False)
            * torch.randn(
                self.ema_sum.shape,
                device=z.device,
                dtype=self.ema_sum.dtype,
                generator=gen,
            )
        )
        new = z[rows] + jitter
        # A restarted code gets the count of an average code, so that its
        # first assignments refine it rather than replace it.
        fair_share = total / self.n_codes
        self.codebook.copy_(torch.where(dead, new, self.codebook))
        self.ema_sum.copy_(torch.where(dead, new * fair_share, self.ema_sum))
        self.ema_count.masked_fill_(dead[:, 0], fair_share)
        self.idle.masked_fill_(dead[:, 0], 0)


def _gather(tensor):
    """The rows of every process's ``tensor``, in rank order (equal shapes)."""
    parts = [torch.empty_like(tensor) for _ in range(dist.get_world_size())]
    dist.all_gather(parts, tensor.contiguous())
    return torch.cat(parts)


class VectorQuantizedAutoEncoder(AutoEncoder):
    """A VQ-VAE: the encoder's output is snapped to the nearest code.

    Gradients pass the quantisation by the straight-through estimator; a
    commitment term keeps the encoder's outputs close to their codes, and the
    codebook follows them by moving averages (:class:`VectorQuantizer`).
    ``embed`` gives the continuous (pre-quantisation) encoder output;
    ``decode`` quantises its input before decoding it.

    Parameters
    ----------
    encoder : torch.nn.Module
        Maps a batch ``(n, n_features)`` to ``(n, n_latent)``.
    decoder : torch.nn.Module
        As in :class:`AutoEncoder`.
    likelihood : {"bernoulli", "gaussian"}
        As in :class:`AutoEncoder`.
    n_latent : int
        Dimension of the latent space and of the codes.
    n_codes : int
        Size of the codebook.
    commitment_cost : float, default=0.25
        Weight of the commitment term ``||z_e - sg(z_q)||^2`` (summed over
        latent dimensions, batch mean).
    decay : float, default=0.99
        Decay of the codebook's moving averages.

    Examples
    --------
    >>> import torch
    >>> from aembed.nn import MLPDecoder, MLPEncoder, VectorQuantizedAutoEncoder
    >>> model = VectorQuantizedAutoEncoder(
    ...     MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli",
    ...     n_latent=2, n_codes=16,
    ... )
    >>> sorted(model.loss_terms(torch.rand(4, 6)))
    ['commitment', 'loss', 'reconstruction']
    >>> model.quantizer.codebook.shape
    torch.Size([16, 2])
    """

    def __init__(
        self,
        encoder,
        decoder,
        likelihood,
        n_latent,
        n_codes,
        commitment_cost=0.25,
        decay=0.99,
    ):
        super().__init__(encoder, decoder, likelihood)
        self.quantizer = VectorQuantizer(n_codes, n_latent, decay=decay)
        self.commitment_cost = commitment_cost

    def quantize(self, z):
        """The nearest code of every latent point.

        Parameters
        ----------
        z : torch.Tensor of shape (n, n_latent)
            Latent points, e.g. from :meth:`embed`.

        Returns
        -------
        z_q : torch.Tensor of shape (n, n_latent)
            Points of the codebook.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import MLPDecoder, MLPEncoder, VectorQuantizedAutoEncoder
        >>> model = VectorQuantizedAutoEncoder(
        ...     MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli",
        ...     n_latent=2, n_codes=16,
        ... )
        >>> _ = model.train().loss_terms(torch.rand(32, 6))  # fills the codebook
        >>> model = model.eval()
        >>> z_q = model.quantize(model.embed(torch.rand(5, 6)))
        >>> bool(torch.isin(z_q, model.quantizer.codebook).all())
        True
        """
        return self.quantizer.quantize(z)

    def predict(self, x):
        """The index of the code each row of ``x`` is encoded to.

        Parameters
        ----------
        x : torch.Tensor of shape (n, n_features)
            A batch in the model's input space.

        Returns
        -------
        codes : torch.Tensor of shape (n,), int64
            Indices into the codebook.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import MLPDecoder, MLPEncoder, VectorQuantizedAutoEncoder
        >>> model = VectorQuantizedAutoEncoder(
        ...     MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli",
        ...     n_latent=2, n_codes=16,
        ... )
        >>> _ = model.train().loss_terms(torch.rand(32, 6))  # fills the codebook
        >>> model = model.eval()
        >>> model.predict(torch.rand(5, 6)).shape
        torch.Size([5])
        """
        return self.quantizer.nearest(self.embed(x))

    def decode(self, z):
        """Reconstructions from latent points, quantised first.

        Parameters
        ----------
        z : torch.Tensor of shape (n, n_latent)
            Latent points; each is replaced by its nearest code.

        Returns
        -------
        x_rec : torch.Tensor of shape (n, n_features)
            The decoder's means, as in :meth:`AutoEncoder.decode`.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import MLPDecoder, MLPEncoder, VectorQuantizedAutoEncoder
        >>> model = VectorQuantizedAutoEncoder(
        ...     MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli",
        ...     n_latent=2, n_codes=16,
        ... )
        >>> _ = model.train().loss_terms(torch.rand(32, 6))  # fills the codebook
        >>> model = model.eval()
        >>> z = model.embed(torch.rand(5, 6))
        >>> torch.equal(model.decode(z), model.decode(model.quantize(z)))
        True
        """
        return super().decode(self.quantize(z))

    def log_likelihood(self, x):
        """Per-row log-likelihood of ``x`` decoded from its code.

        As :meth:`AutoEncoder.log_likelihood`, with the embedding snapped to
        its code first, as :meth:`decode` does.

        Parameters
        ----------
        x : torch.Tensor of shape (n, n_features)
            A batch in the model's input space.

        Returns
        -------
        log_likelihood : torch.Tensor of shape (n,)
            In nats.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import MLPDecoder, MLPEncoder, VectorQuantizedAutoEncoder
        >>> model = VectorQuantizedAutoEncoder(
        ...     MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli",
        ...     n_latent=2, n_codes=16,
        ... )
        >>> _ = model.train().loss_terms(torch.rand(32, 6))  # fills the codebook
        >>> model.eval().log_likelihood(torch.rand(5, 6)).shape
        torch.Size([5])
        """
        z_q = self.quantize(self.embed(x))
        return -self.reconstruction_nll(self.decoder(z_q), x, reduction="none")

    def loss_terms(self, x):
        """Reconstruction NLL of the quantised codes and commitment, and the loss.

        The decoder sees the quantised codes; the encoder gets the
        reconstruction gradient straight through the quantiser. In training
        mode the codebook moves towards the codes it is assigned (EMA).

        Parameters
        ----------
        x : torch.Tensor of shape (n, n_features)
            A batch in the model's input space.

        Returns
        -------
        terms : dict of str to torch.Tensor
            Scalars averaged over the batch: ``"reconstruction"``,
            ``"commitment"`` (squared distance of each code to its codebook
            entry) and ``"loss"``, ``reconstruction + commitment_cost *
            commitment``.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import MLPDecoder, MLPEncoder, VectorQuantizedAutoEncoder
        >>> model = VectorQuantizedAutoEncoder(
        ...     MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli",
        ...     n_latent=2, n_codes=16,
        ... )
        >>> sorted(model.loss_terms(torch.rand(32, 6)))
        ['commitment', 'loss', 'reconstruction']
        """
        return self.loss_terms_and_embedding(x)[0]

    def loss_terms_and_embedding(self, x):
        """:meth:`loss_terms` and the continuous codes, from one encoder pass.

        Parameters
        ----------
        x : torch.Tensor of shape (n, n_features)
            A batch in the model's input space.

        Returns
        -------
        terms : dict of str to torch.Tensor
            As :meth:`loss_terms`.
        z : torch.Tensor of shape (n, n_latent)
            As :meth:`embed`: the encoder's output before quantisation, with
            its gradient.

        Examples
        --------
        >>> import torch
        >>> from aembed.nn import MLPDecoder, MLPEncoder, VectorQuantizedAutoEncoder
        >>> model = VectorQuantizedAutoEncoder(
        ...     MLPEncoder(6, 2, (8,)), MLPDecoder(2, 6, (8,)), "bernoulli",
        ...     n_latent=2, n_codes=16,
        ... )
        >>> x = torch.rand(32, 6)
        >>> terms, z = model.loss_terms_and_embedding(x)
        >>> torch.equal(z, model.embed(x))
        True
        """
        z_e = self.encoder(x)
        z_q, _ = self.quantizer(z_e)
        # Straight-through: the decoder sees z_q, the encoder gets its gradient.
        z_st = z_e + (z_q - z_e).detach()
        recon = self.reconstruction_nll(self.decoder(z_st), x)
        commitment = (z_e - z_q).pow(2).sum(dim=1).mean()
        loss = recon + self.commitment_cost * commitment
        terms = {"loss": loss, "reconstruction": recon, "commitment": commitment}
        return terms, z_e
