"""Language-model datasets (WikiText-2/103): token ids cut into ``seq_len`` windows, label = next token.

The ``wiki.<segment>.tokens`` file is looked up in ``root``; when missing or corrupt, the archive is
downloaded from the Gluon dataset repository (``MXNET_GLUON_REPO``) and unpacked there.
"""
import collections
import os
import shutil
import zipfile

import numpy as np

from .... import nd
from ...data import dataset
from ...utils import _get_repo_file_url, check_sha1, data_dir, download

__all__ = ["WikiText2", "WikiText103"]

EOS_TOKEN = "<eos>"
UNKNOWN_TOKEN = "<unk>"


class _Vocabulary:
    """Token <-> index map: ``<unk>`` is 0, then reserved tokens, then tokens by count (ties by name)."""

    def __init__(self, counter, reserved_tokens=(EOS_TOKEN,)):
        self.unknown_token = UNKNOWN_TOKEN
        self.reserved_tokens = list(reserved_tokens)
        special = [UNKNOWN_TOKEN] + self.reserved_tokens
        rest = sorted((t for t in counter if t not in special), key=lambda t: (-counter[t], t))
        self.idx_to_token = special + rest
        self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}

    def __len__(self):
        return len(self.idx_to_token)

    def to_indices(self, tokens):
        if isinstance(tokens, str):
            return self.token_to_idx.get(tokens, 0)
        return [self.token_to_idx.get(t, 0) for t in tokens]

    def to_tokens(self, indices):
        if isinstance(indices, int):
            return self.idx_to_token[indices]
        return [self.idx_to_token[i] for i in indices]


class _WikiText(dataset.Dataset):
    """Shared loading of the WikiText corpora; subclasses give the file names and hashes."""

    _namespace = None
    _archive_file = None  # (zip name, sha1)
    _data_file = None  # segment -> (token file name, sha1)

    def __init__(self, root, segment, vocab, seq_len):
        if segment not in self._data_file:
            raise ValueError("{}: segment must be one of {}, got {!r}".format(
                type(self).__name__, sorted(self._data_file), segment))
        self._segment = segment
        self._seq_len = seq_len
        self._vocab = vocab
        self._counter = None
        self._root = os.path.expanduser(root)
        os.makedirs(self._root, exist_ok=True)
        self._get_data()

    @property
    def vocabulary(self):
        return self._vocab

    @property
    def frequencies(self):
        return self._counter

    def _fetch(self, path, data_hash):
        archive, archive_hash = self._archive_file
        url = _get_repo_file_url("gluon/dataset/" + self._namespace, archive)
        try:
            zip_path = download(url, path=self._root, sha1_hash=archive_hash)
        except OSError as e:  # offline or unreachable repository
            raise OSError("{}: {} is missing and downloading {} failed: {}".format(
                type(self).__name__, path, url, e)) from e
        with zipfile.ZipFile(zip_path) as zf:
            for member in zf.namelist():
                name = os.path.basename(member)
                if name:  # flatten the archive's folder
                    with zf.open(member) as src, open(os.path.join(self._root, name), "wb") as dst:
                        shutil.copyfileobj(src, dst)

    def _get_data(self):
        fname, data_hash = self._data_file[self._segment]
        path = os.path.join(self._root, fname)
        if not os.path.exists(path) or not check_sha1(path, data_hash):
            self._fetch(path, data_hash)
        with open(path, "r", encoding="utf8") as f:
            content = f.read()
        if not self._counter:
            self._counter = collections.Counter(t for t in content.replace("\n", " ").split(" ") if t)
        if not self._vocab:
            self._vocab = _Vocabulary(self._counter)
        tokens = [t for line in content.splitlines() for t in line.split() + [EOS_TOKEN] if line.split()]
        ids = np.array(self._vocab.to_indices(tokens), dtype=np.int32)
        data, label = ids[:-1], ids[1:]
        n = len(data) // self._seq_len * self._seq_len
        self._data = nd.array(data[:n], dtype=np.int32).reshape((-1, self._seq_len))
        self._label = nd.array(label[:n], dtype=np.int32).reshape((-1, self._seq_len))

    def __getitem__(self, idx):
        return self._data[idx], self._label[idx]

    def __len__(self):
        return len(self._label)


class WikiText2(_WikiText):
    """WikiText-2 (segments 'train', 'validation', 'test'); samples are (data, label) int32 windows."""

    _namespace = "wikitext-2"
    _archive_file = ("wikitext-2-v1.zip", "3c914d17d80b1459be871a5039ac23e752a53cbe")
    _data_file = {"train": ("wiki.train.tokens", "863f29c46ef9d167fff4940ec821195882fe29d1"),
                  "validation": ("wiki.valid.tokens", "0418625c8b4da6e4b5c7a0b9e78d4ae8f7ee5422"),
                  "test": ("wiki.test.tokens", "c7b8ce0aa086fb34dab808c5c49224211eb2b172")}

    def __init__(self, root=os.path.join(data_dir(), "datasets", "wikitext-2"), segment="train",
                 vocab=None, seq_len=35):
        super().__init__(root, segment, vocab, seq_len)


class WikiText103(_WikiText):
    """WikiText-103 (segments 'train', 'validation', 'test'); samples are (data, label) int32 windows."""

    _namespace = "wikitext-103"
    _archive_file = ("wikitext-103-v1.zip", "0aec09a7537b58d4bb65362fee27650eeaba625a")
    _data_file = {"train": ("wiki.train.tokens", "b7497e2dfe77e72cfef5e3dbc61b7b53712ac211"),
                  "validation": ("wiki.valid.tokens", "c326ac59dc587676d58c422eb8a03e119582f92b"),
                  "test": ("wiki.test.tokens", "8a5befc548865cec54ed4273cf87dbbad60d1e47")}

    def __init__(self, root=os.path.join(data_dir(), "datasets", "wikitext-103"), segment="train",
                 vocab=None, seq_len=35):
        super().__init__(root, segment, vocab, seq_len)
