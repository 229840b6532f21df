"""``mx.contrib.text``: token counting, vocabularies and token embeddings (GloVe, fastText, custom
files, concatenations of several)."""
from . import utils
from . import vocab
from . import embedding

__all__ = ["utils", "vocab", "embedding"]
