"""mx.contrib.text: token counts, vocabularies, embeddings from local files (goldens from MXNet 1.9.1)."""
import collections
import warnings

import pytest

import mxnet as mx
from mxnet.contrib import text


def test_count_tokens_splits_before_lower_casing():
    c = text.utils.count_tokens_from_str("*A*b*\n*a*B*c*\n", r"\*", "\n", to_lower=True)
    assert sorted(c.items()) == [("a", 2), ("b", 2), ("c", 1)]
    c = text.utils.count_tokens_from_str("xISyLIFEx", "IS", "LIFE", to_lower=True,
                                         counter_to_update=collections.Counter({"x": 1}))
    assert c == collections.Counter({"x": 3, "y": 1})


def test_vocabulary_order_and_lookups():
    v = text.vocab.Vocabulary(collections.Counter("zzyyyxw"), most_freq_count=2,
                              reserved_tokens=["<pad>"])
    assert v.idx_to_token == ["<unk>", "<pad>", "y", "z"]
    assert v.to_indices(["y", "w", "q"]) == [2, 0, 0] and v.to_indices("z") == 3
    assert v.to_tokens([2, 0]) == ["y", "<unk>"]
    with pytest.raises(ValueError):
        v.to_tokens(4)
    with pytest.raises(AssertionError):
        text.vocab.Vocabulary(reserved_tokens=["<unk>"])


@pytest.fixture
def embed_file(tmp_path):
    p = tmp_path / "e.txt"
    p.write_text("y 1 2\nz 3 4\ny 9 9\n<unk> 5 6\n")
    return str(p)


def test_custom_and_composite_embeddings(embed_file):
    v = text.vocab.Vocabulary(collections.Counter("zzyyyxw"), most_freq_count=2,
                              reserved_tokens=["<pad>"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # the duplicate 'y' line
        e = text.embedding.CustomEmbedding(embed_file, " ", vocabulary=v)
        e2 = text.embedding.CustomEmbedding(embed_file, " ", init_unknown_vec=mx.nd.ones)
    assert e.idx_to_token == ["<unk>", "<pad>", "y", "z"]
    assert e.idx_to_vec.asnumpy().tolist() == [[5, 6], [5, 6], [1, 2], [3, 4]]
    assert e2.idx_to_token == ["<unk>", "y", "z"]
    assert e2.get_vecs_by_tokens(["Z", "y"], lower_case_backup=True).asnumpy().tolist() == [[3, 4], [1, 2]]
    ce = text.embedding.CompositeEmbedding(v, [e2, e2])
    assert ce.vec_len == 4
    assert ce.idx_to_vec.asnumpy().tolist()[2] == [1, 2, 1, 2]
    ce.update_token_vectors("y", mx.nd.array([0, 1, 2, 3]))
    assert ce.get_vecs_by_tokens("y").asnumpy().tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError):
        ce.update_token_vectors("nope", mx.nd.array([0, 1, 2, 3]))


def test_pretrained_registry():
    names = text.embedding.get_pretrained_file_names()
    assert sorted(names) == ["fasttext", "glove"]
    assert len(names["glove"]) == 10 and len(names["fasttext"]) == 327
    assert text.embedding.GloVe._get_download_file_name("glove.6B.50d.txt") == "glove.6B.zip"
    assert text.embedding.FastText._get_pretrained_file_url("wiki.en.vec").endswith(
        "gluon/embeddings/fasttext/wiki.en.zip")
    with pytest.raises(KeyError):
        text.embedding.get_pretrained_file_names("unknown$$")
