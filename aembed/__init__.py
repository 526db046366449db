"""Autoencoder embeddings as scikit-learn transformers."""

from ._dae import DenoisingAEEmbedder
from ._version import __version__

__all__ = ["DenoisingAEEmbedder", "__version__"]
