"""The np-symbol cases shared by the golden generator (run under MXNet 1.9.1) and the tests.

``EXPRS``: ``(id, expression)``; each expression is evaluated with ``np = mx.sym.np``,
``npx = mx.sym.npx`` and the variables of ``VARS`` (np symbols) in scope.  ``VARS`` gives the
shape, dtype and value range of each variable's test input.
"""
import numpy as onp

VARS = {"x": ((2, 3), "float32", (-1, 1)), "y": ((2, 3), "float32", (-1, 1)),
        "p": ((2, 3), "float32", (0.5, 2)), "z": ((3, 4), "float32", (-1, 1)),
        "w": ((3,), "float32", (-1, 1)), "b": ((2, 3, 4), "float32", (-1, 1)),
        "q": ((2, 2), "float32", (-1, 1)), "img": ((1, 2, 4, 4), "float32", (-1, 1)),
        "k": ((3, 2, 3, 3), "float32", (-1, 1)), "c2": ((2,), "float32", (0.5, 2)),
        "mm": ((2,), "float32", (-0.5, 0.5)), "beta": ((2,), "float32", (-0.5, 0.5)),
        "mv": ((2,), "float32", (0.5, 2)), "i": ((2,), "int32", (0, 3))}

UNARY = ("negative", "abs", "absolute", "sign", "exp", "expm1", "log", "log10", "log2", "log1p", "sqrt",
         "cbrt", "square", "reciprocal", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh",
         "tanh", "arcsinh", "arctanh", "degrees", "radians", "floor", "ceil", "rint", "trunc", "fix",
         "logical_not", "isnan", "isinf", "isfinite", "rad2deg", "deg2rad", "fabs")
POSITIVE = ("log", "log10", "log2", "sqrt", "reciprocal")
HALF = ("arcsin", "arccos", "arctanh")
BINARY = ("add", "subtract", "multiply", "true_divide", "divide", "mod", "power", "maximum", "minimum",
          "hypot", "arctan2", "equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
          "remainder", "copysign")


def _unary_arg(f):
    return "p" if f in POSITIVE else "(x * 0.5)" if f in HALF else "x"


EXPRS = [
    # operators
    ("op_add", "x + y"), ("op_add_s", "x + 1"), ("op_radd_s", "1 + x"), ("op_add_f", "x + 1.5"),
    ("op_sub", "x - y"), ("op_sub_s", "x - 2"), ("op_rsub_s", "2 - x"), ("op_rsub_f", "2.5 - x"),
    ("op_mul", "x * y"), ("op_mul_s", "x * 2.5"), ("op_rmul_s", "3 * x"),
    ("op_div", "x / p"), ("op_div_s", "x / 2"), ("op_rdiv_s", "2 / p"),
    ("op_pow", "p ** y"), ("op_pow_s", "x ** 2"), ("op_rpow_s", "2 ** x"), ("op_neg", "-x"),
    ("op_mod", "x % p"), ("op_mod_s", "x % 0.3"), ("op_rmod_s", "2 % p"),
    ("op_eq", "x == y"), ("op_eq_s", "x == 1"), ("op_ne", "x != y"), ("op_ne_s", "x != 0.5"),
    ("op_gt", "x > y"), ("op_gt_s", "x > 0"), ("op_ge", "x >= y"), ("op_ge_s", "x >= 0"),
    ("op_lt", "x < y"), ("op_lt_s", "x < 0"), ("op_le", "x <= y"), ("op_le_s", "x <= 0"),
    ("op_broadcast", "x + w"), ("op_chain", "(x * 2 + y) / p - 1"),
    # methods
    ("m_reshape_t", "x.reshape((3, 2))"), ("m_reshape_args", "x.reshape(3, -1)"),
    ("m_reshape_kw", "x.reshape(newshape=(6,))"), ("m_T", "b.T"), ("m_transpose", "x.transpose()"),
    ("m_transpose_t", "b.transpose((1, 0, 2))"), ("m_transpose_args", "b.transpose(2, 0, 1)"),
    ("m_sum", "x.sum()"), ("m_sum_axis", "b.sum(axis=1)"),
    ("m_sum_keep", "b.sum(axis=(0, 2), keepdims=True)"),
    ("m_mean", "x.mean()"), ("m_mean_axis", "b.mean(axis=-1)"), ("m_max", "x.max(axis=0)"),
    ("m_min", "x.min()"), ("m_prod", "x.prod(axis=1)"), ("m_std", "b.std(axis=1)"), ("m_var", "x.var()"),
    ("m_argmax", "x.argmax(axis=1)"), ("m_argmin", "x.argmin()"), ("m_cumsum", "x.cumsum(axis=1)"),
    ("m_astype", "x.astype('float16')"), ("m_astype_np", "x.astype(onp.int32)"),
    ("m_clip", "x.clip(-0.5, 0.5)"), ("m_round", "x.round(1)"), ("m_dot", "x.dot(z)"),
    ("m_flatten", "b.flatten()"), ("m_squeeze", "x.reshape((1, 6)).squeeze()"),
    ("m_swapaxes", "b.swapaxes(0, 2)"), ("m_repeat", "x.repeat(2, axis=0)"),
    ("m_sort", "x.sort()"), ("m_argsort", "x.argsort(axis=0)"), ("m_tanh", "x.tanh()"),
    ("m_exp", "x.exp()"), ("m_take", "z.take(i, axis=0)"), ("m_tile", "x.tile((2, 1))"),
    ("m_expand_dims", "x.expand_dims(axis=1)"), ("m_flip", "x.flip(axis=0)"),
    ("m_broadcast_to", "w.broadcast_to((2, 3))"),
    # indexing
    ("gi_int", "b[1]"), ("gi_neg", "b[-1]"), ("gi_slice", "b[0:1]"), ("gi_slice_open", "b[1:]"),
    ("gi_slice_step", "z[::2]"), ("gi_tuple", "b[:, 1:]"), ("gi_tuple_int", "b[1, :, 2]"),
    ("gi_tuple_neg", "b[:, -1]"), ("gi_tuple_step", "z[::2, 1:3]"),
    # creation
    ("c_zeros", "np.zeros((2, 3))"), ("c_ones", "np.ones(4, dtype='int32')"),
    ("c_full", "np.full((2, 2), 3.5)"),
    ("c_arange", "np.arange(5)"), ("c_arange3", "np.arange(1, 7, 2, dtype='float32')"),
    ("c_linspace", "np.linspace(0, 1, 5)"), ("c_eye", "np.eye(3)"), ("c_identity", "np.identity(2)"),
    ("c_zeros_like", "np.zeros_like(x)"), ("c_ones_like", "np.ones_like(x)"),
    ("c_full_like", "np.full_like(x, 2)"),
    # reductions
    ("r_sum", "np.sum(b)"), ("r_sum_axis", "np.sum(b, axis=0)"),
    ("r_sum_keep", "np.sum(b, axis=1, keepdims=True)"),
    ("r_mean", "np.mean(b, axis=2)"), ("r_max", "np.max(x, axis=1)"), ("r_min", "np.min(x)"),
    ("r_amax", "np.amax(x, axis=0)"), ("r_prod", "np.prod(x, axis=0)"), ("r_std", "np.std(x)"),
    ("r_var", "np.var(b, axis=(0, 1))"), ("r_argmax", "np.argmax(x, axis=0)"),
    ("r_argmin", "np.argmin(x, axis=1)"),
    ("r_cumsum", "np.cumsum(x, axis=0)"), ("r_all", "np.all(x > 0, axis=1)"), ("r_any", "np.any(x > 0)"),
    # shapes
    ("s_reshape", "np.reshape(x, (3, 2))"), ("s_reshape_neg", "np.reshape(b, (-1, 4))"),
    ("s_ravel", "np.ravel(b)"),
    ("s_transpose", "np.transpose(b)"), ("s_transpose_ax", "np.transpose(b, (2, 0, 1))"),
    ("s_swapaxes", "np.swapaxes(b, 0, 1)"), ("s_moveaxis", "np.moveaxis(b, 0, -1)"),
    ("s_expand_dims", "np.expand_dims(x, 0)"), ("s_squeeze", "np.squeeze(np.expand_dims(x, 1), axis=1)"),
    ("s_broadcast_to", "np.broadcast_to(w, (2, 3))"), ("s_tile", "np.tile(x, (1, 2))"),
    ("s_repeat", "np.repeat(x, 2, axis=1)"), ("s_flip", "np.flip(x, 1)"), ("s_roll", "np.roll(x, 1, axis=1)"),
    ("s_rot90", "np.rot90(q)"), ("s_concat", "np.concatenate([x, y], axis=1)"),
    ("s_concat0", "np.concatenate((x, y))"), ("s_stack", "np.stack([x, y], axis=1)"),
    ("s_vstack", "np.vstack([x, y])"), ("s_hstack", "np.hstack([x, y])"), ("s_dstack", "np.dstack([x, y])"),
    ("s_split", "np.split(b, 2, axis=2)"), ("s_split_idx", "np.split(b, [1, 3], axis=2)"),
    ("s_diagonal", "np.diagonal(q)"), ("s_tril", "np.tril(q)"), ("s_triu_via_tril", "np.tril(q, -1)"),
    ("s_take", "np.take(z, i, axis=1)"), ("s_clip", "np.clip(x, -0.5, 0.5)"),
    ("s_where", "np.where(x > 0, x, y)"),
    ("s_copy", "np.copy(x)"),
    # products
    ("p_dot", "np.dot(x, z)"), ("p_matmul", "np.matmul(x, z)"), ("p_tensordot", "np.tensordot(x, z, axes=1)"),
    ("p_tensordot2", "np.tensordot(b, z, axes=([1], [0]))"), ("p_einsum", "np.einsum('ij,jk->ik', x, z)"),
    ("p_inner", "np.inner(x, y)"), ("p_outer", "np.outer(w, c2)"),
    # sorting
    ("o_sort", "np.sort(x)"), ("o_argsort", "np.argsort(x, axis=0)"), ("o_around", "np.around(x, 2)"),
    ("o_round", "np.round(x)"),
    # npx
    ("x_relu", "npx.relu(x)"), ("x_sigmoid", "npx.sigmoid(x)"), ("x_softmax", "npx.softmax(x)"),
    ("x_softmax_axis", "npx.softmax(x, axis=0)"), ("x_log_softmax", "npx.log_softmax(x, axis=-1)"),
    ("x_activation", "npx.activation(x, act_type='tanh')"),
    ("x_leaky_relu", "npx.leaky_relu(x, act_type='leaky', slope=0.1)"),
    ("x_fc", "npx.fully_connected(x, z.T, num_hidden=4, no_bias=True)"),
    ("x_fc_bias", "npx.fully_connected(x, np.ones((4, 3)), np.zeros(4), num_hidden=4)"),
    ("x_conv", "npx.convolution(img, k, kernel=(3, 3), num_filter=3, no_bias=True)"),
    ("x_pool", "npx.pooling(img, kernel=(2, 2), stride=(2, 2), pool_type='max')"),
    ("x_pool_avg", "npx.pooling(img, kernel=(2, 2), pool_type='avg', global_pool=True)"),
    ("x_batch_norm", "npx.batch_norm(img, c2, beta, mm, mv, fix_gamma=False)"),
    ("x_dropout", "npx.dropout(x, p=0.5)"), ("x_embedding", "npx.embedding(i, z, input_dim=3, output_dim=4)"),
    ("x_layer_norm", "npx.layer_norm(x, w, w * 0, axis=-1)"), ("x_one_hot", "npx.one_hot(i, 4)"),
    ("x_pick", "npx.pick(x, i, axis=1)"), ("x_reshape", "npx.reshape(b, (-2, -1))"),
    ("x_reshape_codes", "npx.reshape(b, (-5, -4))"), ("x_batch_flatten", "npx.batch_flatten(b)"),
    ("x_batch_dot", "npx.batch_dot(b, b, transpose_b=True)"), ("x_topk", "npx.topk(x, k=2, ret_typ='value')"),
    ("x_erf", "npx.erf(x)"), ("x_gamma", "npx.gamma(p)"), ("x_gammaln", "npx.gammaln(p)"),
    ("x_sequence_mask", "npx.sequence_mask(b, np.ones(3), use_sequence_length=True)"),
    ("x_cast", "npx.cast(x, dtype='float16')"), ("x_reshape_like", "npx.reshape_like(x, x.T)"),
    ("x_slice", "npx.slice(b, begin=(0, 1), end=(2, 3))"), ("x_shape_array", "npx.shape_array(b)"),
    ("x_smooth_l1", "npx.smooth_l1(x, scalar=1.0)"),
    ("x_gather_nd", "npx.gather_nd(z, np.zeros((1, 2), dtype='int32'))"),
    # linalg
    ("l_inv", "np.linalg.inv(q + 2 * np.eye(2))"), ("l_det", "np.linalg.det(q)"),
    ("l_solve", "np.linalg.solve(q + 2 * np.eye(2), q)"),
    # random (graph only)
    ("rnd_uniform", "np.random.uniform(0, 1, size=(2, 3))"), ("rnd_normal", "np.random.normal(size=(2,))"),
] + [(f"u_{f}", f"np.{f}({_unary_arg(f)})") for f in UNARY] \
  + [(f"b_{f}", f"np.{f}(x, p)") for f in BINARY] \
  + [(f"bs_{f}", f"np.{f}(x, 2)") for f in BINARY] \
  + [(f"bsr_{f}", f"np.{f}(2, p)") for f in BINARY]

# random cases: the JSON is compared, not the values
NO_VALUES = {"rnd_uniform", "rnd_normal", "x_dropout"}


def inputs(seed=0):
    """The test input of every variable."""
    rng = onp.random.RandomState(seed)
    out = {}
    for name, (shape, dtype, (lo, hi)) in VARS.items():
        if dtype.startswith("int"):
            out[name] = rng.randint(lo, hi, size=shape).astype(dtype)
        else:
            out[name] = rng.uniform(lo, hi, size=shape).astype(dtype)
    return out
