"""Automatic names for symbols and blocks: ``NameManager`` and ``Prefix``."""
import threading

from .base import _MXClassPropertyDescriptor, _MXClassPropertyMetaClass


class NameManager(metaclass=_MXClassPropertyMetaClass):
    """Hands out names ``<hint><n>`` with a counter per hint; usable as a scope."""

    _local = threading.local()

    def __init__(self):
        self._counter = {}
        self._old_manager = None

    def get(self, name, hint):
        """``name`` when given, else the next ``<hint><count>``."""
        if name:
            return name
        hint = hint.lower()
        n = self._counter.get(hint, 0)
        self._counter[hint] = n + 1
        return f"{hint}{n}"

    def __enter__(self):
        self._old_manager = NameManager.current
        NameManager._local.value = self
        return self

    def __exit__(self, *exc):
        NameManager._local.value = self._old_manager

    @classmethod
    def _current(cls):
        v = getattr(cls._local, "value", None)
        if v is None:
            v = cls._local.value = NameManager()
        return v

    @classmethod
    def _set_current(cls, manager):
        cls._local.value = manager

    # the calling thread's manager; assigning to it replaces that thread's manager only
    current = _MXClassPropertyDescriptor(_current, _set_current)


class Prefix(NameManager):
    """A name manager that prepends ``prefix`` to every name it makes."""

    def __init__(self, prefix):
        super().__init__()
        self._prefix = prefix

    def get(self, name, hint):
        return self._prefix + super().get(name, hint)
