"""Encoder and decoder networks: a multilayer perceptron and a small CNN.

Pure PyTorch: nothing here imports scikit-learn or skorch.
"""

import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "tanh": nn.Tanh,
}


def _dense_stack(sizes, activation):
    """Linear layers through ``sizes``, an activation after every one."""
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [nn.Linear(n_in, n_out), ACTIVATIONS[activation]()]
    return layers


class MLPEncoder(nn.Sequential):
    """Map ``n_features`` inputs through dense hidden layers to ``n_outputs``.

    Parameters
    ----------
    n_features : int
        Width of the input.
    n_outputs : int
        Width of the output (twice the latent size for a Gaussian posterior).
    hidden_layer_sizes : sequence of int
        Widths of the hidden layers, from the input side.
    activation : str, default="relu"
        One of ``"relu"``, ``"leaky_relu"``, ``"elu"``, ``"gelu"``, ``"silu"``,
        ``"tanh"``.

    Examples
    --------
    >>> import torch
    >>> from aembed.nn import MLPEncoder
    >>> encoder = MLPEncoder(784, 2, (256, 64))
    >>> encoder(torch.zeros(5, 784)).shape
    torch.Size([5, 2])
    """

    def __init__(self, n_features, n_outputs, hidden_layer_sizes, activation="relu"):
        sizes = [n_features, *hidden_layer_sizes]
        super().__init__(
            *_dense_stack(sizes, activation), nn.Linear(sizes[-1], n_outputs)
        )


class MLPDecoder(nn.Sequential):
    """Mirror of :class:`MLPEncoder`: latent points to ``n_features`` outputs.

    The output is linear (no final activation): the objective decides how to
    read it (logits for a Bernoulli likelihood, means for a Gaussian one).

    Parameters
    ----------
    n_latent : int
        Width of the input, the latent dimension.
    n_features : int
        Width of the output.
    hidden_layer_sizes : sequence of int
        Widths of the encoder's hidden layers, from the input side; the
        decoder uses them in reverse.
    activation : str, default="relu"
        Activation after every layer but the last, as in
        :class:`MLPEncoder`.

    Examples
    --------
    >>> import torch
    >>> from aembed.nn import MLPDecoder
    >>> decoder = MLPDecoder(2, 784, (256, 64))
    >>> decoder(torch.zeros(5, 2)).shape
    torch.Size([5, 784])
    """

    def __init__(self, n_latent, n_features, hidden_layer_sizes, activation="relu"):
        sizes = [n_latent, *reversed(hidden_layer_sizes)]
        super().__init__(
            *_dense_stack(sizes, activation), nn.Linear(sizes[-1], n_features)
        )


def _halve(size):
    """Spatial size after a 3x3 convolution with stride 2 and padding 1."""
    return (size + 1) // 2


class ConvEncoder(nn.Module):
    """Two strided convolutions, then dense layers, for images of any size.

    Parameters
    ----------
    image_shape : tuple of int
        ``(channels, height, width)`` of one image; rows arrive flattened in
        C-order, as ``X.reshape(n, -1)`` produces them.
    n_outputs : int
        Width of the output.
    hidden_layer_sizes : sequence of int
        Widths of the dense layers after the convolutions.
    activation : str, default="relu"
        Activation after every layer but the last.
    channels : tuple of int, default=(32, 64)
        Channels of the two convolutions.

    Examples
    --------
    >>> import torch
    >>> from aembed.nn import ConvEncoder
    >>> encoder = ConvEncoder((1, 28, 28), 2, (128,))
    >>> encoder(torch.zeros(5, 784)).shape
    torch.Size([5, 2])
    """

    def __init__(
        self,
        image_shape,
        n_outputs,
        hidden_layer_sizes,
        activation="relu",
        channels=(32, 64),
    ):
        super().__init__()
        n_channels, height, width = image_shape
        self.image_shape = tuple(image_shape)
        act = ACTIVATIONS[activation]
        self.features = nn.Sequential(
            nn.Conv2d(n_channels, channels[0], 3, stride=2, padding=1),
            act(),
            nn.Conv2d(channels[0], channels[1], 3, stride=2, padding=1),
            act(),
            nn.Flatten(),
        )
        n_flat = channels[1] * _halve(_halve(height)) * _halve(_halve(width))
        self.head = MLPEncoder(n_flat, n_outputs, hidden_layer_sizes, activation)

    def forward(self, x):
        return self.head(self.features(x.reshape(-1, *self.image_shape)))


class ConvDecoder(nn.Module):
    """Mirror of :class:`ConvEncoder`: dense layers, then upsampling convolutions.

    Upsampling to explicit sizes (rather than transposed convolutions) gives
    back exactly ``image_shape`` whatever its parity.

    Parameters
    ----------
    n_latent : int
        Width of the input, the latent dimension.
    image_shape : tuple of int
        ``(channels, height, width)`` of one image; the output rows are
        images flattened in C order.
    hidden_layer_sizes : sequence of int
        Widths of the encoder's dense layers, used in reverse.
    activation : str, default="relu"
        Activation after every layer but the last.
    channels : tuple of int, default=(32, 64)
        Channels of the encoder's two convolutions, used in reverse.

    Examples
    --------
    >>> import torch
    >>> from aembed.nn import ConvDecoder
    >>> decoder = ConvDecoder(2, (1, 28, 28), (128,))
    >>> decoder(torch.zeros(5, 2)).shape
    torch.Size([5, 784])
    """

    def __init__(
        self,
        n_latent,
        image_shape,
        hidden_layer_sizes,
        activation="relu",
        channels=(32, 64),
    ):
        super().__init__()
        n_channels, height, width = image_shape
        act = ACTIVATIONS[activation]
        h1, w1 = _halve(height), _halve(width)
        self._grid = (channels[1], _halve(h1), _halve(w1))
        n_grid = channels[1] * self._grid[1] * self._grid[2]
        self.head = nn.Sequential(
            *_dense_stack([n_latent, *reversed(hidden_layer_sizes), n_grid], activation)
        )
        self.features = nn.Sequential(
            nn.Upsample(size=(h1, w1), mode="nearest"),
            nn.Conv2d(channels[1], channels[0], 3, padding=1),
            act(),
            nn.Upsample(size=(height, width), mode="nearest"),
            nn.Conv2d(channels[0], n_channels, 3, padding=1),
        )

    def forward(self, z):
        grid = self.head(z).reshape(-1, *self._grid)
        return torch.flatten(self.features(grid), 1)


def build_encoder_decoder(
    n_features, n_latent, n_encoder_outputs, hidden_layer_sizes, activation, image_shape
):
    """The encoder/decoder pair the estimators use.

    A convolutional pair when ``image_shape`` (``(C, H, W)``) is given, an MLP
    pair otherwise.

    Parameters
    ----------
    n_features : int
        Width of the input rows.
    n_latent : int
        Latent dimension, the decoder's input width.
    n_encoder_outputs : int
        The encoder's output width: ``n_latent``, or ``2 * n_latent`` for a
        Gaussian posterior's mean and log-variance.
    hidden_layer_sizes : sequence of int
        Widths of the (dense) hidden layers, from the input side.
    activation : str
        Activation of the hidden layers, a key of ``ACTIVATIONS``.
    image_shape : tuple of int or None
        ``(channels, height, width)`` for convolutional networks, None for
        multilayer perceptrons.

    Returns
    -------
    encoder : torch.nn.Module
        :class:`MLPEncoder` or :class:`ConvEncoder`.
    decoder : torch.nn.Module
        :class:`MLPDecoder` or :class:`ConvDecoder`.

    Examples
    --------
    >>> from aembed.nn import build_encoder_decoder
    >>> encoder, decoder = build_encoder_decoder(784, 2, 4, (64,), "relu",
    ...                                          (1, 28, 28))
    >>> type(encoder).__name__, type(decoder).__name__
    ('ConvEncoder', 'ConvDecoder')
    """
    if image_shape is None:
        return (
            MLPEncoder(n_features, n_encoder_outputs, hidden_layer_sizes, activation),
            MLPDecoder(n_latent, n_features, hidden_layer_sizes, activation),
        )
    return (
        ConvEncoder(image_shape, n_encoder_outputs, hidden_layer_sizes, activation),
        ConvDecoder(n_latent, image_shape, hidden_layer_sizes, activation),
    )
