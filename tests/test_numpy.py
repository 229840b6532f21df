"""mx.np: goldens recorded under MXNet 1.9.1 (tools/goldens/gen_np.py), MXNet's printing and
dtype rules (checked against the oracle), NumPy indexing, autograd and finite differences."""
import ast

import numpy as onp
import pytest

import mxnet as mx
from mxnet import np, npx
from mxnet.test_utils import assert_almost_equal

from fd import check_fd
from golden import load_cases, case_ids

CASES = load_cases("np")


def _resolve(path):
    obj = mx
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_np_golden(case):
    arr = case["arrays"]
    xs = [np.array(arr[f"in{i}"], dtype=arr[f"in{i}"].dtype) for i in range(case["n_in"])]
    for x, g in zip(xs, case["grad"]):
        if g:
            x.attach_grad()
    with mx.autograd.record():
        out = _resolve(case["op"])(*xs, **ast.literal_eval(case["kwargs"]))
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    assert len(outs) == case["n_out"]
    rtol, atol = case.get("rtol"), case.get("atol")
    for i, o in enumerate(outs):
        want = arr[f"out{i}"]
        assert isinstance(o, np.ndarray)
        assert o.shape == want.shape and o.dtype == want.dtype, (o.shape, o.dtype, want.shape, want.dtype)
        assert_almost_equal(o.asnumpy(), want, rtol=rtol, atol=atol)
    if any(case["grad"]):
        heads = [(o, arr[f"head{i}"]) for i, o in enumerate(outs) if f"head{i}" in arr]
        mx.autograd.backward([o for o, _ in heads], [np.array(h, dtype=h.dtype) for _, h in heads])
        for i, (x, g) in enumerate(zip(xs, case["grad"])):
            if g:
                assert_almost_equal(x.grad.asnumpy(), arr[f"grad{i}"], rtol=rtol, atol=atol)


def test_repr_and_default_dtypes():
    a = np.array([1, 2, 3])
    assert repr(a) == "array([1., 2., 3.])" and a.dtype == onp.float32
    assert isinstance(a.dtype, onp.dtype)
    assert repr(np.array([1, 2], dtype="int32")) == "array([1, 2], dtype=int32)"
    assert repr(np.array([1., 2.], dtype="float64")) == "array([1., 2.], dtype=float64)"
    assert repr(np.array([1, 2], dtype="int64")) == "array([1, 2], dtype=int64)"
    assert repr(np.array([True, False])) == "array([1., 0.])"
    assert repr(np.array([True, False], dtype=bool)) == "array([ True, False])"
    assert repr(np.array(5.)) == "array(5.)" and str(np.array(5.)) == "5.0"
    assert repr(np.zeros((0, 3))) == "array([], shape=(0, 3))"
    assert repr(np.ones(2, dtype=int)) == "array([1, 1], dtype=int64)"
    assert type(a).__module__ == "mxnet.numpy" and not hasattr(a, "device")
    assert np.array(onp.array([1, 2])).dtype == onp.int64


def test_promotion_rules_of_mxnet_1_9_1():
    i = np.array([1, 2], dtype="int32")
    b = np.array([True, False], dtype=bool)
    assert repr(i + 1.5) == "array([2, 3], dtype=int32)"  # scalar ops keep the array's dtype
    assert repr(i / 2) == "array([0.5, 1. ])"
    assert (i + np.array([1., 2.])).dtype == onp.float32
    assert (np.array([1, 2], dtype="int64") + i).dtype == onp.int64
    assert (i + np.array([1., 2.], dtype="float64")).dtype == onp.float64
    assert (b + 1).dtype == onp.int64 and (b + b).dtype == onp.bool_ and (i + b).dtype == onp.int32
    assert (i > 1).dtype == onp.bool_ and (1 / i).dtype == onp.float32 and (i ** 0.5).dtype == onp.int32
    assert (i + np.array([1, 2], dtype="float16")).dtype == onp.float16
    assert np.exp(i).dtype == onp.int32 and np.sqrt(i).dtype == onp.int32
    assert b.sum().dtype == onp.int64 and i.sum().dtype == onp.int32 and i.mean().dtype == onp.float32
    assert np.argmax(i).dtype == onp.int64 and i.std().dtype == onp.int32
    assert np.where(b, 1, 0).dtype == onp.float32 and np.where(b, i, 0.5).dtype == onp.int32
    assert np.arange(3).dtype == onp.float32 and np.full((2,), 3).dtype == onp.float32
    assert repr(np.arange(3, dtype=int)) == "array([0, 1, 2], dtype=int64)"


def test_indexing():
    a = np.arange(12).reshape(3, 4)
    assert a[1, 2].shape == () and repr(a[1, 2]) == "array(6.)"
    assert repr(np.array([1., 2., 3.])[1]) == "array(2.)"
    assert repr(a[1:, ::2]) == "array([[ 4.,  6.],\n       [ 8., 10.]])"
    m = np.array([1., -1., 2.])
    assert repr(m[m > 0]) == "array([1., 2.])"
    assert repr(np.array([[1, 2], [3, 4]])[np.array([0, 1]), np.array([1, 0])]) == "array([2., 3.])"
    x = np.array([[1., 2.], [3., 4.]])
    x[x > 2] = 0
    assert x.tolist() == [[1., 2.], [0., 0.]]
    v = a[1]
    v[0] = 100  # basic slices are views
    assert a[1, 0].item() == 100
    assert a[None, ..., -1].shape == (1, 3)
    with pytest.raises(IndexError):
        a[5]


def test_autograd_through_indexing_and_methods():
    x = np.array([[1., 2.], [3., 4.]])
    x.attach_grad()
    with mx.autograd.record():
        y = (x[x > 1.5] * 2).sum() + x[0, 1] * x.mean()
    y.backward()
    assert isinstance(x.grad, np.ndarray)
    assert_almost_equal(x.grad.asnumpy(), onp.array([[0.5, 5.0], [2.5, 2.5]], onp.float32))


def test_methods_and_conversions():
    a = np.array([[1., 2.], [3., 4.]])
    assert a.T.tolist() == [[1., 3.], [2., 4.]]
    assert a.item(3) == 4.0 and isinstance(np.array(2.5).item(), float)
    assert float(np.array(2.5)) == 2.5 and int(np.array(3)) == 3 and len(np.ones((3, 2))) == 3
    assert a.astype("int32").dtype == onp.int32 and a.flatten().shape == (4,)
    assert a.sum(axis=0).tolist() == [4., 6.] and a.argmax().item() == 3
    nd = a.as_nd_ndarray()
    assert type(nd) is mx.nd.NDArray
    nd[0, 0] = 7  # shares memory
    assert a[0, 0].item() == 7
    assert type(mx.nd.ones(2).as_np_ndarray()) is np.ndarray
    assert a.ctx == mx.cpu() and a.size == 4 and a.ndim == 2
    with pytest.raises(ValueError):
        bool(a)


def test_numpy_protocols_dispatch_to_mx_np():
    m = np.array([1., -1., 2.])
    assert isinstance(onp.sum(m), np.ndarray) and isinstance(onp.exp(m), np.ndarray)
    assert isinstance(onp.mean(m), np.ndarray)
    r = onp.percentile(m, 50)  # no mx.np operator: computed by NumPy, returned as mx.np
    assert isinstance(r, np.ndarray) and r.item() == 1.0
    assert onp.asarray(m).tolist() == [1., -1., 2.]


def test_dispatch_protocol_module():
    from mxnet.numpy_dispatch_protocol import (_NUMPY_ARRAY_FUNCTION_LIST, _NUMPY_ARRAY_UFUNC_LIST,
                                               with_array_function_protocol)
    assert "linalg.inv" in _NUMPY_ARRAY_FUNCTION_LIST and "true_divide" in _NUMPY_ARRAY_UFUNC_LIST
    # names the installed NumPy lacks are not listed (NumPy 2 dropped round_ and product)
    assert all(hasattr(onp, n) for n in _NUMPY_ARRAY_FUNCTION_LIST if "." not in n)
    a = np.array([[2., 1.], [1., 3.]])
    inv = onp.linalg.inv(a)  # by function, not by name: mx.np has no top-level inv
    assert isinstance(inv, np.ndarray)
    assert_almost_equal(inv.asnumpy(), onp.linalg.inv(a.asnumpy()))
    assert isinstance(onp.abs(-a), np.ndarray) and isinstance(onp.divide(a, 2), np.ndarray)
    out = np.zeros((2, 2))
    onp.add(a, a, out=out)  # NumPy hands ``out`` over as a tuple
    assert out.asnumpy().tolist() == [[4., 2.], [2., 6.]]

    @with_array_function_protocol
    def failing():
        raise ValueError("boom")
    with pytest.raises(RuntimeError, match="failing.*boom"):
        failing()


def test_shares_memory_on_the_same_buffer():
    d = np.zeros((4, 6), dtype="float32")
    for op in (onp.shares_memory, onp.may_share_memory, np.shares_memory, np.may_share_memory):
        assert op(d[0, 2:5], d[0, 4:6]) is True
        assert op(d[0], d[1]) is False
        assert op(d, np.ones((5, 0))) is False


def test_basic_indexing_views_only_contiguous_parts():
    # as MXNet (checked against the oracle): x[1:3], x[1], x[0, 1:3] are views of x; x[:, 1],
    # x[::2], x[1:3, 0:4], x[..., 1] are new arrays, which writes do not carry back to x
    x = np.zeros((4, 5, 6))
    for key in [(slice(1, 3),), (1,), (0, slice(1, 3)), (0, 0, slice(1, 4))]:
        assert np.shares_memory(x, x[key]), key
    for key in [(slice(None), 1), (slice(None, None, 2),), (slice(1, 3), slice(0, 4)), (Ellipsis, 1)]:
        y = x[key]
        assert not np.shares_memory(x, y), key
        y[...] = 5
        assert float(x.sum()) == 0, key
    x[1:2][...] = 1
    assert float(x.sum()) == 30


def test_array_wraps_out_of_range_ints():
    # NumPy 1.x casts (wraps) Python ints out of the dtype's range; NumPy 2 raises
    assert np.array([1621, -1], dtype="uint8").asnumpy().tolist() == [85, 255]
    assert np.array([300], dtype="int8").asnumpy().tolist() == [44]


def test_split_family_needs_enough_dimensions():
    with pytest.raises(ValueError, match="vsplit only works on arrays of 2 or more dimensions"):
        np.vsplit(np.array([1, 2, 3, 4]), 2)
    with pytest.raises(ValueError, match="dsplit only works on arrays of 3 or more"):
        np.dsplit(np.array([[1, 2]]), 2)
    assert [p.shape for p in np.vsplit(np.ones((4, 2)), 2)] == [(2, 2), (2, 2)]


def test_against_numpy_random_inputs():
    rng = onp.random.RandomState(1)
    a = rng.randn(3, 4, 5).astype(onp.float32)
    b = rng.randn(5, 2).astype(onp.float32)
    x = np.array(a)
    checks = [
        (np.concatenate([x, x], axis=1), onp.concatenate([a, a], axis=1)),
        (np.stack([x, x], axis=-1), onp.stack([a, a], axis=-1)),
        (np.vstack([x, x]), onp.vstack([a, a])), (np.hstack([x, x]), onp.hstack([a, a])),
        (np.dstack([x, x]), onp.dstack([a, a])),
        (np.split(x, 2, axis=1)[1], onp.split(a, 2, axis=1)[1]),
        (np.array_split(x, 3, axis=2)[0], onp.array_split(a, 3, axis=2)[0]),
        (np.einsum("ijk,kl->ijl", x, np.array(b)), onp.einsum("ijk,kl->ijl", a, b)),
        (np.sort(x, axis=1), onp.sort(a, axis=1)), (np.argsort(x), onp.argsort(a)),
        (np.cumsum(x, axis=2), onp.cumsum(a, axis=2)),
        (np.linspace(0, 1, 7), onp.linspace(0, 1, 7, dtype=onp.float32)),
        (np.eye(3, 4, k=1), onp.eye(3, 4, k=1, dtype=onp.float32)),
        (np.take(x, np.array([0, 2]), axis=1), onp.take(a, [0, 2], axis=1)),
        (np.kron(np.array(b), np.array(b[:2])), onp.kron(b, b[:2])),
        (np.linalg.svd(np.array(b))[1], onp.linalg.svd(b, full_matrices=False)[1]),
        (np.unique(np.array([3, 1, 1, 2])), onp.array([1., 2., 3.], onp.float32)),
    ]
    for got, want in checks:
        assert got.shape == want.shape
        assert_almost_equal(got.asnumpy(), want, rtol=1e-4, atol=1e-5)
    assert [t.tolist() for t in np.nonzero(np.array([[0, 1], [2, 0]]))] == [[0, 1], [1, 0]]
    xx, yy = np.meshgrid(np.arange(3), np.arange(2))
    assert xx.shape == (2, 3) and yy.tolist() == [[0, 0, 0], [1, 1, 1]]


def _np_fn(f):
    return lambda *xs: f(*[x.as_np_ndarray() for x in xs])


@pytest.mark.parametrize("name,fn,shapes", [
    ("power", lambda a, b: np.power(a, b), [(2, 3), (1, 3)]),
    ("true_divide", lambda a, b: a / b, [(2, 3), (2, 1)]),
    ("std", lambda a: np.std(a, axis=1), [(2, 4)]),
    ("prod", lambda a: np.prod(a, axis=0), [(3, 2)]),
    ("matmul", lambda a, b: np.matmul(a, b), [(2, 1, 2, 3), (4, 3, 2)]),
    ("rot90", lambda a: np.rot90(a, 1, (0, 1)), [(2, 3)]),
    ("var", lambda a: np.var(a, axis=0, ddof=1), [(3, 2)]),
    ("dot", lambda a, b: np.dot(a, b), [(2, 3), (3,)]),
    ("tensordot", lambda a, b: np.tensordot(a, b, ((0, 2), (2, 0))), [(2, 3, 4), (4, 2, 2)]),
    ("einsum", lambda a, b: np.einsum("ij,jk->ik", a, b), [(2, 3), (3, 2)]),
    ("det", lambda a: np.linalg.det(a + 3 * np.eye(3, dtype="float64")), [(3, 3)]),
    ("inv", lambda a: np.linalg.inv(a + 3 * np.eye(3, dtype="float64")), [(3, 3)]),
    ("cholesky", lambda a: np.linalg.cholesky(np.matmul(a, a.T) + np.eye(3, dtype="float64")), [(3, 3)]),
    ("norm", lambda a: np.linalg.norm(a, axis=0), [(3, 2)]),
    # b one dimension short of A is a stack of vectors (MXNet's rule, NumPy 1.x's)
    ("solve_vectors", lambda a, b: np.linalg.solve(a + 3 * np.eye(3, dtype="float64"), b), [(2, 3, 3), (2, 3)]),
    ("solve_matrices", lambda a, b: np.linalg.solve(a + 3 * np.eye(3, dtype="float64"), b),
     [(2, 3, 3), (2, 3, 2)]),
    ("take", lambda a: np.take(a, np.array([2, 0, 2]), axis=1), [(2, 3)]),
    ("where", lambda a, b: np.where(a > 1, a, b), [(2, 3), (3,)]),
    ("cumsum", lambda a: np.cumsum(a, axis=0), [(3, 2)]),
    ("max", lambda a: a.max(axis=1), [(2, 3)]),
])
def test_finite_differences(name, fn, shapes):
    rng = onp.random.RandomState(0)
    ins = [rng.uniform(0.5, 2.0, size=s) for s in shapes]
    check_fd(_np_fn(fn), ins)


def test_random_and_errors():
    np.random.seed(3)
    u = np.random.uniform(0, 1, size=(1000,))
    assert u.dtype == onp.float32 and 0 <= u.min().item() and u.max().item() < 1
    assert abs(np.random.normal(2, 1, size=2000).mean().item() - 2) < 0.1
    r = np.random.randint(0, 5, size=(50,))
    assert r.dtype == onp.int64 and set(r.tolist()) <= set(range(5))
    np.random.seed(3)
    assert_almost_equal(np.random.uniform(0, 1, size=(1000,)).asnumpy(), u.asnumpy())
    c = np.random.choice(4, size=(20,), p=np.array([0., 0., 1., 0.]))
    assert c.tolist() == [2] * 20
    with pytest.raises(mx.MXNetError):
        np.ones((2, 3)) + np.ones((4, 3))
    with pytest.raises(mx.MXNetError):
        np.reshape(np.ones(6), (4, -1))
    with pytest.raises(mx.MXNetError):  # only arithmetic ops mix dtypes in MXNet 1.9.1
        np.array([1, 2], dtype="int64") == np.array([1., 2.])
    with pytest.raises(mx.MXNetError):
        np.maximum(np.array([1, 2], dtype="int32"), np.array([1., 2.]))


def test_npx_set_np_flags():
    npx.reset_np()
    assert not mx.util.is_np_array() and not npx.is_np_shape()
    npx.set_np()
    assert mx.util.is_np_array() and mx.util.is_np_shape()
    with mx.util.np_array(False):
        assert not mx.util.is_np_array()
    assert mx.util.is_np_array()
    npx.reset_np()


def test_c_order_only():
    # MXNet keeps arrays in C order: other orders are not implemented
    for fn in (lambda: np.empty((2,), None, "F"), lambda: np.zeros((2,), order="A"),
               lambda: np.ones(2, order="F"), lambda: np.zeros_like(np.ones(2), order="F"),
               lambda: np.array([1, 2]).copy(order="F"), lambda: np.array([1.]).flatten(order="F")):
        with pytest.raises(NotImplementedError):
            fn()
    assert np.empty((2, 3), "int8", "C").shape == (2, 3)


def test_format_spec():
    assert "{:0.3g}".format(np.array(onp.pi)) == "3.14"
    assert "{}".format(np.array([1.5])) == "[1.5]"
    with pytest.raises(TypeError, match="Cannot format mxnet.numpy.ndarray with format_spec"):
        "{:30}".format(np.array([1.5]))


@pytest.mark.parametrize("op", ["==", "!=", ">", ">=", "<", "<="])
def test_comparisons_are_recorded_with_zero_gradient(op):
    a, b = np.array([[1., 2.], [3., 4.]]), np.array([[2., 2.], [2., 2.]])
    a.attach_grad()
    b.attach_grad()
    a.grad[:] = 5
    with mx.autograd.record():
        out = eval(f"a {op} b")
        out2 = eval(f"a {op} 2.0")
    assert out.dtype == onp.bool_
    out.backward()
    assert a.grad.asnumpy().tolist() == [[0, 0], [0, 0]] and b.grad.asnumpy().sum() == 0
    a.grad[:] = 5
    out2.backward()
    assert a.grad.asnumpy().tolist() == [[0, 0], [0, 0]]


def test_hybrid_block_output_types():
    from mxnet.gluon import HybridBlock
    from mxnet.util import use_np

    class Classic(HybridBlock):
        def hybrid_forward(self, F, x):
            return x.as_nd_ndarray() + 1, x.as_nd_ndarray() * 2

    class NumpyOut(HybridBlock):
        def hybrid_forward(self, F, x):
            return x + 1  # an mx.np input traces as an np symbol, also outside np mode

    @use_np
    class Mixed(HybridBlock):
        def hybrid_forward(self, F, x):
            return x.as_nd_ndarray() + 1, F.np.multiply(x, x)

    x = np.ones((2, 3))
    for hybridize in (False, True):
        for blk, cls in ((Classic(), mx.nd.NDArray), (NumpyOut(), np.ndarray)):
            if hybridize:
                blk.hybridize()
            outs = blk(x)
            assert all(type(o) is cls for o in (outs if isinstance(outs, (list, tuple)) else [outs]))
        blk = Mixed()
        if hybridize:
            blk.hybridize()
        with pytest.raises(TypeError, match="classic symbol .* numpy symbol" if hybridize
                           else "must be of type `mxnet.numpy.ndarray`"):
            blk(x)


def test_use_np_class_wraps_inherited_methods():
    from mxnet.gluon import HybridBlock
    from mxnet.util import use_np, is_np_array

    @use_np
    class Blk(HybridBlock):
        seen = []

        @staticmethod
        def helper(v):
            return v + 1

        def hybrid_forward(self, F, x):
            return x

    b = Blk()
    assert Blk.helper(1) == 2 and b.helper(1) == 2  # static methods stay static
    b.initialize()  # inherited: runs with np semantics, so parameters would be mx.np arrays
    b.hybridize()
    assert isinstance(b(np.ones(2)), np.ndarray)
    assert not is_np_array()


def test_assignments_while_recording():
    y = np.ones((3,))
    y.attach_grad()
    for write in (lambda x: x.__setitem__(0, y), lambda x: x.__iadd__(y)):
        x = np.zeros((2, 3))
        with mx.autograd.record():
            with pytest.raises(mx.MXNetError, match=r"Inplace operations \(\+=, -=, x\[:\]=, etc\) are not "
                                                     "supported when recording with autograd"):
                write(x)
    x = np.zeros((2, 3))
    with mx.autograd.record():
        x[0] = 1.0  # nothing recorded is involved
        x[1] = y.detach()
        b = y * 2
        with pytest.raises(mx.MXNetError, match="Assigning to NDArrays that are already in a computational"):
            b[0] = 5
    assert x.asnumpy().tolist() == [[1, 1, 1], [1, 1, 1]]
    nd_x, nd_y = mx.nd.zeros((2, 3)), mx.nd.ones((3,))
    nd_y.attach_grad()
    with mx.autograd.record():
        with pytest.raises(mx.MXNetError, match="Inplace operations"):
            nd_x[0] = nd_y


def test_multinomial_probabilities():
    # float32 probabilities that sum to 1 in float32 are accepted (their float64 sum is 1 + 1.5e-8)
    p = np.array([0.4, 0.3, 0.2, 0.1, 0.0])
    counts = np.random.multinomial(1000, p, size=(2,))
    assert counts.shape == (2, 5) and counts.dtype == onp.int64
    assert counts.asnumpy().sum(axis=1).tolist() == [1000, 1000] and counts.asnumpy()[:, 4].sum() == 0
    with pytest.raises(mx.MXNetError, match="sum"):
        np.random.multinomial(10, [0.5, 0.6])  # MXNet checks the sum of all of them
    assert np.random.multinomial(10, []).shape == (0,)
    assert np.random.multinomial(10, [], size=(4, 2)).shape == (4, 2, 0)


def test_parameters_keep_the_array_type_they_were_initialised_with():
    from mxnet.gluon import HybridBlock
    from mxnet.util import use_np

    def block(np_mode):
        class B(HybridBlock):
            def __init__(self):
                super().__init__()
                with self.name_scope():
                    self.w = self.params.get("w", shape=(3, 4))

            def hybrid_forward(self, F, x, w):
                return F.np.dot(x, w) if np_mode else F.dot(x, w)
        return use_np(B) if np_mode else B

    for np_mode, cls in ((True, np.ndarray), (False, mx.nd.NDArray)):
        for hybridize in (False, True):
            net = block(np_mode)()
            net.initialize()
            if hybridize:
                net.hybridize()
            x = mx.nd.ones((2, 3))
            net(x.as_np_ndarray() if np_mode else x)
            # read outside np semantics: the type chosen at initialisation stays
            assert type(net.w.data()) is cls and type(net.w.list_grad()[0]) is cls
    net = block(True)()
    net.initialize()
    net.reset_ctx(mx.cpu(0))
    assert type(net.w.data()) is np.ndarray


def test_np_dot_fills_in_a_deferred_weight_shape():
    from mxnet.gluon import HybridBlock
    from mxnet.util import use_np

    @use_np
    class Linear(HybridBlock):
        def __init__(self):
            super().__init__()
            with self.name_scope():
                self.w1 = self.params.get("w1", shape=(0, 7), allow_deferred_init=True)
                self.w2 = self.params.get("w2", shape=(7, 0), allow_deferred_init=True)

        def hybrid_forward(self, F, x, w1, w2):
            return F.np.dot(F.npx.relu(x.dot(w1)), w2)

    net = Linear()
    net.initialize()
    net.hybridize()
    # w2's output dimension stays unknown: the graph cannot tell it
    with pytest.raises(ValueError, match="Deferred initialization failed"):
        net(np.ones((4, 5)))
    net = Linear()
    net.w2.shape = (7, 2)
    net.initialize()
    net.hybridize()
    assert net(np.ones((4, 5))).shape == (4, 2)
    assert net.w1.shape == (5, 7)
    with pytest.raises(mx.MXNetError, match="not aligned"):
        mx.sym.np.dot(mx.sym.var("a").as_np_ndarray(), mx.sym.var("b").as_np_ndarray()).infer_shape(
            a=(2, 3), b=(4, 5))


def test_arange_takes_zero_dim_array_bounds():
    # as real MXNet 1.9.1: 0-d arrays (mx.np or NumPy) are accepted as start/stop/step
    assert mx.np.arange(mx.np.array(0), mx.np.array(5)).tolist() == [0, 1, 2, 3, 4]
    assert mx.np.arange(onp.array(3)).tolist() == [0, 1, 2]
    assert mx.np.arange(0, mx.np.array(2.5), 0.5).tolist() == [0, 0.5, 1, 1.5, 2]


def test_solve_operand_rules():
    a = np.array(onp.eye(3, dtype="float32")[None].repeat(2, 0) * 2)
    assert np.linalg.solve(a, np.ones((2, 3))).asnumpy().tolist() == [[0.5] * 3] * 2
    assert np.linalg.solve(a[0], np.ones(3)).shape == (3,)
    with pytest.raises(mx.MXNetError, match="A's and B's dimensions don't match"):
        np.linalg.solve(a, np.ones(3))


def test_lazy_submodule_import_errors_name_the_cause(monkeypatch):
    # an AttributeError raised while mx.npx (or any lazy submodule) imports must not surface as
    # "cannot import name 'npx' from 'mxnet'", which hides the attribute really missing
    def broken(name, package=None):
        raise AttributeError("module 'mxnet.base' has no attribute 'gone'")
    monkeypatch.delitem(mx.__dict__, "monitor", raising=False)
    monkeypatch.setattr(mx._importlib, "import_module", broken)
    with pytest.raises(ImportError, match="importing mxnet.monitor failed: .*'gone'"):
        from mxnet import monitor  # noqa: F401


def test_out_argument_while_recording():
    x, y = np.zeros(3), np.ones(3)
    y.attach_grad()
    with mx.autograd.record():
        with pytest.raises(mx.MXNetError, match="Inplace operations"):
            np.add(x, y, out=x)  # the result would overwrite an input the gradient reads
        b = y * 2
        with pytest.raises(mx.MXNetError, match="Assigning to NDArrays that are already"):
            np.multiply(y, 3, out=b)
        fresh = np.zeros(3)
        np.multiply(y, 3, out=fresh)  # a fresh array takes the result and its place in the graph
        np.add(x, 1, out=x)  # nothing recorded is involved
    fresh.backward()
    assert y.grad.asnumpy().tolist() == [3, 3, 3] and x.asnumpy().tolist() == [1, 1, 1]
