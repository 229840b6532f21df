"""The names under which MXNet 1.9's executor monitor (``monitor_all=True``) reports an operator's
inputs: ``<node>_<input name>``, where the input name is the one the operator declares to the
graph, or ``input<i>`` for the operators that declare none (most elementwise and reduction
operators), ``arg<i>`` for those that take any number of inputs."""

# operators (MXNet's names) whose inputs MXNet's monitor reports as input0, input1, ...
_POSITIONAL = frozenset((
    "Activation", "BlockGrad", "Cast", "Flatten", "Reshape", "SoftmaxActivation", "abs", "arccos",
    "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "argmax", "argmax_channel", "argmin",
    "argsort", "broadcast_axis", "broadcast_to", "cbrt", "ceil", "clip", "cos", "cosh", "degrees",
    "erf", "erfinv", "exp", "expand_dims", "expm1", "fix", "floor", "gamma", "gammaln",
    "hard_sigmoid", "identity", "log", "log10", "log1p", "log2", "logical_not", "make_loss", "max",
    "mean", "min", "nanprod", "nansum", "negative", "norm", "ones_like", "prod", "radians", "rcbrt",
    "reciprocal", "relu", "rint", "round", "rsqrt", "sample_multinomial", "shape_array", "shuffle",
    "sigmoid", "sign", "sin", "sinh", "size_array", "slice", "slice_axis", "smooth_l1", "softmin",
    "softsign", "sort", "sqrt", "square", "sum", "tan", "tanh", "topk", "transpose", "trunc",
    "zeros_like", "_copy"))

# variadic operators whose inputs are named after the operator's own prefix
_VARIADIC_PREFIX = {"multi_all_finite": "array_"}


def _positional(op):
    if op.name.endswith("_scalar"):
        return True
    return any(n in _POSITIONAL for n in (op.name,) + tuple(op.aliases))


def input_names(node, n):
    """The monitor's names for the ``n`` inputs of operator node ``node``."""
    op = node.op
    if op.variadic:
        prefix = _VARIADIC_PREFIX.get(op.name, "arg")
        names = [f"{prefix}{i}" for i in range(n)]
    elif _positional(op):
        names = [f"input{i}" for i in range(n)]
    else:
        names = list(op.input_names(node.parsed, n))[:n]
        names += [f"input{i}" for i in range(len(names), n)]
    return [f"{node.name}_{x}" for x in names]
