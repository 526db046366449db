"""
====================================
Watching the latent space take shape
====================================

:class:`~aembed.callbacks.LatentSnapshots` records the embedding of a fixed
set of rows, and the reconstruction of a few of them, at the end of every
epoch. This example follows 500 held-out digits through the training of a
2-D autoencoder: as small multiples, as an animation, and as animated GIFs
written with :func:`~aembed.plotting.save_animation`.
"""

# %%
# Recording snapshots
# -------------------
# The callback goes in the estimator's ``callbacks``. It is handed rows in
# the units the estimator sees (here pixels in [0, 1]) and keeps, per
# recorded epoch, ``embeddings_`` of all of them and ``reconstructions_`` of
# the first ``n_reconstructions``.
from sklearn.model_selection import train_test_split

from aembed import DenoisingAEEmbedder
from aembed.callbacks import LatentSnapshots
from aembed.datasets import load_mnist_5k

X, y = load_mnist_5k(return_X_y=True)
X_train, X_follow, y_train, y_follow = train_test_split(
    X, y, train_size=2000, test_size=500, stratify=y, random_state=0
)

snapshots = LatentSnapshots(X_follow, every=1, n_reconstructions=10)
ae = DenoisingAEEmbedder(
    n_components=2,
    noise_level=0.2,
    max_epochs=20,
    callbacks=[snapshots],
    random_state=0,
)
ae.fit(X_train)
epochs = snapshots.epochs_
print(f"{len(epochs)} snapshots, after epochs {epochs[0]} to {epochs[-1]}")

# %%
# Small multiples
# ---------------
# After one epoch the digits lie along a line: the network has found one
# direction that explains the most. Classes then peel off one after another
# (the 1s first, then the 0s, the digits least like the rest) while the map
# grows. Each panel has its own scale, to show the shape at every stage.
import matplotlib.pyplot as plt

from aembed.plotting import plot_embedding

shown = [1, 2, 3, 5, 10, 20]
fig, axes = plt.subplots(2, 3, figsize=(12, 7), layout="constrained")
for ax, epoch in zip(axes.flat, shown, strict=True):
    Z = snapshots.embeddings_[snapshots.epochs_.index(epoch)]
    plot_embedding(Z, y_follow, ax=ax, title=f"epoch {epoch}", s=4)
    if ax is not axes.flat[-1]:
        ax.get_legend().remove()

# %%
# An animation
# ------------
# The same snapshots as a matplotlib
# :class:`~matplotlib.animation.FuncAnimation`, on axes that cover every
# frame, so that the motion is the embedding's and not the axes'. The
# controls below the figure step through the epochs.
import numpy as np
from matplotlib.animation import FuncAnimation

frames = snapshots.embeddings_
everything = np.concatenate(frames)
low, high = everything.min(axis=0), everything.max(axis=0)
pad = 0.05 * (high - low)

fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
plot_embedding(frames[0], y_follow, ax=ax, s=6)
ax.set_xlim(low[0] - pad[0], high[0] + pad[0])
ax.set_ylim(low[1] - pad[1], high[1] + pad[1])
points = ax.collections[0]
# plot_embedding draws the rows in a fixed shuffled order (so that no class
# hides the others); the same order places every frame's points.
order = np.random.RandomState(0).permutation(len(y_follow))


def draw_epoch(k):
    points.set_offsets(frames[k][order])
    ax.set_title(f"epoch {snapshots.epochs_[k]}")
    return (points,)


animation = FuncAnimation(fig, draw_epoch, frames=len(frames), interval=400)

# %%
# Reconstructions improving
# -------------------------
# The first ten followed digits, decoded from their 2-D codes after
# selected epochs: the same blurred average for every digit at first, then
# digit shapes. By the end most are recognisable, though two numbers still
# confuse similar shapes, such as 4 and 9.
from aembed.plotting import plot_reconstructions

plot_reconstructions(
    X_follow[:10],
    {
        f"epoch {epoch}": snapshots.reconstructions_[snapshots.epochs_.index(epoch)]
        for epoch in (1, 3, 10, 20)
    },
    image_shape=(28, 28),
)

# %%
# Animated GIFs
# -------------
# :func:`~aembed.plotting.save_animation` and
# :func:`~aembed.plotting.save_image_animation` write the same snapshots as
# GIFs, to put in a report or a slide. Here they go to a temporary folder.
import tempfile
from pathlib import Path

from aembed.plotting import save_animation, save_image_animation

with tempfile.TemporaryDirectory() as folder:
    titles = [f"epoch {e}" for e in snapshots.epochs_]
    latent_gif = save_animation(
        snapshots.embeddings_,
        Path(folder) / "latent.gif",
        labels=y_follow,
        titles=titles,
    )
    images_gif = save_image_animation(
        snapshots.reconstructions_,
        Path(folder) / "reconstructions.gif",
        image_shape=(28, 28),
        originals=X_follow[:10],
        titles=titles,
    )
    for path in (latent_gif, images_gif):
        print(f"{path.name}: {path.stat().st_size / 1e3:.0f} kB")
