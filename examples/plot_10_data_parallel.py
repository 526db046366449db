"""
Data-parallel training on several processes
===========================================

This script is an ordinary single-process script. Started by a launcher on
several processes, it trains data-parallel with no change::

    torchrun --standalone --nproc_per_node 2 examples/plot_10_data_parallel.py

Each process then trains on its share of every mini-batch (of
``batch_size`` rows per process) through DistributedDataParallel, and every
process ends with the same fitted estimator: each one prints the same
held-out score. Only the first process writes files (checkpoints,
``save``). On a machine with GPUs, pass ``device="cuda"`` and each process
takes its own. See the user guide's page on data-parallel training.
"""

# %%
import os

import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

from aembed import DenoisingAEEmbedder
from aembed.datasets import load_mnist_5k
from aembed.metrics import knn_accuracy
from aembed.plotting import plot_embedding

X, y = load_mnist_5k(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.2, stratify=y, random_state=0
)
emb = DenoisingAEEmbedder(max_epochs=15, random_state=0).fit(X_train)
score = knn_accuracy(emb.transform(X_train), y_train, emb.transform(X_test), y_test)
process = os.environ.get("RANK", "0")
print(
    f"process {process}: held-out 5-NN accuracy {score:.3f} after {emb.n_iter_} epochs"
)

# %%
# The map of the held-out digits, the same on every process.
fig, ax = plt.subplots(figsize=(5, 5))
plot_embedding(emb.transform(X_test), y_test, ax=ax)
ax.set_title("Denoising autoencoder, held-out digits")
plt.show()
