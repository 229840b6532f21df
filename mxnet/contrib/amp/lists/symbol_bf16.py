"""AMP operator lists for bfloat16: the same choices as for float16."""
from .symbol_fp16 import (FP16_FUNCS as BF16_FUNCS, FP16_FP32_FUNCS as BF16_FP32_FUNCS,  # noqa: F401
                          FP32_FUNCS, CONDITIONAL_FP32_FUNCS, WIDEST_TYPE_CASTS, LOSS_OUTPUT_FUNCTIONS,
                          FP16_USE_FP32_PARAMS as BF16_USE_FP32_PARAMS)
