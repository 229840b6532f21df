"""Counting the tokens of a text."""
import collections
import re


def count_tokens_from_str(source_str, token_delim=' ', seq_delim='\n', to_lower=False,
                          counter_to_update=None):
    """Count the tokens of ``source_str``, whose sequences are separated by ``seq_delim`` and
    whose tokens by ``token_delim`` (both regular expressions; empty tokens are dropped).

    With ``to_lower`` the tokens are lower-cased (after the split).  The counts are added to
    ``counter_to_update`` when given (and it is returned), else to a new ``collections.Counter``.
    """
    tokens = [t for t in re.split(token_delim + '|' + seq_delim, source_str) if t]
    if to_lower:
        tokens = [t.lower() for t in tokens]
    if counter_to_update is None:
        return collections.Counter(tokens)
    counter_to_update.update(tokens)
    return counter_to_update
