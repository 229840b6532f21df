"""Cases for the operators with C kernels: ``templates.py`` inputs (consistent shapes, edge
sizes, special values), each case run with the kernels on and off like the ``ops`` suite."""
from .gen_ops import OpCase, prepare, reset  # noqa: F401
from .templates import names

NAMES = names()


def make_case(seed, i):
    return OpCase(seed, i, name=NAMES[i % len(NAMES)], strategy="template")


def default_count():
    return len(NAMES) * 40
