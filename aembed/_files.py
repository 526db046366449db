"""Files written whole or not at all."""

import contextlib
import os
import uuid
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; move it into place on success.

    The writer inside the block writes to the temporary path; when the block
    ends without an error, :func:`os.replace` puts the file where it belongs,
    so a reader never sees a half-written file and a failure leaves the old
    one untouched. The temporary name is short (a crash leaves at most a
    ``.aembed-*.tmp`` file) and keeps the suffix, which some writers read the
    format from.
    """
    path = Path(path)
    tmp = path.with_name(f".aembed-{uuid.uuid4().hex[:12]}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno is not None:
            # The caller's path, not the temporary one the writer used.
            raise type(exc)(exc.errno, exc.strerror, str(path)) from None
        raise


def write_text(path, text):
    """Write ``text`` (UTF-8) to ``path`` atomically; return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
