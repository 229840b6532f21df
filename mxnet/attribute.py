"""``AttrScope``: attributes that every symbol created inside a ``with`` block receives."""
import threading
from collections import defaultdict

from .base import MXNetError, _MXClassPropertyDescriptor, _MXClassPropertyMetaClass

# keys MXNet stores wrapped in double underscores (``ctx_group`` -> ``__ctx_group__``)
HIDDEN_KEYS = ("ctx_group", "lr_mult", "wd_mult", "force_mirroring", "mirror_stage", "profiler_scope")


def hidden_key(key):
    """The key as a symbol stores it: hidden keys get double underscores."""
    return f"__{key}__" if key in HIDDEN_KEYS else key


class AttrScope(metaclass=_MXClassPropertyMetaClass):
    """Attribute scope: ``with AttrScope(ctx_group='dev1'): ...`` tags new symbols."""

    _local = threading.local()
    # how many control-flow bodies of each name were built (``foreach`` -> foreach0, foreach1, ...)
    _subgraph_names = defaultdict(int)

    def __init__(self, **kwargs):
        self._old_scope = None
        for v in kwargs.values():
            if not isinstance(v, str):
                raise ValueError("Attributes need to be string")
        self._attr = kwargs

    def get(self, attr):
        """The scope's attributes updated with ``attr`` (a dict, or None)."""
        if self._attr:
            ret = dict(self._attr)
            if attr:
                ret.update(attr)
            return ret
        return dict(attr) if attr else {}

    def __enter__(self):
        self._old_scope = AttrScope._current()
        attr = dict(self._old_scope._attr)
        attr.update(self._attr)
        self._attr = attr
        AttrScope._local.value = self
        return self

    def __exit__(self, *exc):
        if self._old_scope is None:
            raise MXNetError("AttrScope exited without being entered")
        AttrScope._local.value = self._old_scope

    @classmethod
    def _current(cls):
        v = getattr(cls._local, "value", None)
        if v is None:
            v = cls._local.value = AttrScope()
        return v

    @classmethod
    def _set_current(cls, scope):
        cls._local.value = scope

    # the calling thread's scope; assigning to it replaces that thread's scope only
    current = _MXClassPropertyDescriptor(_current, _set_current)
