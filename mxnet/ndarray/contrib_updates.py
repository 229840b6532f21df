"""AdamW updates of ``mx.nd.contrib`` (``adamw_update``, ``mp_adamw_update`` and their ``multi_``
forms over lists of weights), on the ``_adamw_update``/``_mp_adamw_update`` operators."""
from .ndarray import NDArray


def _rescale_array(rescale_grad, ctx):
    """``rescale_grad`` as the one-element array the operators read (so that a NaN/inf/0 factor
    computed on the device skips the step without a host round trip)."""
    from . import full
    if isinstance(rescale_grad, NDArray):
        return rescale_grad.as_in_context(ctx)
    return full(shape=(1,), val=rescale_grad, ctx=ctx)


def adamw_update(weight, grad, mean, var, rescale_grad, lr, eta, beta1=0.9, beta2=0.999,
                 epsilon=1e-8, wd=0, clip_gradient=-1, out=None, name=None, **kwargs):
    """AdamW step on ``weight`` (the result, written to ``out``); ``mean``/``var`` are updated in
    place.  The step is skipped when ``rescale_grad`` (a number or a one-element NDArray) is NaN,
    infinite or 0."""
    from . import _internal
    return _internal._adamw_update(weight, grad, mean, var,
                                   _rescale_array(rescale_grad, weight.context), lr=lr, eta=eta,
                                   beta1=beta1, beta2=beta2, epsilon=epsilon, wd=wd,
                                   clip_gradient=clip_gradient, out=out, name=name, **kwargs)


def mp_adamw_update(weight, grad, mean, var, weight32, rescale_grad, lr, eta, beta1=0.9,
                    beta2=0.999, epsilon=1e-8, wd=0, clip_gradient=-1, out=None, name=None,
                    **kwargs):
    """``adamw_update`` on the float32 master copy ``weight32`` of a low-precision weight."""
    from . import _internal
    return _internal._mp_adamw_update(weight, grad, mean, var, weight32,
                                      _rescale_array(rescale_grad, weight.context), lr=lr, eta=eta,
                                      beta1=beta1, beta2=beta2, epsilon=epsilon, wd=wd,
                                      clip_gradient=clip_gradient, out=out, name=name, **kwargs)


def _multi(single, lists, rescale_grad, lrs, wds, etas, out, size, kwargs):
    n = size or len(lists[0])
    r = _rescale_array(rescale_grad, lists[0][0].context)
    outs = out if out is not None else [None] * n
    res = [single(*[lst[i] for lst in lists], r, lr=lrs[i], wd=wds[i], eta=etas[i], out=outs[i],
                  **kwargs) for i in range(n)]
    return out if out is not None else res


def multi_adamw_update(weights, grads, mean, var, rescale_grad, lrs, wds, etas, out=None,
                       name=None, size=0, **kwargs):
    """``adamw_update`` on each weight of a list (per-weight ``lrs``, ``wds``, ``etas``)."""
    return _multi(adamw_update, (weights, grads, mean, var), rescale_grad, lrs, wds, etas, out,
                  size, kwargs)


def multi_mp_adamw_update(weights, grads, mean, var, weights32, rescale_grad, lrs, wds, etas,
                          out=None, name=None, size=0, **kwargs):
    """``mp_adamw_update`` on each weight of a list."""
    return _multi(mp_adamw_update, (weights, grads, mean, var, weights32), rescale_grad, lrs, wds,
                  etas, out, size, kwargs)


def install(module):
    """Expose these functions on the generated ``mx.nd.contrib`` module."""
    for fn in (adamw_update, mp_adamw_update, multi_adamw_update, multi_mp_adamw_update):
        setattr(module, fn.__name__, fn)
