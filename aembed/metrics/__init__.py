"""Scores for judging an embedding and the reconstructions behind it.

Every function takes plain NumPy arrays, so the scores apply to any embedder
(aembed's, PCA, UMAP, ...) and this module never imports torch.

The package has one module per kind of score: ``_embedding`` (neighbours
kept, classes separated and found), ``_reconstruction`` (MSE and PSNR) and
``_timing``; ``_checks`` holds the checks they share.
"""

# aembed._base checks its integer parameters with the metrics' rule.
from ._embedding import (
    clustering_agreement,
    embedding_scores,
    knn_accuracy,
    silhouette,
    trustworthiness,
)
from ._reconstruction import per_class_reconstruction, psnr, reconstruction_mse
from ._timing import timed

__all__ = [
    "clustering_agreement",
    "embedding_scores",
    "knn_accuracy",
    "per_class_reconstruction",
    "psnr",
    "reconstruction_mse",
    "silhouette",
    "timed",
    "trustworthiness",
]
