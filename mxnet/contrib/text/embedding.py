"""Token embeddings: vectors for the tokens of a vocabulary, read from pre-trained files.

``GloVe`` and ``FastText`` fetch their files from the Gluon repository (``$MXNET_GLUON_REPO``) into
``embedding_root`` (checked against the SHA-1 sums in ``pretrained_files.json``);
``CustomEmbedding`` reads a local file; ``CompositeEmbedding`` concatenates several embeddings
over one vocabulary.  ``register``/``create`` keep a registry of embedding classes by lower-case
name.
"""
import json
import logging
import os
import tarfile
import warnings
import zipfile

from ... import ndarray as nd
from ... import registry
from ...base import data_dir
from ...util import is_np_array
from . import vocab
from .vocab import UNKNOWN_IDX

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pretrained_files.json")) as _f:
    _PRETRAINED = json.load(_f)


def _array(values):
    if is_np_array():
        from ... import numpy as _mx_np
        return _mx_np.array(values)
    return nd.array(values)


def register(embedding_cls):
    """Class decorator: make ``embedding_cls`` creatable as ``create(<lower-case class name>)``."""
    return registry.get_register_func(_TokenEmbedding, 'token embedding')(embedding_cls)


def create(embedding_name, **kwargs):
    """An instance of the registered embedding ``embedding_name`` built with ``kwargs``."""
    return registry.get_create_func(_TokenEmbedding, 'token embedding')(embedding_name, **kwargs)


def get_pretrained_file_names(embedding_name=None):
    """The pre-trained file names of one registered embedding, or a dict of them for all."""
    reg = registry.get_registry(_TokenEmbedding)
    if embedding_name is None:
        return {name: list(cls.pretrained_file_name_sha1) for name, cls in reg.items()}
    if embedding_name not in reg:
        raise KeyError(f'Cannot find `embedding_name` {embedding_name}. Use '
                       '`get_pretrained_file_names(embedding_name=None).keys()` to get all the '
                       'valid embedding names.')
    return list(reg[embedding_name].pretrained_file_name_sha1)


class _TokenEmbedding(vocab.Vocabulary):
    """Base of the token embeddings: a ``Vocabulary`` with a vector per indexed token.

    ``idx_to_vec`` (an NDArray of shape ``(len(self), vec_len)``) holds the vectors; row 0 is the
    unknown token's, read from the file when it lists ``unknown_token``, else made by
    ``init_unknown_vec``.  A token listed twice in a file keeps its first vector.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._vec_len = None
        self._idx_to_vec = None

    # -- pre-trained files ---------------------------------------------------------------------
    @classmethod
    def _get_download_file_name(cls, pretrained_file_name):
        return pretrained_file_name

    @classmethod
    def _get_pretrained_file_url(cls, pretrained_file_name):
        repo = os.environ.get('MXNET_GLUON_REPO',
                              'https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/')
        return (f'{repo}gluon/embeddings/{cls.__name__.lower()}/'
                f'{cls._get_download_file_name(pretrained_file_name)}')

    @classmethod
    def _get_pretrained_file(cls, embedding_root, pretrained_file_name):
        """The local path of a pre-trained file, downloaded (and unpacked) unless present with the
        expected SHA-1 sum."""
        from ...gluon.utils import check_sha1, download
        url = cls._get_pretrained_file_url(pretrained_file_name)
        directory = os.path.join(os.path.expanduser(embedding_root), cls.__name__.lower())
        path = os.path.join(directory, pretrained_file_name)
        archive = os.path.join(directory, os.path.basename(url))
        file_hash = cls.pretrained_file_name_sha1[pretrained_file_name]
        archives = getattr(cls, 'pretrained_archive_name_sha1', None)
        archive_hash = archives[os.path.basename(url)] if archives is not None else file_hash
        if not os.path.exists(path) or not check_sha1(path, file_hash):
            download(url, archive, sha1_hash=archive_hash)
            if archive.endswith('.zip'):
                with zipfile.ZipFile(archive) as zf:
                    zf.extractall(directory)
            elif archive.endswith('.gz'):
                with tarfile.open(archive, 'r:gz') as tf:
                    tf.extractall(path=directory)
        return path

    @classmethod
    def _check_pretrained_file_names(cls, pretrained_file_name):
        name = cls.__name__.lower()
        if pretrained_file_name not in cls.pretrained_file_name_sha1:
            raise KeyError(f'Cannot find pretrained file {pretrained_file_name} for token embedding '
                           f'{name}. Valid pretrained files for embedding {name}: '
                           f'{", ".join(cls.pretrained_file_name_sha1)}')

    def _load_embedding(self, pretrained_file_path, elem_delim, init_unknown_vec, encoding='utf8'):
        """Index the tokens of a file of lines ``token<delim>v1<delim>v2...`` and keep their
        vectors; a one-value line (a header) is skipped with a warning."""
        path = os.path.expanduser(pretrained_file_path)
        if not os.path.isfile(path):
            raise ValueError('`pretrained_file_path` must be a valid path to the pre-trained token '
                             'embedding file.')
        logging.info('Loading pre-trained token embedding vectors from %s', path)
        vec_len, rows, seen, unknown_vec = None, [], set(), None
        with open(path, 'r', encoding=encoding) as f:
            for line_num, line in enumerate(f, 1):
                elems = line.rstrip().split(elem_delim)
                assert len(elems) > 1, (f'At line {line_num} of the pre-trained text embedding file: '
                                        f'the data format of the pre-trained token embedding file '
                                        f'{path} is unexpected.')
                token, values = elems[0], [float(v) for v in elems[1:]]
                if token == self.unknown_token and unknown_vec is None:
                    unknown_vec = values
                    seen.add(token)
                elif token in seen:
                    warnings.warn(f'At line {line_num} of the pre-trained token embedding file: the '
                                  f'embedding vector for token {token} has been loaded and a '
                                  'duplicate embedding for the same token is seen and skipped.')
                elif len(values) == 1:
                    warnings.warn(f'At line {line_num} of the pre-trained text embedding file: token '
                                  f'{token} with 1-dimensional vector {values} is likely a header '
                                  'and is skipped.')
                else:
                    if vec_len is None:
                        vec_len = len(values)
                    assert len(values) == vec_len, (
                        f'At line {line_num} of the pre-trained token embedding file: the dimension '
                        f'of token {token} is {len(values)} but the dimension of previous tokens is '
                        f'{vec_len}. Dimensions of all the tokens must be the same.')
                    rows.append(values)
                    self._token_to_idx[token] = len(self._idx_to_token)
                    self._idx_to_token.append(token)
                    seen.add(token)
        self._vec_len = vec_len
        # row 0 (the unknown token) first; the indexed tokens so far are the unknown and reserved
        # tokens, whose rows start as zeros
        n_special = len(self._idx_to_token) - len(rows)
        self._idx_to_vec = _array([[0.0] * vec_len] * n_special + rows)
        if unknown_vec is None:
            init = init_unknown_vec(shape=vec_len)
            self._idx_to_vec[UNKNOWN_IDX] = init.as_np_ndarray() if is_np_array() else init
        else:
            self._idx_to_vec[UNKNOWN_IDX] = _array(unknown_vec)

    # -- vocabularies ------------------------------------------------------------------------------
    def _index_tokens_from_vocabulary(self, vocabulary):
        self._token_to_idx = dict(vocabulary.token_to_idx)
        self._idx_to_token = list(vocabulary.idx_to_token)
        self._unknown_token = vocabulary.unknown_token
        self._reserved_tokens = None if vocabulary.reserved_tokens is None \
            else list(vocabulary.reserved_tokens)

    def _set_idx_to_vec_by_embeddings(self, token_embeddings, vocab_len, vocab_idx_to_token):
        """Rows for the vocabulary's tokens: each embedding's vectors, concatenated in order (an
        embedding's unknown vector where it lacks a token)."""
        vec_len = sum(e.vec_len for e in token_embeddings)
        zeros = nd.zeros
        if is_np_array():
            from ... import numpy as _mx_np
            zeros = _mx_np.zeros
        new = zeros(shape=(vocab_len, vec_len))
        col = 0
        for e in token_embeddings:
            new[0, col:col + e.vec_len] = e.idx_to_vec[0]
            if vocab_len > 1:
                new[1:, col:col + e.vec_len] = e.get_vecs_by_tokens(list(vocab_idx_to_token[1:]))
            col += e.vec_len
        self._vec_len = vec_len
        self._idx_to_vec = new

    def _build_embedding_for_vocabulary(self, vocabulary):
        if vocabulary is None:
            return
        assert isinstance(vocabulary, vocab.Vocabulary), \
            'The argument `vocabulary` must be an instance of mxnet.contrib.text.vocab.Vocabulary.'
        self._set_idx_to_vec_by_embeddings([self], len(vocabulary), vocabulary.idx_to_token)
        self._index_tokens_from_vocabulary(vocabulary)

    # -- access --------------------------------------------------------------------------------
    @property
    def vec_len(self):
        """Length of each token's vector."""
        return self._vec_len

    @property
    def idx_to_vec(self):
        """The vectors, one row per token index."""
        return self._idx_to_vec

    def get_vecs_by_tokens(self, tokens, lower_case_backup=False):
        """The vector of a token (1-D) or the vectors of a list of tokens (2-D); unknown tokens get
        row 0.  With ``lower_case_backup`` a token not found is looked up again in lower case."""
        single = not isinstance(tokens, list)
        idx = self._token_to_idx
        indices = []
        for t in [tokens] if single else tokens:
            i = idx.get(t)
            if i is None and lower_case_backup:
                i = idx.get(t.lower())
            indices.append(UNKNOWN_IDX if i is None else i)
        vecs = self._idx_to_vec[_array(indices)]
        return vecs[0] if single else vecs

    def update_token_vectors(self, tokens, new_vectors):
        """Replace the vectors of ``tokens`` (a token or a list) by the rows of ``new_vectors``
        (1-D or 2-D for one token, 2-D of shape ``(len(tokens), vec_len)`` for several)."""
        assert self._idx_to_vec is not None, 'The property `idx_to_vec` has not been properly set.'
        if not isinstance(tokens, list) or len(tokens) == 1:
            assert isinstance(new_vectors, nd.NDArray) and new_vectors.ndim in (1, 2), \
                '`new_vectors` must be a 1-D or 2-D NDArray if `tokens` is a singleton.'
            tokens = tokens if isinstance(tokens, list) else [tokens]
            if new_vectors.ndim == 1:
                new_vectors = new_vectors.expand_dims(axis=0)
        else:
            assert isinstance(new_vectors, nd.NDArray) and new_vectors.ndim == 2, \
                '`new_vectors` must be a 2-D NDArray if `tokens` is a list of multiple strings.'
        assert new_vectors.shape == (len(tokens), self.vec_len), \
            ('The length of new_vectors must be equal to the number of tokens and the width of '
             'new_vectors must be equal to the dimension of embeddings of the glossary.')
        indices = []
        for t in tokens:
            if t not in self._token_to_idx:
                raise ValueError(f'Token {t} is unknown. To update the embedding vector for an '
                                 f'unknown token, please specify it explicitly as the `unknown_token` '
                                 f'{self._idx_to_token[UNKNOWN_IDX]} in `tokens`. This is to avoid '
                                 'unintended updates.')
            indices.append(self._token_to_idx[t])
        self._idx_to_vec[_array(indices)] = new_vectors


class _PretrainedEmbedding(_TokenEmbedding):
    """An embedding read from one of the repository's pre-trained files."""

    def __init__(self, pretrained_file_name, embedding_root, init_unknown_vec, vocabulary, **kwargs):
        type(self)._check_pretrained_file_names(pretrained_file_name)
        super().__init__(**kwargs)
        path = type(self)._get_pretrained_file(embedding_root, pretrained_file_name)
        self._load_embedding(path, ' ', init_unknown_vec)
        self._build_embedding_for_vocabulary(vocabulary)


@register
class GloVe(_PretrainedEmbedding):
    """GloVe vectors (https://nlp.stanford.edu/projects/glove/); several files per archive."""

    pretrained_archive_name_sha1 = _PRETRAINED['glove']['archives']
    pretrained_file_name_sha1 = _PRETRAINED['glove']['files']

    @classmethod
    def _get_download_file_name(cls, pretrained_file_name):
        # the archive is named by the corpus, the second dotted part of the file name
        by_corpus = {a.split('.')[1]: a for a in cls.pretrained_archive_name_sha1}
        return by_corpus[pretrained_file_name.split('.')[1]]

    def __init__(self, pretrained_file_name='glove.840B.300d.txt',
                 embedding_root=os.path.join(data_dir(), 'embeddings'), init_unknown_vec=nd.zeros,
                 vocabulary=None, **kwargs):
        super().__init__(pretrained_file_name, embedding_root, init_unknown_vec, vocabulary, **kwargs)


@register
class FastText(_PretrainedEmbedding):
    """fastText vectors (https://fasttext.cc); one zip archive per file."""

    pretrained_archive_name_sha1 = _PRETRAINED['fasttext']['archives']
    pretrained_file_name_sha1 = _PRETRAINED['fasttext']['files']

    @classmethod
    def _get_download_file_name(cls, pretrained_file_name):
        return pretrained_file_name.rsplit('.', 1)[0] + '.zip'

    def __init__(self, pretrained_file_name='wiki.simple.vec',
                 embedding_root=os.path.join(data_dir(), 'embeddings'), init_unknown_vec=nd.zeros,
                 vocabulary=None, **kwargs):
        super().__init__(pretrained_file_name, embedding_root, init_unknown_vec, vocabulary, **kwargs)


class CustomEmbedding(_TokenEmbedding):
    """An embedding read from a local file of lines ``token<elem_delim>v1<elem_delim>v2...``;
    with a ``vocabulary``, indexed as the vocabulary."""

    def __init__(self, pretrained_file_path, elem_delim=' ', encoding='utf8',
                 init_unknown_vec=nd.zeros, vocabulary=None, **kwargs):
        super().__init__(**kwargs)
        self._load_embedding(pretrained_file_path, elem_delim, init_unknown_vec, encoding)
        self._build_embedding_for_vocabulary(vocabulary)


class CompositeEmbedding(_TokenEmbedding):
    """The tokens of ``vocabulary`` with the vectors of ``token_embeddings`` (one embedding or a
    list, whose vectors are concatenated)."""

    def __init__(self, vocabulary, token_embeddings):
        assert isinstance(vocabulary, vocab.Vocabulary), \
            'The argument `vocabulary` must be an instance of mxnet.contrib.text.vocab.Vocabulary.'
        if not isinstance(token_embeddings, list):
            token_embeddings = [token_embeddings]
        for e in token_embeddings:
            assert isinstance(e, _TokenEmbedding), \
                ('The argument `token_embeddings` must be an instance or a list of instances of '
                 'mxnet.contrib.text.embedding._TokenEmbedding.')
        self._index_tokens_from_vocabulary(vocabulary)
        self._set_idx_to_vec_by_embeddings(token_embeddings, len(self), self.idx_to_token)
