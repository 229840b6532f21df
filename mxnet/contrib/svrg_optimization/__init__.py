"""SVRG (stochastic variance-reduced gradient) training for ``Module``: ``SVRGModule`` and the
optimizer wrapper it installs."""
from . import svrg_optimizer, svrg_module

__all__ = ["svrg_optimizer", "svrg_module"]
