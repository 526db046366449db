"""PyTorch modules behind the aembed estimators, usable on their own.

Nothing in this subpackage imports scikit-learn or skorch.
"""

from ._autoencoder import (
    NOISE_TYPES,
    AutoEncoder,
    DenoisingAutoEncoder,
    classifier_head,
    corrupt,
)
from ._networks import (
    ACTIVATIONS,
    ConvDecoder,
    ConvEncoder,
    MLPDecoder,
    MLPEncoder,
    build_encoder_decoder,
)
from ._vae import VariationalAutoEncoder
from ._vqvae import VectorQuantizedAutoEncoder, VectorQuantizer

__all__ = [
    "ACTIVATIONS",
    "AutoEncoder",
    "ConvDecoder",
    "ConvEncoder",
    "DenoisingAutoEncoder",
    "MLPDecoder",
    "MLPEncoder",
    "NOISE_TYPES",
    "VariationalAutoEncoder",
    "VectorQuantizedAutoEncoder",
    "VectorQuantizer",
    "build_encoder_decoder",
    "classifier_head",
    "corrupt",
]
