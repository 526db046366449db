"""Autoencoder embeddings as scikit-learn transformers."""

from ._dae import DenoisingAEEmbedder
from ._persistence import load
from ._vae import VAEEmbedder
from ._version import __version__
from ._vqvae import VQVAEEmbedder

__all__ = [
    "DenoisingAEEmbedder",
    "VAEEmbedder",
    "VQVAEEmbedder",
    "__version__",
    "load",
]
