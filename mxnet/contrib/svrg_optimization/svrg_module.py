"""``SVRGModule``: a ``Module`` trained with stochastic variance-reduced gradients.

Every ``update_freq`` epochs the module takes a snapshot of its weights and averages the gradient
over the whole training set at that snapshot (``update_full_grads``, run by an auxiliary module
bound like this one).  Each step then uses, per parameter,
``grad(current weights, batch) - grad(snapshot, batch) + full gradient at the snapshot``.
"""
import logging

from ... import ndarray as nd
from ... import optimizer as opt
from ...context import cpu
from ...module import Module
from .svrg_optimizer import _SVRGOptimizer


class SVRGModule(Module):
    """A ``Module`` (same arguments) trained with SVRG; ``update_freq`` (a positive int) is how
    many epochs pass between two full-gradient passes."""

    def __init__(self, symbol, data_names=('data',), label_names=('softmax_label',), logger=logging,
                 context=cpu(), work_load_list=None, fixed_param_names=None, state_names=None,
                 group2ctxs=None, compression_params=None, update_freq=None):
        super().__init__(symbol, data_names=data_names, label_names=label_names, logger=logger,
                         context=context, work_load_list=work_load_list,
                         fixed_param_names=fixed_param_names, state_names=state_names,
                         group2ctxs=group2ctxs, compression_params=compression_params)
        if not isinstance(update_freq, int):
            raise TypeError("update_freq in SVRGModule must be an integer to represent the frequency "
                            "for calculating full gradients")
        if update_freq <= 0:
            raise ValueError("update_freq in SVRGModule must be a positive integer to represent the "
                             "frequency for calculating full gradients")
        self.update_freq = update_freq
        # computes the gradients at the snapshot weights
        self._mod_aux = Module(symbol, data_names, label_names, logger, context, work_load_list,
                               fixed_param_names, state_names, group2ctxs, compression_params)
        self._param_dict = None     # per device: {parameter name: full gradient}
        self._ctx_len = len(self._context)

    def _reset_bind(self):
        super()._reset_bind()
        self._mod_aux._reset_bind()

    def reshape(self, data_shapes, label_shapes=None):
        super().reshape(data_shapes, label_shapes=label_shapes)
        self._mod_aux.reshape(data_shapes, label_shapes=label_shapes)

    def bind(self, data_shapes, label_shapes=None, for_training=True, inputs_need_grad=False,
             force_rebind=False, shared_module=None, grad_req='write'):
        """Bind this module and, for training, the auxiliary one."""
        super().bind(data_shapes, label_shapes, for_training, inputs_need_grad, force_rebind,
                     shared_module, grad_req)
        if for_training:
            self._mod_aux.bind(data_shapes, label_shapes, for_training, inputs_need_grad,
                               force_rebind, shared_module, grad_req)

    def init_optimizer(self, kvstore='local', optimizer='sgd',
                       optimizer_params=(('learning_rate', 0.01),), force_init=False):
        """Install ``optimizer`` wrapped in ``_SVRGOptimizer``; with a KVStore, the keys
        ``<param>_full`` hold the full gradients summed over devices and workers."""
        arg_params = self.get_params()[0]
        self._param_dict = [{k: nd.zeros(v.shape, ctx=self._context[i]) for k, v in arg_params.items()}
                            for i in range(self._ctx_len)]
        svrg = self._create_optimizer(_SVRGOptimizer.__name__, optimizer, kvstore, optimizer_params)
        super().init_optimizer(kvstore=kvstore, optimizer=svrg, optimizer_params=optimizer_params,
                               force_init=force_init)
        if self._kvstore:
            for name in self._exec_group.param_names:
                self._kvstore.init(name + "_full", nd.zeros(self._arg_params[name].shape))

    def _create_optimizer(self, optimizer, default_opt, kvstore, optimizer_params):
        """The ``_SVRGOptimizer`` around ``default_opt``: Module's key layout (one key per
        parameter and device) plus one ``<param>_full`` key per parameter."""
        group = self._exec_group
        batch_size = group.batch_size
        if not isinstance(kvstore, str) and kvstore is not None and "dist" in kvstore.type \
                and "_sync" in kvstore.type:
            batch_size *= kvstore.num_workers
        idx2name = {i * self._ctx_len + k: n for k in range(self._ctx_len)
                    for i, n in enumerate(group.param_names)}
        for name in self._param_dict[0]:
            idx2name[max(idx2name) + 1] = name + "_full"
        params = dict(optimizer_params)
        params.setdefault("rescale_grad", 1.0 / batch_size)
        params["default_optimizer"] = default_opt
        params["param_idx2name"] = idx2name
        return opt.create(optimizer, **params)

    def forward(self, data_batch, is_train=None):
        """Forward on this module; in training also on the auxiliary one (snapshot weights)."""
        super().forward(data_batch, is_train)
        if is_train is None:
            is_train = self.for_training
        if is_train and self._mod_aux.binded:
            # also when is_train is left to default (MXNet skips it then, and the backward that
            # follows reads whatever the auxiliary executors last computed)
            self._mod_aux.forward(data_batch, is_train)

    def backward(self, out_grads=None):
        super().backward(out_grads)
        if self._mod_aux.binded:
            self._mod_aux.backward(out_grads)

    def update(self):
        """One optimizer step on the SVRG gradients of the last forward/backward."""
        self._update_svrg_gradients()
        super().update()

    def update_full_grads(self, train_data):
        """Snapshot the current weights into the auxiliary module and average its gradients over
        one pass of ``train_data`` (a padded last batch counts for its share)."""
        names = self._exec_group.param_names
        arg, aux = self.get_params()
        self._mod_aux.set_params(arg_params=arg, aux_params=aux)
        for per_dev in self._param_dict:
            for name in names:
                per_dev[name] = nd.zeros_like(per_dev[name])
        train_data.reset()
        nbatch, pad = 0, 0
        for batch in train_data:
            self._mod_aux.forward(batch, is_train=True)
            self._mod_aux.backward()
            nbatch += 1
            for k in range(self._ctx_len):
                for i, name in enumerate(names):
                    self._param_dict[k][name] = self._param_dict[k][name] + \
                        self._mod_aux._exec_group.grad_arrays[i][k]
            pad = batch.pad or 0
        batches = nbatch - pad / train_data.batch_size
        for name in names:
            for k in range(self._ctx_len):
                self._param_dict[k][name] /= batches
            if self._kvstore:
                self._accumulate_kvstore(name, [self._param_dict[k][name] for k in range(self._ctx_len)])

    def _accumulate_kvstore(self, key, value):
        """Sum the full gradients of every device (and worker) through the KVStore key
        ``<key>_full``, then give each device the average over devices."""
        self._kvstore.push(key + "_full", value)
        self._kvstore._barrier()
        self._kvstore.pull(key + "_full", value)
        self._allocate_gradients(key, value)

    def _allocate_gradients(self, key, value):
        for k in range(self._ctx_len):
            self._param_dict[k][key] = value[k] / self._ctx_len

    @staticmethod
    def _svrg_grads_update_rule(g_curr_batch_curr_weight, g_curr_batch_special_weight,
                                g_special_weight_all_batch):
        """In place on the first list: current gradient - snapshot gradient + full gradient."""
        for g, g_snap, g_full in zip(g_curr_batch_curr_weight, g_curr_batch_special_weight,
                                     g_special_weight_all_batch):
            g -= g_snap
            g += g_full
        return g_curr_batch_curr_weight

    def _update_svrg_gradients(self):
        group, aux_group = self._exec_group, self._mod_aux._exec_group
        for k in range(self._ctx_len):
            for i, name in enumerate(group.param_names):
                self._svrg_grads_update_rule([group.grad_arrays[i][k]], [aux_group.grad_arrays[i][k]],
                                             [self._param_dict[k][name]])

    def prepare(self, data_batch, sparse_row_id_fn=None):
        super().prepare(data_batch, sparse_row_id_fn=sparse_row_id_fn)
        self._mod_aux.prepare(data_batch, sparse_row_id_fn=sparse_row_id_fn)

    # fit is Module.fit with these three steps of MXNet's SVRGModule.fit
    def _fit_epoch_begin(self, epoch, train_data):
        """A full-gradient pass at the start of every ``update_freq``-th epoch; the training data
        is rewound before each epoch."""
        if epoch % self.update_freq == 0:
            self.update_full_grads(train_data)
        train_data.reset()

    def _fit_epoch_end(self, train_data):
        """Nothing: the data is rewound at the start of the next epoch instead."""

    def _fit_train_metric(self, eval_metric):
        """The training metric logged after each epoch: since its last local reset."""
        return eval_metric.get_name_value()
