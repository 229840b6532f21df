"""Gluon helpers: splitting batches across devices, gradient clipping, downloads, hooks."""
import collections
import hashlib
import os
import ssl
import urllib.request
import uuid
import warnings
import weakref

import numpy as np

from ..backend import get_backend
from ..base import data_dir
from ..ndarray import NDArray, array as _nd_array
from ..ndarray.ndarray import _wrap

__all__ = ["split_data", "split_and_load", "clip_global_norm", "check_sha1", "download",
           "shape_is_known", "HookHandle", "data_dir"]


def _np_flag(name):
    """``mxnet.util.is_np_array``/``is_np_shape`` (False until mxnet.util exists)."""
    try:
        from .. import util
    except ImportError:
        return False
    return getattr(util, name)()




def split_data(data, num_slice, batch_axis=0, even_split=True):
    """Split ``data`` into ``num_slice`` parts along ``batch_axis``; with ``even_split=False``
    the first ``size % num_slice`` parts get one extra item (parts may be empty)."""
    size = data.shape[batch_axis]
    if even_split and size % num_slice != 0:
        raise ValueError(
            f"data with shape {data.shape} cannot be evenly split into {num_slice} slices along "
            f"axis {batch_axis}. Use a batch size that's multiple of {num_slice} or set "
            "even_split=False to allow uneven partitioning of data.")
    n_each, extras = divmod(size, num_slice)
    bounds = np.cumsum([0] + [n_each + 1] * extras + [n_each] * (num_slice - extras)).tolist()
    if batch_axis == 0:  # a plain row slice, which CSR arrays take too
        return [data[bounds[i]:bounds[i + 1]] for i in range(num_slice)]
    lead = (slice(None),) * batch_axis
    return [data[lead + (slice(bounds[i], bounds[i + 1]),)] for i in range(num_slice)]


def split_and_load(data, ctx_list, batch_axis=0, even_split=True):
    """Split ``data`` (an NDArray or anything ``nd.array`` takes) along ``batch_axis`` and copy
    part ``i`` to ``ctx_list[i]``."""
    if not isinstance(data, NDArray):
        if _np_flag("is_np_array"):
            from .. import numpy as _mx_np
            data = _mx_np.array(data, ctx=ctx_list[0])
        else:
            data = _nd_array(data, ctx=ctx_list[0])
    if len(ctx_list) == 1:
        return [data.as_in_context(ctx_list[0])]
    slices = split_data(data, len(ctx_list), batch_axis, even_split)
    return [s.as_in_context(ctx) for s, ctx in zip(slices, ctx_list)]


def clip_global_norm(arrays, max_norm, check_isfinite=True):
    """Scale ``arrays`` in place so that their joint 2-norm is at most ``max_norm``.

    Returns the norm before scaling: a Python float when ``check_isfinite`` (which also warns
    on nan/inf), else a shape-(1,) NDArray on the first array's context.
    """
    assert len(arrays) > 0
    ctx = arrays[0].context
    sq = np.float32(0)
    for arr in arrays:
        be = get_backend(arr.context)
        x = arr._data.reshape(-1)
        sq = sq + np.asarray(be.to_numpy(be.xp.vdot(x, x)), dtype=np.float32)
    total = np.sqrt(np.float32(sq), dtype=np.float32)
    if check_isfinite and not np.isfinite(total):
        warnings.warn(UserWarning("nan or inf is detected. Clipping results will be undefined."),
                      stacklevel=2)
    scale = min(np.float32(max_norm) / (total + np.float32(1e-8)), np.float32(1.0))
    with np.errstate(invalid="ignore"):   # nan/inf norms were warned about above
        for arr in arrays:
            if arr.stype == "default":
                arr._data[...] = arr._data * arr._data.dtype.type(scale)
            else:   # sparse arrays scale their stored values themselves
                arr *= float(scale)
    if check_isfinite:
        return float(total)
    return _wrap(get_backend(ctx).asarray(np.array([total], dtype=np.float32)), ctx)


def check_sha1(filename, sha1_hash):
    """Whether the SHA-1 hex digest of the file ``filename`` equals ``sha1_hash``."""
    sha1 = hashlib.sha1()
    with open(filename, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha1.update(chunk)
    return sha1.hexdigest() == sha1_hash


def replace_file(src, dst):
    """Move ``src`` over ``dst`` atomically (same file system)."""
    os.replace(src, dst)


def _fetch(url, dst, verify_ssl):
    """Write the body of ``url`` to the file ``dst``: HTTP(S) through ``requests`` (what MXNet
    uses) when it is installed, other schemes (``file://``) and the rest through urllib."""
    try:
        import requests
    except ImportError:
        requests = None
    if requests is not None and url.lower().startswith(("http://", "https://")):
        r = requests.get(url, stream=True, verify=verify_ssl)
        if r.status_code != 200:
            raise RuntimeError(f"Failed downloading url {url}")
        with open(dst, "wb") as f:
            for chunk in r.iter_content(chunk_size=1 << 16):
                if chunk:
                    f.write(chunk)
        return
    context = None if verify_ssl else ssl._create_unverified_context()
    with urllib.request.urlopen(url, context=context) as r, open(dst, "wb") as f:
        status = getattr(r, "status", None)  # file:// responses carry none
        if status is not None and status != 200:
            raise RuntimeError(f"Failed downloading url {url}")
        for chunk in iter(lambda: r.read(1 << 16), b""):
            f.write(chunk)


def download(url, path=None, overwrite=False, sha1_hash=None, retries=5, verify_ssl=True):
    """Download ``url`` to ``path`` (a file, or a directory to put the URL's file name in; the
    current directory by default) and return the file name.

    Nothing is fetched when the file exists and matches ``sha1_hash`` (or no hash is given),
    unless ``overwrite``. The data goes to a temporary file renamed into place, so a failed
    download never leaves a partial file; it is retried ``retries`` times.
    """
    if path is None:
        fname = url.split("/")[-1]
        assert fname, "Can't construct file-name from this URL. Please set the `path` option manually."
    else:
        path = os.path.expanduser(path)
        fname = os.path.join(path, url.split("/")[-1]) if os.path.isdir(path) else path
    assert retries >= 0, f"Number of retries should be at least 0, currently it's {retries}"
    if not verify_ssl:
        warnings.warn("Unverified HTTPS request is being made (verify_ssl=False). "
                      "Adding certificate verification is strongly advised.")
    if not (overwrite or not os.path.exists(fname)
            or (sha1_hash and not check_sha1(fname, sha1_hash))):
        return fname
    dirname = os.path.dirname(os.path.abspath(fname))
    os.makedirs(dirname, exist_ok=True)
    while True:
        tmp = f"{fname}.{uuid.uuid4()}"
        try:
            print(f"Downloading {fname} from {url}...")
            _fetch(url, tmp, verify_ssl)
            if sha1_hash and not check_sha1(tmp, sha1_hash):
                raise UserWarning(f"File {fname} is downloaded but the content hash does not "
                                  "match. The repo may be outdated or download may be incomplete. "
                                  'If the "repo_url" is overridden, consider switching to the '
                                  "default repo.")
            replace_file(tmp, fname)
            return fname
        except Exception as e:
            if os.path.exists(tmp):
                os.remove(tmp)
            retries -= 1
            if retries <= 0:
                raise e
            print(f"download failed due to {e!r}, retrying, {retries} "
                  f"attempt{'s' if retries > 1 else ''} left")


def _get_repo_url():
    """The Gluon repository URL: ``$MXNET_GLUON_REPO`` or Apache's S3 bucket, ending in '/'."""
    repo_url = os.environ.get("MXNET_GLUON_REPO",
                              "https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/")
    return repo_url if repo_url.endswith("/") else repo_url + "/"


def _get_repo_file_url(namespace, filename):
    """URL of ``filename`` under ``namespace`` in the Gluon repository."""
    return f"{_get_repo_url()}{namespace}/{filename}"


def _brief_print_list(lst, limit=7):
    """``'a', 'b', ..., 'y', 'z'``: at most ``limit`` quoted items, the middle elided."""
    lst = list(lst)
    if len(lst) > limit:
        return _brief_print_list(lst[:limit // 2], limit) + ", ..., " + \
            _brief_print_list(lst[-limit // 2:], limit)
    return ", ".join(f"'{x}'" for x in lst)


def _indent(s_, num_spaces):
    """Indent every line of ``s_`` but the first by ``num_spaces``."""
    lines = s_.split("\n")
    if len(lines) == 1:
        return s_
    return lines[0] + "\n" + "\n".join(" " * num_spaces + line for line in lines[1:])


def shape_is_known(shape):
    """Whether every dimension of ``shape`` is known (unknown: 0, or -1 under np-shape)."""
    if shape is None:
        return False
    unknown = -1 if _np_flag("is_np_shape") else 0
    if len(shape) == 0:
        return unknown == -1
    for dim in shape:
        if dim == unknown:
            return False
        assert dim > unknown, f"shape dimension size cannot be less than {unknown}, while received {dim}"
    return True


class HookHandle:
    """Handle returned when registering a hook; ``detach()`` (or leaving a ``with``) removes it."""

    def __init__(self):
        self._hooks_dict_ref = None
        self._id = None

    def attach(self, hooks_dict, hook):
        assert not self._hooks_dict_ref, "The same handle cannot be attached twice."
        self._id = id(hook)
        hooks_dict[self._id] = hook
        self._hooks_dict_ref = weakref.ref(hooks_dict)

    def detach(self):
        hooks_dict = self._hooks_dict_ref()
        if hooks_dict is not None and self._id in hooks_dict:
            del hooks_dict[self._id]

    def __getstate__(self):
        return (self._hooks_dict_ref(), self._id)

    def __setstate__(self, state):
        hooks = collections.OrderedDict() if state[0] is None else state[0]
        self._hooks_dict_ref = weakref.ref(hooks)
        self._id = state[1]

    def __enter__(self):
        return self

    def __exit__(self, ptype, value, trace):
        self.detach()
