"""``save`` where writing fails or is not safe: one clear error, old file intact."""

import contextlib
import errno
import os
import resource
import signal
import stat
import subprocess

import pytest
from sklearn.datasets import load_digits

import aembed
from aembed import DenoisingAEEmbedder

root_only = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root"
)


@pytest.fixture(scope="module")
def est():
    X, _ = load_digits(return_X_y=True)
    # Tensors larger than a file buffer: torch's archive writer writes them
    # itself, and a failed write comes back as torch's own RuntimeError.
    return DenoisingAEEmbedder(max_epochs=1, random_state=0).fit(X[:100])


@contextlib.contextmanager
def file_size_limit(n_bytes):
    """Writes beyond ``n_bytes`` fail with EFBIG, as on a full disk."""
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (n_bytes, limits[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, handler)


def test_a_failed_write_is_one_oserror_naming_the_path(est, tmp_path):
    path = tmp_path / "model.aembed"
    est.save(path)
    before = path.read_bytes()
    with file_size_limit(len(before) // 2), pytest.raises(OSError) as info:
        est.save(path)
    assert info.value.errno == errno.EFBIG
    assert info.value.filename == str(path)
    assert "enforce fail" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    # The earlier file is intact, and no temporary file is left.
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.aembed"]


@root_only
def test_a_full_disk_is_reported_as_such(est, tmp_path):
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        path = folder / "model.aembed"
        est.save(path)  # 1.2 MB: a second copy does not fit
        before = path.read_bytes()
        with pytest.raises(OSError, match="No space left on device.*model.aembed"):
            est.save(path)
        assert path.read_bytes() == before
        assert os.listdir(folder) == ["model.aembed"]
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@root_only
def test_save_refuses_another_users_symlink_in_a_shared_folder(est, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # as /tmp
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = shared / "model.aembed"
    link.symlink_to(victim)
    os.lchown(link, 12345, 12345)
    with pytest.raises(PermissionError, match="symlink that another user owns") as info:
        est.save(link)
    assert info.value.filename == str(link)
    assert victim.read_text() == "precious"
    # The folder's owner's links, and links in folders that are not shared,
    # are written through as before.
    os.lchown(link, os.geteuid(), os.getegid())
    est.save(link)
    assert aembed.load(victim).n_features_in_ == 64
    victim.write_text("precious")
    shared.chmod(0o755)
    os.lchown(link, 12345, 12345)
    est.save(link)
    assert stat.S_ISLNK(os.lstat(link).st_mode)
    assert aembed.load(victim).n_features_in_ == 64


def test_save_never_replaces_a_device_or_a_pipe(est, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="a device, a pipe or a socket"):
        est.save(fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    with pytest.raises(ValueError, match="path='' is empty"):
        est.save("")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_load_refuses_devices_and_pipes_before_reading(tmp_path):
    # /dev/zero was read until memory ran out; a pipe waited for a writer.
    with pytest.raises(ValueError, match="a device, a pipe or a socket"):
        aembed.load("/dev/zero")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="a device, a pipe or a socket"):
        aembed.load(fifo)
    with pytest.raises(IsADirectoryError):
        aembed.load(tmp_path)


def test_a_checkpoint_that_hits_a_full_disk_warns_once_and_keeps_the_model(tmp_path):
    # torch's archive writer raised its own RuntimeError, which fit did not
    # catch: the trained model was lost.
    X, _ = load_digits(return_X_y=True)
    est = DenoisingAEEmbedder(
        max_epochs=3, random_state=0, checkpoint_dir=tmp_path / "checkpoints"
    )
    with file_size_limit(100_000), pytest.warns(UserWarning) as record:
        est.fit(X[:100])
    failed = [w for w in record if "could not write the checkpoint" in str(w.message)]
    assert len(failed) == 1 and "File too large" in str(failed[0].message)
    assert est.transform(X[:5]).shape == (5, 2)
    assert est.n_iter_ == 3
