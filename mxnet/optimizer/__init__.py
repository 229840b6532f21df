"""Optimizers (``mx.optimizer`` / ``mx.opt``): weight-update rules, their registry and ``Updater``."""
from . import optimizer  # noqa: F401 - mx.optimizer.optimizer, as in MXNet
from .optimizer import Optimizer, Updater, create, get_updater, register
from .sgd import SGD, ccSGD, NAG, Signum, LARS, LBSGD, DCASGD, SGLD
from .adaptive import Adam, AdaGrad, AdaDelta, RMSProp, Adamax, Nadam, FTML, Ftrl, LAMB, Test
from . import contrib  # noqa: F401 - mx.optimizer.contrib.GroupAdaGrad

__all__ = ["Optimizer", "Updater", "create", "get_updater", "register", "SGD", "ccSGD", "NAG", "Signum",
           "LARS", "LBSGD", "DCASGD", "SGLD", "Adam", "AdaGrad", "AdaDelta", "RMSProp", "Adamax", "Nadam",
           "FTML", "Ftrl", "LAMB", "Test"]
