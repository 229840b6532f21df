"""``DataParallelExecutorGroup``: one executor per context, each bound to a slice of the batch."""
import numpy as np

from .. import ndarray as nd
from ..base import MXNetError
from ..io import DataDesc


def _split_input_slice(batch_size, work_load_list):
    """Batch-axis slices proportional to ``work_load_list``."""
    total = float(sum(work_load_list))
    counts = [int(round(w * batch_size / total)) for w in work_load_list]
    counts[-1] = batch_size - sum(counts[:-1])
    if any(c <= 0 for c in counts):
        raise ValueError(f"Too many slices: batch size {batch_size} cannot be split over "
                         f"{len(work_load_list)} devices with work loads {list(work_load_list)}")
    ends = np.cumsum(counts)
    return [slice(int(e - c), int(e)) for c, e in zip(counts, ends)]


def _slice_axis(arr, axis, sl, n_slices):
    """The part of ``arr`` along its batch ``axis`` (all of it for one device or no batch axis)."""
    if n_slices == 1 or axis < 0:
        return arr
    if axis == 0:
        return arr[sl]
    return nd.slice_axis(arr, axis=axis, begin=sl.start, end=sl.stop)


def _load_slices(arrays, slices, targets, axes):
    """Copy each batch array (sliced per device along its batch axis) into the bound inputs."""
    for src, dsts, axis in zip(arrays, targets, axes):
        for sl, dst in zip(slices, dsts):
            part = _slice_axis(src, axis, sl, len(slices))
            if part.shape != dst.shape:
                raise ValueError(f"Shape of the batch {part.shape} does not match the bound input shape "
                                 f"{dst.shape}; reshape the module or pad the batch")
            part.copyto(dst)


def _merge(per_device, axes=None):
    """[[out_dev0, out_dev1, ...], ...] -> one array per output, concatenated along its batch
    axis (``axes``, 0 by default; an output without one is taken from the first device)."""
    axes = axes if axes is not None else [0] * len(per_device)
    return [outs[0] if len(outs) == 1 or axis < 0 else
            nd.concat(*[o.as_in_context(outs[0].context) for o in outs], dim=axis)
            for outs, axis in zip(per_device, axes)]


def _group2ctxs(group2ctxs, n):
    """One ``group2ctx`` dict per device from a list of them, or from one dict whose values are
    a context (for every device) or a list with one context per device (or a single one)."""
    if group2ctxs is None:
        return [None] * n
    if isinstance(group2ctxs, (list, tuple)):
        if len(group2ctxs) != n:
            raise ValueError(f"group2ctxs has {len(group2ctxs)} entries for {n} contexts")
        return list(group2ctxs)
    if not isinstance(group2ctxs, dict):
        raise TypeError("group2ctxs must be a dict or a list of dicts")
    out = [{} for _ in range(n)]
    for group, ctxs in group2ctxs.items():
        if not isinstance(ctxs, (list, tuple)):
            ctxs = [ctxs] * n
        elif len(ctxs) == 1:
            ctxs = list(ctxs) * n
        elif len(ctxs) != n:
            raise ValueError(f"group2ctxs['{group}'] has {len(ctxs)} contexts for {n} devices")
        for d, c in zip(out, ctxs):
            d[group] = c
    return out


class DataParallelExecutorGroup:
    """Binds ``symbol`` once per context on its share of the batch and keeps the arrays per name.

    ``param_arrays``/``grad_arrays`` are lists (one per parameter, in ``param_names`` order) of
    per-device arrays; ``get_params`` averages the devices' copies.
    """

    def __init__(self, symbol, contexts, workload, data_shapes, label_shapes, param_names, for_training,
                 inputs_need_grad, shared_group=None, logger=None, fixed_param_names=None,
                 grad_req="write", state_names=None, group2ctxs=None):
        self.symbol = symbol
        self.contexts = contexts
        self.workload = workload
        self.param_names = list(param_names)
        self.arg_names = symbol.list_arguments()
        self.aux_names = symbol.list_auxiliary_states()
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self.logger = logger
        self.fixed_param_names = set(fixed_param_names or ())
        self.state_names = list(state_names or ())
        self.shared_group = shared_group
        self.monitor = None
        self._grad_req_arg = grad_req
        self.group2ctxs = _group2ctxs(group2ctxs, len(contexts))
        # per device, the arrays of the arguments that are not shared parameters (inputs, and
        # parameters only this group has): a pool that groups binding with this one reuse
        self.shared_data_arrays = shared_group.shared_data_arrays if shared_group is not None \
            else [{} for _ in contexts]
        # batch axis of each output, from its ``__layout__`` attribute (-1: none)
        self.output_layouts = [DataDesc.get_batch_axis(symbol[i].attr("__layout__"))
                               for i in range(len(symbol.list_outputs()))]
        self.execs = []
        self.bind_exec(data_shapes, label_shapes, shared_group)

    def _grad_reqs(self, data_names):
        """grad_req per argument: parameters (unless fixed), and the data when inputs need grads."""
        if not self.for_training:
            return {n: "null" for n in self.arg_names}
        given = self._grad_req_arg
        reqs = {}
        for n in self.arg_names:
            default = given.get(n, "null") if isinstance(given, dict) else given
            if n in self.param_names:
                reqs[n] = "null" if n in self.fixed_param_names else default
            elif n in data_names:
                reqs[n] = default if self.inputs_need_grad else "null"
            else:
                reqs[n] = "null"
        return reqs

    def decide_slices(self, data_shapes):
        """Split the batch over the devices; returns each input's batch axis (-1: none)."""
        axes = [DataDesc.get_batch_axis(s.layout) for s in data_shapes]
        sizes = {s.shape[a] for s, a in zip(data_shapes, axes) if a >= 0}
        if len(sizes) > 1:
            raise ValueError(f"All data must have the same batch size: {[s.shape for s in data_shapes]}")
        if sizes:
            self.batch_size = sizes.pop()
            self.slices = _split_input_slice(self.batch_size, self.workload)
        return axes

    @staticmethod
    def _sliced(descs, axes, sl):
        out = []
        for d, axis in zip(descs, axes):
            shape = tuple(d.shape)
            if axis >= 0:
                shape = shape[:axis] + (sl.stop - sl.start,) + shape[axis + 1:]
            out.append(DataDesc(d.name, shape, d.dtype, d.layout))
        return out

    def bind_exec(self, data_shapes, label_shapes, shared_group=None, reshape=False):
        """(Re)bind one executor per context; a reshape keeps the parameter arrays."""
        self.data_shapes = [d if isinstance(d, DataDesc) else DataDesc(*d) for d in data_shapes]
        self.label_shapes = None if label_shapes is None else \
            [d if isinstance(d, DataDesc) else DataDesc(*d) for d in label_shapes]
        self.data_layouts = self.decide_slices(self.data_shapes)
        self.label_layouts = self.decide_slices(self.label_shapes) if self.label_shapes else None
        self.data_names = [d.name for d in self.data_shapes]
        self.label_names = [d.name for d in self.label_shapes] if self.label_shapes else []
        reqs = self._grad_reqs(self.data_names)
        self.grad_req = reqs
        self.execs = []
        for i, (ctx, sl) in enumerate(zip(self.contexts, self.slices)):
            descs = self._sliced(self.data_shapes, self.data_layouts, sl) + \
                self._sliced(self.label_shapes or [], self.label_layouts or [], sl)
            shapes = {d.name: d.shape for d in descs}
            types = {d.name: d.dtype for d in descs}
            if reshape:
                # always from the executors of the first bind, as MXNet does
                try:
                    self.execs.append(self._default_execs[i].reshape(allow_up_sizing=True, **shapes))
                except ValueError as err:
                    raise MXNetError(str(err)) from None
                continue
            shared = shared_group.execs[i] if shared_group is not None else None
            self.execs.append(self.symbol.simple_bind(
                ctx, grad_req=reqs, type_dict=types, group2ctx=self.group2ctxs[i],
                shared_arg_names=self.param_names, shared_exec=shared,
                shared_buffer=self.shared_data_arrays[i], **shapes))
        if not reshape:
            self._default_execs = list(self.execs)
        if self.monitor is not None:
            for e in self.execs:
                self.monitor.install(e)
        self._collect()

    def _collect(self):
        ex = self.execs
        self.data_arrays = [[e.arg_dict[n] for e in ex] for n in self.data_names]
        self.label_arrays = [[e.arg_dict[n] for e in ex] for n in self.label_names] or None
        self.param_arrays = [[e.arg_dict[n] for e in ex] for n in self.param_names]
        self.grad_arrays = [[e.grad_dict[n] for e in ex] for n in self.param_names] if self.for_training \
            else [[None] * len(ex) for _ in self.param_names]
        self.aux_arrays = [[e.aux_dict[n] for e in ex] for n in self.aux_names]
        self.input_grad_arrays = [[e.grad_dict[n] for e in ex] for n in self.data_names] \
            if self.inputs_need_grad else None
        self.state_arrays = [[e.arg_dict[n] for e in ex] for n in self.state_names]

    def reshape(self, data_shapes, label_shapes):
        if data_shapes == self.data_shapes and label_shapes == self.label_shapes:
            return
        self.bind_exec(data_shapes, label_shapes, reshape=True)

    def set_params(self, arg_params, aux_params, allow_extra=False):
        for e in self.execs:
            e.copy_params_from(arg_params, aux_params, allow_extra_params=allow_extra)

    def get_params(self, arg_params, aux_params):
        """Average each parameter over the devices into ``arg_params``/``aux_params`` (in place)."""
        for names, arrays, dst in ((self.param_names, self.param_arrays, arg_params),
                                   (self.aux_names, self.aux_arrays, aux_params)):
            for name, block in zip(names, arrays):
                if len(block) == 1:
                    value = block[0]
                else:
                    value = nd.add_n(*[w.as_in_context(block[0].context) for w in block]) / len(block)
                value.astype(dst[name].dtype).copyto(dst[name])

    def forward(self, data_batch, is_train=None):
        _load_slices(data_batch.data, self.slices, self.data_arrays, self.data_layouts)
        if self.label_arrays is not None and data_batch.label:
            _load_slices(data_batch.label, self.slices, self.label_arrays, self.label_layouts)
        if is_train is None:
            is_train = self.for_training
        for e in self.execs:
            e.forward(is_train=is_train)

    def get_output_shapes(self):
        outs = self.execs[0].outputs
        names = self.symbol.list_outputs()
        shapes = []
        for n, o, axis in zip(names, outs, self.output_layouts):
            shape = tuple(o.shape)
            if axis >= 0:
                shape = shape[:axis] + (self.batch_size,) + shape[axis + 1:]
            shapes.append((n, shape))
        return shapes

    def get_outputs(self, merge_multi_context=True, begin=0, end=None):
        n_out = len(self.execs[0].outputs)
        end = n_out if end is None else end
        outs = [[e.outputs[i] for e in self.execs] for i in range(begin, end)]
        return _merge(outs, self.output_layouts[begin:end]) if merge_multi_context else outs

    def get_states(self, merge_multi_context=True):
        return _merge(self.state_arrays) if merge_multi_context else self.state_arrays

    def set_states(self, states=None, value=None):
        if states is not None:
            for src, dsts in zip(states, self.state_arrays):
                for s, d in zip(src, dsts):
                    s.copyto(d)
        else:
            for dsts in self.state_arrays:
                for d in dsts:
                    d[:] = value

    def get_input_grads(self, merge_multi_context=True):
        if not self.inputs_need_grad:
            raise AssertionError("bind the module with inputs_need_grad=True to get input gradients")
        return _merge(self.input_grad_arrays, self.data_layouts) if merge_multi_context \
            else self.input_grad_arrays

    def backward(self, out_grads=None):
        if not self.for_training:
            raise AssertionError("re-bind with for_training=True to run backward")
        if out_grads is None:
            for e in self.execs:
                e.backward()
            return
        for e, sl in zip(self.execs, self.slices):
            grads = [_slice_axis(g, axis, sl, len(self.execs)).as_in_context(e._ctx)
                     for g, axis in zip(out_grads, self.output_layouts)]
            e.backward(out_grads=grads)

    def update_metric(self, eval_metric, labels, pre_sliced=False):
        out_names = self.symbol.list_outputs()
        for i, (e, sl) in enumerate(zip(self.execs, self.slices)):
            if pre_sliced:
                labels_ = labels[i]
            else:
                axes = self.label_layouts or [0] * len(labels)
                labels_ = [_slice_axis(lb, axis, sl, len(self.execs)) for lb, axis in zip(labels, axes)]
            eval_metric.update_dict(dict(zip(self.label_names, labels_)), dict(zip(out_names, e.outputs)))

    def install_monitor(self, mon):
        self.monitor = mon
        for e in self.execs:
            mon.install(e)
