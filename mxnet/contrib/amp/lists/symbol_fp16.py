"""AMP operator lists for float16.

- ``FP16_FUNCS``: matrix products and convolutions, which gain from low precision; their float
  inputs are cast to float16.
- ``FP16_FP32_FUNCS``: operators that run in whatever type they are given (not wrapped).
- ``FP32_FUNCS``: operators whose range or accumulation needs float32 (exponentials, norms,
  softmax, losses, large reductions); their inputs are cast to float32.
- ``CONDITIONAL_FP32_FUNCS``: ``(operator, parameter, values)``: float32 only for those values.
- ``WIDEST_TYPE_CASTS``: operators combining several inputs, which are cast to the widest type
  among them.
- ``LOSS_OUTPUT_FUNCTIONS``: output layers whose gradient AMP scales by the loss scale.
"""

FP16_FUNCS = [
    "Convolution", "Deconvolution", "FullyConnected", "RNN",
    "_contrib_interleaved_matmul_selfatt_qk", "_contrib_interleaved_matmul_selfatt_valatt",
    "_contrib_interleaved_matmul_encdec_qk", "_contrib_interleaved_matmul_encdec_valatt",
]

FP16_FP32_FUNCS = [
    "Activation", "BatchNorm", "BlockGrad", "Cast", "Crop", "Dropout", "Embedding", "Flatten",
    "LeakyReLU", "Pad", "Pooling", "Reshape", "SequenceLast", "SequenceMask", "SequenceReverse",
    "SliceChannel", "SwapAxis", "UpSampling", "_copy", "abs", "argmax", "argmin", "argsort",
    "batch_take", "broadcast_axis", "broadcast_like", "broadcast_to", "ceil", "clip", "depth_to_space",
    "expand_dims", "fix", "flip", "floor", "identity", "max", "min", "negative", "one_hot", "ones_like",
    "pick", "relu", "repeat", "reshape_like", "reverse", "rint", "round", "shape_array", "sigmoid",
    "sign", "size_array", "slice", "slice_axis", "slice_like", "sort", "space_to_depth", "split",
    "squeeze", "take", "tanh", "tile", "topk", "transpose", "trunc", "zeros_like",
]

FP32_FUNCS = [
    "BilinearSampler", "CTCLoss", "GridGenerator", "InstanceNorm", "L2Normalization", "LRN",
    "LayerNorm", "GroupNorm", "MakeLoss", "ROIPooling", "SoftmaxActivation", "SpatialTransformer",
    "SVMOutput", "_contrib_ROIAlign", "arccos", "arccosh", "arcsin", "arctan", "arctanh", "cbrt",
    "cos", "cosh", "degrees", "erf", "erfinv", "exp", "expm1", "gamma", "gammaln", "log", "log10",
    "log1p", "log2", "log_softmax", "make_loss", "mean", "nansum", "nanprod", "norm", "prod",
    "radians", "rcbrt", "reciprocal", "rsqrt", "sin", "sinh", "smooth_l1", "softmax", "softmin",
    "softsign", "sqrt", "square", "sum", "tan", "moments", "_square_sum",
    "_linalg_gemm", "_linalg_gemm2", "_linalg_potrf", "_linalg_potri", "_linalg_trmm",
    "_linalg_trsm", "_linalg_sumlogdiag", "_linalg_syrk", "_linalg_gelqf", "_linalg_syevd",
    "_linalg_inverse", "_linalg_det", "_linalg_slogdet",
]

CONDITIONAL_FP32_FUNCS = [
    ("Activation", "act_type", ["softrelu"]),
    ("LeakyReLU", "act_type", ["elu", "selu"]),
]

WIDEST_TYPE_CASTS = [
    "Concat", "add_n", "ElementWiseSum", "stack", "where", "dot", "batch_dot",
    "elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div",
    "broadcast_add", "broadcast_sub", "broadcast_mul", "broadcast_div", "broadcast_mod",
    "broadcast_power", "broadcast_maximum", "broadcast_minimum", "broadcast_hypot",
    "broadcast_equal", "broadcast_not_equal", "broadcast_greater", "broadcast_greater_equal",
    "broadcast_lesser", "broadcast_lesser_equal", "broadcast_logical_and", "broadcast_logical_or",
    "broadcast_logical_xor",
]

LOSS_OUTPUT_FUNCTIONS = [
    "SoftmaxOutput", "LinearRegressionOutput", "LogisticRegressionOutput", "MAERegressionOutput",
]

# parameters of FP16 operators that stay float32 (none of the operators above need it)
FP16_USE_FP32_PARAMS = {}
