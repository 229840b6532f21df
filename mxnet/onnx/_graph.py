"""The ONNX graph under construction and the helpers converters share.

Shapes come from mxnext's own shape inference, run twice: once with the shapes the caller
gave and, for a dynamic export, once more with every dynamic input dimension doubled.  A
dimension that differs between the two runs depends on a dynamic input dimension; a
converter must not bake it into the graph, and ``shape_tensor`` builds it at run time from
an input tensor's ``Shape`` instead.
"""
import numpy as np

from ..base import MXNetError


class ExportGraph:
    """ONNX nodes, initializers and the static facts (shapes, dtypes, constants) of tensors."""

    def __init__(self, onnx, opset):
        self.onnx = onnx
        self.helper = onnx.helper
        self.opset = opset
        self.nodes = []
        self.initializers = {}      # name -> NumPy array
        self.shapes = {}            # tensor -> (shape of run 1, shape of run 2)
        self.dtypes = {}            # tensor -> NumPy dtype
        self.node_name = "node"     # the MXNet node being converted: a prefix for new names
        self.out_shapes = []        # its visible outputs' shapes, pairs as in ``shapes``
        self.consumers = {}         # id(MXNet node) -> [(consuming node, input index)]
        self._used = set()
        self._const_cache = {}

    # -- names, nodes and constants --------------------------------------------------------
    def unique(self, hint):
        name, k = hint, 0
        while name in self._used:
            k += 1
            name = f"{hint}_{k}"
        self._used.add(name)
        return name

    def reserve(self, name):
        self._used.add(name)

    def add(self, op_type, inputs, outputs=1, **attrs):
        """Append an ONNX node; returns its output name (or the list of them if ``outputs`` > 1).
        Empty input names stand for omitted optional inputs."""
        names = [self.unique(f"{self.node_name}_{op_type.lower()}") for _ in range(outputs)]
        node = self.helper.make_node(op_type, list(inputs), names,
                                     name=self.unique(f"{self.node_name}/{op_type}"),
                                     **{k: v for k, v in attrs.items() if v is not None})
        self.nodes.append(node)
        return names[0] if outputs == 1 else names

    def const(self, value, dtype=None, hint=None):
        """An initializer holding ``value`` (small constants are shared)."""
        arr = np.asarray(value, dtype=dtype)
        if arr.dtype == np.float64 and dtype is None:
            arr = arr.astype(np.float32)
        key = None
        if arr.size <= 16:
            key = (arr.dtype.str, arr.shape, arr.tobytes())
            if key in self._const_cache:
                return self._const_cache[key]
        name = self.unique(hint or f"{self.node_name}_const")
        self.initializers[name] = arr
        self.shapes[name] = (arr.shape, arr.shape)
        self.dtypes[name] = arr.dtype
        if key is not None:
            self._const_cache[key] = name
        return name

    def ints(self, values):
        """An int64 1-D constant (axes, shapes, pads given as inputs)."""
        return self.const(np.asarray(list(values), dtype=np.int64).reshape(-1))

    def scalar(self, value, like):
        """A scalar constant with the dtype of tensor ``like``."""
        return self.const(np.asarray(value, dtype=self.dtype(like)))

    # -- what is known about tensors ------------------------------------------------------
    def shape(self, t):
        """The static shape of tensor ``t``, None for the dimensions that depend on a dynamic
        input dimension."""
        a, b = self.shapes[t]
        return tuple(x if x == y else None for x, y in zip(a, b))

    def concrete_shape(self, t):
        return self.shapes[t][0]

    def ndim(self, t):
        return len(self.shapes[t][0])

    def dtype(self, t):
        return self.dtypes[t]

    def value(self, t):
        """The constant value of ``t`` (a parameter or a folded result), or None."""
        return self.initializers.get(t)

    def onnx_dtype(self, dtype):
        return self.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))

    # -- opset-dependent forms -------------------------------------------------------------
    def squeeze(self, x, axes):
        if self.opset >= 13:
            return self.add("Squeeze", [x, self.ints(axes)])
        return self.add("Squeeze", [x], axes=list(axes))

    def unsqueeze(self, x, axes):
        if self.opset >= 13:
            return self.add("Unsqueeze", [x, self.ints(axes)])
        return self.add("Unsqueeze", [x], axes=list(axes))

    def reduce(self, op_type, x, axes, keepdims):
        """Reduce* over ``axes`` (None: all axes)."""
        axes_as_input = self.opset >= (13 if op_type == "ReduceSum" else 18)
        if axes is None:
            return self.add(op_type, [x], keepdims=int(keepdims))
        if axes_as_input:
            return self.add(op_type, [x, self.ints(axes)], keepdims=int(keepdims))
        return self.add(op_type, [x], axes=list(axes), keepdims=int(keepdims))

    def split(self, x, axis, sizes):
        if self.opset >= 13:
            return self.add("Split", [x, self.ints(sizes)], outputs=len(sizes), axis=axis)
        return self.add("Split", [x], outputs=len(sizes), axis=axis, split=list(sizes))

    def slice(self, x, starts, ends, axes, steps=None):
        ins = [x, self.ints(starts), self.ints(ends), self.ints(axes)]
        if steps is not None:
            ins.append(self.ints(steps))
        return self.add("Slice", ins)

    def cast(self, x, dtype):
        return self.add("Cast", [x], to=self.onnx_dtype(dtype))

    # -- shapes built at run time ----------------------------------------------------------
    def shape_tensor(self, target, sources, allow_infer=False, broadcast_ones=False):
        """An int64 tensor holding the shape ``target`` (a pair of runs' shapes, as in
        ``shapes``).  Its static dimensions are constants; each dynamic one is read from the
        ``Shape`` of one of the ``sources`` (a dimension with the same values in both runs,
        or the product of two adjacent ones).  ``allow_infer``: one dimension that matches
        nothing may be -1 (Reshape infers it); ``broadcast_ones``: it may be 1 (Expand keeps
        the input's size)."""
        a, b = target
        if a == b:
            return self.ints(a)
        pieces, const_run, inferred = [], [], False
        shape_of = {}

        def dims_of(src):
            if src not in shape_of:
                shape_of[src] = self.add("Shape", [src])
            return shape_of[src]

        def flush():
            if const_run:
                pieces.append(self.ints(const_run))
                const_run.clear()

        for x, y in zip(a, b):
            if x == y:
                const_run.append(x)
                continue
            found = self._match_dim(x, y, sources, dims_of)
            if found is not None:
                flush()
                pieces.append(found)
            elif broadcast_ones:
                const_run.append(1)
            elif allow_infer and not inferred:
                inferred = True
                const_run.append(-1)
            else:
                raise MXNetError(f"ONNX export of {self.node_name}: cannot express the dynamic "
                                 f"shape {a} (varying as {b}) from its inputs' shapes")
        flush()
        return pieces[0] if len(pieces) == 1 else self.add("Concat", pieces, axis=0)

    def _match_dim(self, x, y, sources, dims_of):
        """A run-time scalar-vector for a dynamic dimension of sizes ``x``/``y`` in the two runs:
        one source dimension with those sizes, else the product of two adjacent ones, else None."""
        for src in sources:
            sa, sb = self.shapes[src]
            for j in range(len(sa)):
                if sa[j] == x and sb[j] == y:
                    return self.slice(dims_of(src), [j], [j + 1], [0])
        for src in sources:
            sa, sb = self.shapes[src]
            for j in range(len(sa) - 1):
                if sa[j] * sa[j + 1] == x and sb[j] * sb[j + 1] == y and sa[j] != sb[j] and sa[j + 1] != sb[j + 1]:
                    s = dims_of(src)
                    return self.add("Mul", [self.slice(s, [j], [j + 1], [0]), self.slice(s, [j + 1], [j + 2], [0])])
        return None
