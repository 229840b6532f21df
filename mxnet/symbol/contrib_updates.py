"""AdamW updates of ``mx.sym.contrib`` (``adamw_update``, ``mp_adamw_update``)."""
from .symbol import Symbol


def _rescale_symbol(rescale_grad):
    from . import full
    return rescale_grad if isinstance(rescale_grad, Symbol) else full(shape=(1,), val=rescale_grad)


def adamw_update(weight, grad, mean, var, rescale_grad, lr, eta, beta1=0.9, beta2=0.999,
                 epsilon=1e-8, wd=0, clip_gradient=-1, out=None, name=None, **kwargs):
    """Symbol of an AdamW step (see ``mx.nd.contrib.adamw_update``); a number ``rescale_grad``
    becomes a one-element constant."""
    from . import _internal
    return _internal._adamw_update(weight, grad, mean, var, _rescale_symbol(rescale_grad), lr=lr,
                                   eta=eta, beta1=beta1, beta2=beta2, epsilon=epsilon, wd=wd,
                                   clip_gradient=clip_gradient, name=name, **kwargs)


def mp_adamw_update(weight, grad, mean, var, weight32, rescale_grad, lr, eta, beta1=0.9,
                    beta2=0.999, epsilon=1e-8, wd=0, clip_gradient=-1, out=None, name=None,
                    **kwargs):
    """Symbol of ``adamw_update`` on a float32 master copy of a low-precision weight."""
    from . import _internal
    return _internal._mp_adamw_update(weight, grad, mean, var, weight32, _rescale_symbol(rescale_grad),
                                      lr=lr, eta=eta, beta1=beta1, beta2=beta2, epsilon=epsilon,
                                      wd=wd, clip_gradient=clip_gradient, name=name, **kwargs)


def install(module):
    """Expose these functions on the generated ``mx.sym.contrib`` module."""
    for fn in (adamw_update, mp_adamw_update):
        setattr(module, fn.__name__, fn)
