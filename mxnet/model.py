"""``mx.model``: checkpoint files (``prefix-symbol.json`` + ``prefix-%04d.params``) and the
callback record ``BatchEndParam`` used by ``Module.fit``."""
import logging
from collections import namedtuple

BatchEndParam = namedtuple("BatchEndParams", ["epoch", "nbatch", "eval_metric", "locals"])


def save_checkpoint(prefix, epoch, symbol, arg_params, aux_params, remove_amp_cast=True):
    """Write ``symbol`` to ``prefix-symbol.json`` and the parameters, keyed ``arg:name`` /
    ``aux:name``, to ``prefix-%04d.params``."""
    from . import ndarray as nd
    from .context import cpu
    if symbol is not None:
        symbol.save(f"{prefix}-symbol.json", remove_amp_cast=remove_amp_cast)
    save_dict = {f"arg:{k}": v.as_in_context(cpu()) for k, v in arg_params.items()}
    save_dict.update({f"aux:{k}": v.as_in_context(cpu()) for k, v in aux_params.items()})
    param_name = "%s-%04d.params" % (prefix, epoch)
    nd.save(param_name, save_dict)
    logging.info('Saved checkpoint to "%s"', param_name)


def load_params(prefix, epoch):
    """``(arg_params, aux_params)`` read from ``prefix-%04d.params``."""
    from . import ndarray as nd
    fname = "%s-%04d.params" % (prefix, epoch)
    save_dict = nd.load(fname)
    arg_params, aux_params = {}, {}
    if not save_dict:
        logging.warning("Params file '%s' is empty", fname)
        return arg_params, aux_params
    for k, v in save_dict.items():
        kind, _, name = k.partition(":")
        if kind == "arg":
            arg_params[name] = v
        elif kind == "aux":
            aux_params[name] = v
    return arg_params, aux_params


def load_checkpoint(prefix, epoch):
    """``(symbol, arg_params, aux_params)`` from a checkpoint written by ``save_checkpoint``."""
    from . import symbol as sym
    symbol = sym.load(f"{prefix}-symbol.json")
    arg_params, aux_params = load_params(prefix, epoch)
    return symbol, arg_params, aux_params


class FeedForward:
    """MXNet's long-deprecated pre-Module trainer; not provided."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError("mx.model.FeedForward (deprecated since MXNet 0.x) is not implemented; "
                                  "use mx.mod.Module (fit/score/predict) instead")
