"""``Vocabulary``: an index of tokens (the unknown token first, then reserved tokens, then the
tokens of a counter from the most frequent)."""
import collections

UNKNOWN_IDX = 0


class Vocabulary:
    """Indexes the unknown token (index 0), the ``reserved_tokens`` in order, then the keys of
    ``counter`` by decreasing frequency (ties in ascending token order).

    Keys with a count below ``min_freq`` are left out, and at most ``most_freq_count`` of them are
    indexed (None: no limit).  Tokens may be any hashable values of one type (str, int, tuple).
    """

    def __init__(self, counter=None, most_freq_count=None, min_freq=1, unknown_token='<unk>',
                 reserved_tokens=None):
        assert min_freq > 0, '`min_freq` must be set to a positive value.'
        if reserved_tokens is not None:
            reserved = set(reserved_tokens)
            assert unknown_token not in reserved, \
                '`reserved_token` cannot contain `unknown_token`.'
            assert len(reserved) == len(reserved_tokens), \
                '`reserved_tokens` cannot contain duplicate reserved tokens.'
        self._unknown_token = unknown_token
        self._reserved_tokens = None if reserved_tokens is None else list(reserved_tokens)
        self._idx_to_token = [unknown_token] + (self._reserved_tokens or [])
        self._token_to_idx = {t: i for i, t in enumerate(self._idx_to_token)}
        if counter is not None:
            self._index_counter_keys(counter, most_freq_count, min_freq)

    def _index_counter_keys(self, counter, most_freq_count, min_freq):
        assert isinstance(counter, collections.Counter), \
            '`counter` must be an instance of collections.Counter.'
        special = set(self._idx_to_token)
        # most frequent first; equal counts in ascending token order (a stable sort of the sorted)
        ranked = sorted(sorted(counter.items(), key=lambda kv: kv[0]), key=lambda kv: kv[1],
                        reverse=True)
        cap = len(special) + (len(counter) if most_freq_count is None else most_freq_count)
        for token, freq in ranked:
            if freq < min_freq or len(self._idx_to_token) == cap:
                break
            if token not in special:
                self._token_to_idx[token] = len(self._idx_to_token)
                self._idx_to_token.append(token)

    def __len__(self):
        return len(self._idx_to_token)

    @property
    def token_to_idx(self):
        """dict from each indexed token to its index."""
        return self._token_to_idx

    @property
    def idx_to_token(self):
        """The indexed tokens, in index order."""
        return self._idx_to_token

    @property
    def unknown_token(self):
        """What every token that is not indexed maps to (index 0)."""
        return self._unknown_token

    @property
    def reserved_tokens(self):
        """The reserved tokens (indices 1, 2, ...), or None."""
        return self._reserved_tokens

    def to_indices(self, tokens):
        """The index of a token, or the list of indices of a list of tokens (0 for unknown ones)."""
        if isinstance(tokens, list):
            return [self._token_to_idx.get(t, UNKNOWN_IDX) for t in tokens]
        return self._token_to_idx.get(tokens, UNKNOWN_IDX)

    def to_tokens(self, indices):
        """The token of an index, or the list of tokens of a list of indices."""
        single = not isinstance(indices, list)
        out = []
        for idx in [indices] if single else indices:
            if not isinstance(idx, int) or idx > len(self._idx_to_token) - 1:
                raise ValueError(f'Token index {idx} in the provided `indices` is invalid.')
            out.append(self._idx_to_token[idx])
        return out[0] if single else out
