"""``mx.npx``-only operators: ``_npx_reshape`` with its special codes, and the ``_npx_*``
names under which MXNet also registers legacy operators that ``npx`` reuses."""
from ..base import MXNetError
from .registry import register, Param, has_op, add_alias


def npx_shape(src, target, reverse=False):
    """Resolve npx.reshape codes: -1 infer, -2 copy, -3 drop a size-1 dim, -4 copy the rest,
    -5 merge two dims, -6 split one dim into the two values that follow."""
    if reverse:
        # the codes are read from the right: -6's two sizes come before it
        res = npx_shape(src[::-1], list(target)[::-1], False)
        return res[::-1]
    src, out, i, j, infer = list(src), [], 0, 0, -1
    target = list(target)
    while j < len(target):
        t = target[j]
        if t >= 0:
            out.append(t)
            i += 1
        elif t == -1:
            infer = len(out)
            out.append(1)
            i += 1
        elif t == -2:
            out.append(src[i])
            i += 1
        elif t == -3:
            if src[i] != 1:
                raise MXNetError(f"npx.reshape: -3 needs a dimension of size 1, got {src[i]}")
            i += 1
        elif t == -4:
            out.extend(src[i:])
            i = len(src)
        elif t == -5:
            out.append(src[i] * src[i + 1])
            i += 2
        elif t == -6:
            a, b = target[j + 1], target[j + 2]
            a = src[i] // b if a == -1 else a
            b = src[i] // a if b == -1 else b
            out.extend([a, b])
            i += 1
            j += 2
        else:
            raise MXNetError(f"npx.reshape: invalid code {t}")
        j += 1
    if infer >= 0:
        known = 1
        for k, d in enumerate(out):
            if k != infer:
                known *= d
        total = 1
        for d in src:
            total *= d
        out[infer] = total // known if known else 0
    return tuple(out)


def _reshape_fwd(attrs, ins, ctx):
    x = ins[0]
    return x.reshape(npx_shape(x.shape, attrs.newshape, attrs.reverse), order=attrs.order)


def _reshape_bwd(attrs, og, ins, outs, ctx, state):
    return [og[0].reshape(ins[0].shape)]


register("_npx_reshape", _reshape_fwd, inputs=("a",), backward=_reshape_bwd,
         params=(Param("newshape", "shape"), Param("reverse", "bool", False), Param("order", "str", "C")),
         doc="Reshape with npx's special codes (-1 ... -6).")

# npx functions that run a legacy operator: MXNet registers each also under an _npx_ name
NPX_ALIASES = {"_npx_activation": "Activation", "_npx_batch_dot": "batch_dot", "_npx_batch_flatten": "Flatten",
               "_npx_batch_norm": "BatchNorm", "_npx_cast": "Cast", "_npx_convolution": "Convolution",
               "_npx_deconvolution": "Deconvolution", "_npx_dropout": "Dropout", "_npx_embedding": "Embedding",
               "_npx_fully_connected": "FullyConnected", "_npx_gather_nd": "gather_nd",
               "_npx_layer_norm": "LayerNorm", "_npx_leaky_relu": "LeakyReLU", "_npx_log_softmax": "log_softmax",
               "_npx_one_hot": "one_hot", "_npx_pick": "pick", "_npx_pooling": "Pooling",
               "_npx_reshape_like": "reshape_like", "_npx_sequence_mask": "SequenceMask",
               "_npx_shape_array": "shape_array", "_npx_slice": "slice", "_npx_smooth_l1": "smooth_l1",
               "_npx_softmax": "softmax", "_npx_topk": "topk"}
for _alias, _target in NPX_ALIASES.items():
    # these names resolve to the legacy OpDef (JSON keeps writing the legacy name)
    if has_op(_target) and not has_op(_alias):
        add_alias(_alias, _target)
