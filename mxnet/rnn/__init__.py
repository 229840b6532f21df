"""The legacy symbolic recurrent-network API: cells that build Symbols, sentence bucketing,
RNN checkpoints."""
from . import io, rnn, rnn_cell  # noqa: F401
from .io import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .rnn_cell import *  # noqa: F401,F403
