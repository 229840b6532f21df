"""The operator registry and every operator family.  Importing this package registers them all."""
from .registry import register, get_op, has_op, all_names, canonical_ops, Param, OpDef, Attrs, OpContext
from . import elemwise, matrix, init_ops  # noqa: F401  (each module registers its family on import)

__all__ = ["register", "get_op", "has_op", "all_names", "canonical_ops", "Param", "OpDef", "Attrs",
           "OpContext"]
