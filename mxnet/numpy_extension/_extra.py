"""More ``mx.npx`` operator functions: arange_like, roi_pooling, the SSD multibox operators, the fused
rnn and constraint_check."""

import numpy as onp

from ..base import MXNetError
from ..ops import contrib_detection  # noqa: F401 - registers the _contrib_MultiBox* operators
from ..numpy._funcs import _to_nd
from ..numpy.multiarray import _wrap
from ._op import _op_fn

__all__ = [
    "arange_like",
    "roi_pooling",
    "multibox_prior",
    "multibox_target",
    "multibox_detection",
    "rnn",
    "constraint_check",
]

arange_like = _op_fn("arange_like", "_contrib_arange_like", ("data",))
roi_pooling = _op_fn("roi_pooling", "ROIPooling", ("data", "rois"))
multibox_prior = _op_fn("multibox_prior", "_contrib_MultiBoxPrior", ("data",))
multibox_target = _op_fn("multibox_target", "_contrib_MultiBoxTarget", ("anchor", "label", "cls_pred"))
multibox_detection = _op_fn(
    "multibox_detection", "_contrib_MultiBoxDetection", ("cls_prob", "loc_pred", "anchor")
)
rnn = _op_fn("rnn", "RNN", ("data", "parameters", "state", "state_cell", "sequence_length"))


def constraint_check(x, msg="Constraint violated."):
    """Return True (as a 0-d bool array) when every element of the bool array ``x`` is true;
    otherwise raise ValueError(msg)."""
    a = _to_nd(x)
    if a.dtype != onp.bool_:
        raise MXNetError(f"Operator _npx_constraint_check: input must be a bool array, got {a.dtype}")
    if not bool(onp.all(a.asnumpy())):
        raise ValueError(msg)
    return _wrap(onp.array(True), a.context)
