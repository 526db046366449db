"""
=========================================
Serving an embedder with ONNX, no PyTorch
=========================================

A fitted embedder usually ends up in production, and there the runtime is
often ONNX rather than a Python process with PyTorch. :mod:`aembed.onnx`
writes a fitted model's ``transform`` (and ``predict``, and the decoder
behind ``inverse_transform``) as an ONNX graph, node by node from its
weights, and registers converters with ``skl2onnx`` so that a whole
scikit-learn pipeline around an embedder converts in one call. This example
fits a VAE, exports it, serves it with ``onnxruntime`` and compares the
outputs with aembed's own. It needs the ``onnx`` extra:
``pip install "aembed[onnx]"``.
"""

# %%
# Fit a VAE
# ---------
# 2,000 MNIST digits and a few epochs keep the example fast.
from sklearn.model_selection import train_test_split

from aembed import VAEEmbedder
from aembed.datasets import load_mnist_5k

X, y = load_mnist_5k(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=2000, test_size=1000, stratify=y, random_state=0
)
vae = VAEEmbedder(n_components=2, max_epochs=15, random_state=0).fit(X_train)

# %%
# Export and serve
# ----------------
# :func:`aembed.onnx.to_onnx` returns the model (and writes it, given a
# path). Its input ``"X"`` takes float32 rows, any number of them; its
# output ``"embedding"`` is what ``transform`` returns: the input scaling
# fitted in ``fit``, the encoder and the posterior mean are all in the
# graph.
import os
import tempfile

import numpy as np
import onnxruntime as ort

from aembed.onnx import to_onnx

with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "vae.onnx")
    to_onnx(vae, path)
    print(f"model file: {os.path.getsize(path) / 1024:.0f} KiB")
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
Z_onnx = session.run(None, {"X": X_test.astype(np.float32)})[0]
Z_aembed = vae.transform(X_test)
print(f"largest difference: {np.abs(Z_onnx - Z_aembed).max():.1e}")

# %%
# The two embeddings agree to float32 rounding: the graph computes the same
# operations in the same precision, only with onnxruntime's kernels.
import matplotlib.pyplot as plt

from aembed.plotting import plot_embedding

fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
plot_embedding(Z_aembed, y_test, ax=axes[0], title="vae.transform")
plot_embedding(Z_onnx, y_test, ax=axes[1], title="onnxruntime")
axes[0].get_legend().remove()

# %%
# The decoder
# -----------
# ``method="inverse_transform"`` exports the decoder, with the Bernoulli
# likelihood's sigmoid and the inverse input scaling: decoded points come
# out in the units of the training data. Decoding standard normal draws
# is what ``VAEEmbedder.sample`` does.
decoder = ort.InferenceSession(
    to_onnx(vae, method="inverse_transform").SerializeToString(),
    providers=["CPUExecutionProvider"],
)
z = np.random.RandomState(0).standard_normal((8, 2)).astype(np.float32)
samples = decoder.run(None, {"X": z})[0]
print(
    f"largest difference: {np.abs(samples - vae.sample(8, random_state=0)).max():.1e}"
)

fig, axes = plt.subplots(1, 8, figsize=(10, 1.5), layout="constrained")
for ax, image in zip(axes, samples, strict=True):
    ax.imshow(image.reshape(28, 28), cmap="gray_r")
    ax.set_axis_off()

# %%
# A whole pipeline
# ----------------
# Importing :mod:`aembed.onnx` registers converters with ``skl2onnx``, so a
# pipeline with an embedder converts like any scikit-learn pipeline. Here
# a k-nearest-neighbours classifier, fitted on the VAE's embedding of the
# training digits, follows the VAE; the converted graph predicts the same
# labels. ``zipmap=False`` gives the class probabilities as one array.
import skl2onnx
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline

knn = KNeighborsClassifier().fit(vae.transform(X_train), y_train)
pipe = Pipeline([("vae", vae), ("knn", knn)])
onx = skl2onnx.to_onnx(pipe, X_train[:1].astype(np.float32), options={"zipmap": False})
labels = ort.InferenceSession(
    onx.SerializeToString(), providers=["CPUExecutionProvider"]
).run(["label"], {"X": X_test.astype(np.float32)})[0]
print(f"same labels as pipe.predict: {np.mean(labels == pipe.predict(X_test)):.1%}")
