"""Random small affine transforms of flattened images.

Training a neighbour-preserving map on rotated, scaled and shifted copies of
its images teaches the encoder what UMAP's ``transform`` gets from its
nearest-neighbour search: that a new digit drawn a little differently from
its training neighbours belongs beside them.
"""

import functools
import math

import torch
import torch.nn.functional as F

from ..nn._random import rand_like


def random_affine(x, image_shape, *, degrees=5.0, scale=0.05, shift=1.0):
    """Rotate, scale and shift each image of a batch by a random small amount.

    Each image gets its own rotation, uniform in ``±degrees``, scaling
    factor, uniform in ``1 ± scale``, and shift, uniform in ``±shift``
    pixels along each axis; pixels are read by bilinear interpolation and
    the border is filled with zeros. The draws come from torch's global
    generator (split by :func:`~.nn._random.global_batch` in data-parallel
    training).

    Parameters
    ----------
    x : torch.Tensor of shape (n, n_features)
        Flattened images, in C-order.
    image_shape : tuple of int
        ``(channels, height, width)`` of one image.
    degrees, scale, shift : float
        Largest rotation (degrees), relative scaling and shift (pixels).

    Returns
    -------
    x : torch.Tensor of shape (n, n_features)
        The transformed images, flattened.

    Examples
    --------
    >>> import torch
    >>> from aembed._training._augment import random_affine
    >>> x = torch.rand(4, 2 * 8 * 6)
    >>> random_affine(x, (2, 8, 6)).shape
    torch.Size([4, 96])
    >>> torch.allclose(random_affine(x, (2, 8, 6), degrees=0, scale=0, shift=0), x)
    True
    """
    n = len(x)
    channels, height, width = image_shape
    draws = rand_like(torch.empty(n, 4, dtype=torch.float32, device=x.device)) * 2 - 1
    angle = draws[:, 0] * math.radians(degrees)
    factor = 1 + draws[:, 1] * scale
    cos, sin = torch.cos(angle) / factor, torch.sin(angle) / factor
    # affine_grid maps output to input coordinates in [-1, 1]: a shift of
    # one pixel is 2 / size of that axis.
    theta = torch.stack(
        [
            torch.stack([cos, -sin, draws[:, 2] * 2 * shift / width], 1),
            torch.stack([sin, cos, draws[:, 3] * 2 * shift / height], 1),
        ],
        1,
    )
    images = x.reshape(n, channels, height, width)
    # affine_grid's own kernel, one pixel's coordinates at a time, costs
    # more than the sampling on the CPU: one batched product gives the same.
    grid = _pixel_grid(height, width, x.device, x.dtype) @ theta.to(x.dtype).mT
    grid = grid.view(n, height, width, 2)
    return F.grid_sample(images, grid, align_corners=False).reshape(n, -1)


@functools.lru_cache(maxsize=8)
def _pixel_grid(height, width, device, dtype):
    """Homogeneous coordinates ``(x, y, 1)`` of the pixel centres in [-1, 1]."""
    identity = torch.eye(2, 3, dtype=dtype, device=device)[None]
    grid = F.affine_grid(identity, (1, 1, height, width), align_corners=False)
    ones = torch.ones(height * width, 1, dtype=dtype, device=device)
    return torch.cat([grid.reshape(-1, 2), ones], 1)
