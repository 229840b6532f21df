"""``mx.engine``: operator bulking controls.

mxnext runs each operator eagerly and synchronously, so bulking (batching
engine pushes) has no effect; the size is kept so that the old value is
returned the way MXNet returns it.
"""
__all__ = ["bulk", "set_bulk_size"]

_bulk_size = 0


def set_bulk_size(size):
    """Set the bulk size for imperative execution; returns the previous size."""
    global _bulk_size
    prev, _bulk_size = _bulk_size, int(size)
    return prev


class _BulkScope:
    """Context manager that sets the bulk size and restores the previous one on exit."""

    def __init__(self, size):
        self._size = size
        self._old_size = None

    def __enter__(self):
        self._old_size = set_bulk_size(self._size)
        return self

    def __exit__(self, ptype, value, trace):
        set_bulk_size(self._old_size)


def bulk(size):
    """``with mx.engine.bulk(size):`` runs the block with bulk size ``size``."""
    return _BulkScope(size)
