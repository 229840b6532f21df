"""The operator registry and every operator family.  Importing this package registers them all."""
from .registry import register, get_op, has_op, all_names, canonical_ops, Param, OpDef, Attrs, OpContext
# each module registers its family on import
from . import elemwise, reduce, matrix, indexing, linalg, init_ops  # noqa: F401
from . import nn_conv, nn_basic, nn_activation, nn_norm, nn_loss, random_ops, optimizer_ops  # noqa: F401
# the NumPy-interface operators (_npi_*, _np_*, _npx_*) come last: some are clones of the above
from . import np_elemwise, np_shape, np_reduce, np_misc, npx_ops  # noqa: F401
# families that alias or reuse the operators above (cumsum, pick, BatchNorm, ...)
from . import rnn_op, nn_extra, misc_ops, contrib_ops, custom_op, contrib_deform, contrib_detection  # noqa: F401
from . import control_flow, contrib_extra, image_ops, contrib_transformer, quantization  # noqa: F401
# forked children (DataLoader workers) start single-threaded, as MXNet's do
from . import _threads  # noqa: F401
from . import contrib_rcnn  # noqa: F401

__all__ = ["register", "get_op", "has_op", "all_names", "canonical_ops", "Param", "OpDef", "Attrs",
           "OpContext"]
