"""
==================================
A 2-D autoencoder on MNIST digits
==================================

An autoencoder squeezes each 784-pixel digit through a bottleneck of two
numbers and learns to rebuild the digit from them. With a 2-D bottleneck the
codes can be drawn directly: this example scatters them coloured by digit,
follows a few digits through their three stages (image, point in the latent
plane, reconstruction), and decodes a grid of latent points to show what
each region of the plane has learned.
"""

# %%
# Training
# --------
# :class:`~aembed.DenoisingAEEmbedder` corrupts every training digit with
# Gaussian noise (``noise_level=0.2``, in pixel units) and learns to rebuild
# the clean digit. On a few thousand digits that organises the plane better
# than a plain autoencoder (``noise_level=0``), which has nothing to stop it
# from memorising. Pixels lie in [0, 1], so the reconstruction loss is
# binary cross-entropy (``reconstruction_loss="auto"`` picks it).
from sklearn.model_selection import train_test_split

from aembed import DenoisingAEEmbedder
from aembed.datasets import load_mnist_5k

X, y = load_mnist_5k(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=3000, test_size=1000, stratify=y, random_state=0
)

ae = DenoisingAEEmbedder(n_components=2, noise_level=0.2, max_epochs=30, random_state=0)
ae.fit(X_train)
loss = ae.history_["train_loss"].iloc[-1]
print(f"{ae.n_iter_} epochs; final training loss {loss:.1f} nats per digit")

# %%
# The latent space
# ----------------
# Each held-out digit becomes one point. The autoencoder never saw a label,
# yet digits of one class gather together: classes with distinctive shapes,
# like 0 and 1, get regions of their own, while others share a crowded
# centre. A 2-D code is a map for the eye; for a classifier downstream, use
# more components.
from aembed.plotting import plot_embedding

Z_test = ae.transform(X_test)
plot_embedding(Z_test, y_test, title="autoencoder, held-out digits")

# %%
# Original, latent point, reconstruction
# --------------------------------------
# :func:`~aembed.plotting.plot_latent_strip` follows digits through the
# network: the input image, its place in the plane (the red cross among all
# the held-out codes) and the image decoded from that point alone. Two
# numbers cannot hold the details of the handwriting, so reconstructions are
# blurred, prototypical versions of the digit, and a digit that lands where
# classes crowd together comes back as a blend of its neighbours.
import numpy as np

from aembed.plotting import plot_latent_strip

# One example each of five digits.
picks = np.array([np.flatnonzero(y_test == d)[0] for d in (0, 1, 3, 4, 7)])
order = np.concatenate([picks, np.setdiff1d(np.arange(len(y_test)), picks)])
plot_latent_strip(
    X_test[order],
    Z_test[order],
    ae.inverse_transform(Z_test[order]),
    image_shape=(28, 28),
    labels=y_test[order],
    n=5,
)

# %%
# The decoded plane
# -----------------
# ``inverse_transform`` decodes any point of the plane, not only codes of
# real digits. :func:`~aembed.plotting.plot_latent_grid` decodes a regular
# grid spanning the held-out codes: the map of what the decoder has learned
# to draw, with digits morphing into their neighbours.
from aembed.plotting import plot_latent_grid

# sphinx_gallery_thumbnail_number = 3

low, high = np.percentile(Z_test, [2, 98], axis=0)
plot_latent_grid(
    ae.inverse_transform,
    extent=(low[0], high[0], low[1], high[1]),
    n=15,
    image_shape=(28, 28),
)

# %%
# Training curve
# --------------
# ``history_`` is a DataFrame with one row per epoch;
# :func:`~aembed.plotting.plot_history` draws it.
from aembed.plotting import plot_history

plot_history(ae.history_, title="training loss")
