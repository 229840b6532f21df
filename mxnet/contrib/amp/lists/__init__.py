"""Which operators AMP runs in low precision, in float32, or in the widest input type."""
from . import symbol_fp16, symbol_bf16  # noqa: F401
