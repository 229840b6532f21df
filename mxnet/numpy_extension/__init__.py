"""``mx.npx``: MXNet's operators for ``mx.np`` arrays (neural-network layers, reshape codes,
``set_np``), plus device helpers and V3 file I/O."""
from ..context import Context, cpu, gpu, cpu_pinned, current_context, num_gpus, gpu_memory_info  # noqa: F401
from ..util import set_np, reset_np, is_np_array, is_np_shape, use_np, use_np_shape, np_shape  # noqa: F401
from ..util import use_np_array, np_array, set_np_shape  # noqa: F401
from .. import numpy as _np  # noqa: F401 - registers the _np* operators
from ..ops import npx_ops  # noqa: F401
from ._op import *  # noqa: F401,F403
from ._op import reshape, nonzero, save, load, waitall  # noqa: F401
from . import random  # noqa: F401
from ._extra import *  # noqa: F401,F403
from . import image  # noqa: F401
