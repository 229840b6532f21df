"""GluonNLP 0.10 runs unchanged on mxnext: BERT (and the zoo's RoBERTa/DistilBERT constructors),
the transformer NMT model with beam search, the LSTM language models (standard, AWD, BigRNN with
sampled softmax), their losses and BERTAdam.  Small configurations, no pretrained weights; each
model is run eagerly and hybridized (equal outputs), trained a step (finite loss, weights move) and,
where it is a HybridBlock, exported and reloaded as a SymbolBlock (equal outputs)."""
import json
import os

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon

import gluonnlp as nlp

WORDS = "the quick brown fox jumps over the lazy dog a b c d e f".split()


def _assert_close(a, b, tol=1e-5):
    np.testing.assert_allclose(a.asnumpy(), b.asnumpy(), rtol=tol, atol=tol)


def _export_reload(block, tmp_path, inputs, name="net"):
    """Export ``block`` (hybridized, already run), reload it as a SymbolBlock, return its outputs
    on ``inputs`` and the exported graph."""
    prefix = os.path.join(str(tmp_path), name)
    block.export(prefix)
    with open(prefix + "-symbol.json") as f:
        graph = json.load(f)
    names = [f"data{i}" for i in range(len(inputs))] if len(inputs) > 1 else ["data"]
    loaded = gluon.SymbolBlock.imports(prefix + "-symbol.json", names, prefix + "-0000.params")
    return loaded(*inputs), graph


def _ops(graph):
    return {n["op"] for n in graph["nodes"]}


def _snapshot(block):
    return {k: p.data().copy() for k, p in block.collect_params().items() if p.grad_req != "null"}


def _moved(block, before):
    return sum(float((p.data() - before[k]).abs().max().asscalar()) > 0
               for k, p in block.collect_params().items() if k in before)


# -- BERT -------------------------------------------------------------------------------------------
def _bert_inputs(vocab_size, batch=2, length=7, seed=0):
    rng = np.random.RandomState(seed)
    return (mx.nd.array(rng.randint(0, vocab_size, (batch, length))),
            mx.nd.array(rng.randint(0, 2, (batch, length))),
            mx.nd.array([length, length - 2]),
            mx.nd.array([[1, 2], [0, 3]]))


def test_bert_model_forward_hybridize_train_export(tmp_path):
    mx.random.seed(0)
    vocab = nlp.vocab.BERTVocab(nlp.data.count_tokens(WORDS))
    encoder = nlp.model.BERTEncoder(num_layers=2, units=16, hidden_size=32, max_length=20,
                                    num_heads=2, dropout=0.0)
    model = nlp.model.BERTModel(encoder, vocab_size=len(vocab), token_type_vocab_size=2, units=16,
                                embed_size=16, use_pooler=True, use_decoder=True,
                                use_classifier=True)
    model.initialize(mx.init.Normal(0.02))
    inputs = _bert_inputs(len(vocab))
    eager = model(*inputs)
    assert [o.shape for o in eager] == [(2, 7, 16), (2, 16), (2, 2), (2, 2, len(vocab))]
    model.hybridize()
    hybrid = model(*inputs)
    for a, b in zip(eager, hybrid):
        _assert_close(a, b)
    # the padded positions of the shorter sequence do not change its valid outputs
    padded = list(inputs)
    padded[0] = inputs[0].copy()
    padded[0][1, 5:] = 0
    _assert_close(model(*padded)[0][1, :5], hybrid[0][1, :5])

    loss_fn = gluon.loss.SoftmaxCELoss()
    trainer = gluon.Trainer(model.collect_params(), "bertadam", {"learning_rate": 1e-3})
    before = _snapshot(model)
    mlm_labels = mx.nd.array(np.random.RandomState(1).randint(0, len(vocab), (2, 2)))
    with autograd.record():
        _, _, nsp, mlm = model(*inputs)
        loss = loss_fn(mlm, mlm_labels).mean() + loss_fn(nsp, mx.nd.array([0, 1])).mean()
    loss.backward()
    trainer.step(1)
    assert np.isfinite(loss.asscalar())
    assert _moved(model, before) == len(before)

    reloaded, graph = _export_reload(model, tmp_path, inputs, "bert")
    assert {"_contrib_interleaved_matmul_selfatt_qk",
            "_contrib_interleaved_matmul_selfatt_valatt"} <= _ops(graph)
    for a, b in zip(reloaded, model(*inputs)):
        _assert_close(a, b)


@pytest.mark.parametrize("name", ["bert_12_768_12", "roberta_12_768_12", "distilbert_6_768_12"])
def test_bert_zoo_constructors(name):
    vocab = nlp.vocab.BERTVocab(nlp.data.count_tokens(WORDS))
    model, _ = nlp.model.get_model(name, dataset_name=None, vocab=vocab, pretrained=False,
                                   hparam_allow_override=True, num_layers=1, units=16,
                                   hidden_size=32, num_heads=2, max_length=16, embed_size=16)
    model.initialize()
    tokens, types, valid, masked = _bert_inputs(len(vocab), length=6)
    args = {"bert_12_768_12": (tokens, types, valid, masked), "roberta_12_768_12": (tokens, valid, masked),
            "distilbert_6_768_12": (tokens, valid)}[name]
    eager = model(*args)
    model.hybridize()
    hybrid = model(*args)
    seq = eager[0] if isinstance(eager, (list, tuple)) else eager
    assert seq.shape[:2] == (2, 6)
    for a, b in zip(eager if isinstance(eager, (list, tuple)) else [eager],
                    hybrid if isinstance(hybrid, (list, tuple)) else [hybrid]):
        _assert_close(a, b)


def test_bert_classifier_trains_with_bertadam():
    mx.random.seed(1)
    vocab = nlp.vocab.BERTVocab(nlp.data.count_tokens(WORDS))
    bert, _ = nlp.model.get_model("bert_12_768_12", dataset_name=None, vocab=vocab,
                                  pretrained=False, hparam_allow_override=True, num_layers=1,
                                  units=16, hidden_size=32, num_heads=2, max_length=16,
                                  embed_size=16, use_decoder=False, use_classifier=False)
    clf = nlp.model.BERTClassifier(bert, num_classes=3, dropout=0.1)
    clf.initialize(mx.init.Normal(0.02))
    clf.hybridize()
    tokens, types, valid, _ = _bert_inputs(len(vocab), length=6)
    labels = mx.nd.array([0, 2])
    trainer = gluon.Trainer(clf.collect_params(), nlp.optimizer.BERTAdam(learning_rate=1e-2))
    loss_fn = gluon.loss.SoftmaxCELoss()
    losses = []
    for _ in range(3):
        with autograd.record():
            loss = loss_fn(clf(tokens, types, valid), labels).mean()
        loss.backward()
        trainer.step(1)
        losses.append(loss.asscalar())
    assert np.all(np.isfinite(losses)) and losses[-1] < losses[0]


# -- transformer NMT --------------------------------------------------------------------------------
def _nmt():
    src_vocab = nlp.Vocab(nlp.data.count_tokens("a b c d e f g h".split()))
    tgt_vocab = nlp.Vocab(nlp.data.count_tokens("u v w x y z".split()))
    enc, dec, one_step = nlp.model.transformer.get_transformer_encoder_decoder(
        num_layers=2, num_heads=2, units=16, hidden_size=32, max_src_length=10, max_tgt_length=10)
    model = nlp.model.translation.NMTModel(src_vocab, tgt_vocab, enc, dec, one_step, embed_size=16,
                                           prefix="nmt_")
    model.initialize(mx.init.Xavier())
    rng = np.random.RandomState(0)
    src = mx.nd.array(rng.randint(4, len(src_vocab), (2, 6)))
    tgt = mx.nd.array(rng.randint(4, len(tgt_vocab), (2, 5)))
    return model, src, tgt, mx.nd.array([6, 4]), mx.nd.array([5, 3])


def test_transformer_nmt_train_beam_search_export(tmp_path):
    mx.random.seed(2)
    model, src, tgt, src_len, tgt_len = _nmt()
    eager, _ = model(src, tgt, src_len, tgt_len)
    assert eager.shape == (2, 5, len(model.tgt_vocab))
    model.hybridize()
    hybrid, _ = model(src, tgt, src_len, tgt_len)
    _assert_close(eager, hybrid)

    # training as GluonNLP's NMT scripts do: label smoothing and a length-masked cross-entropy
    loss_fn = nlp.loss.MaskedSoftmaxCELoss(sparse_label=False)
    smooth = nlp.loss.LabelSmoothing(epsilon=0.1, units=len(model.tgt_vocab))
    trainer = gluon.Trainer(model.collect_params(), "adam", {"learning_rate": 1e-3})
    before = _snapshot(model)
    with autograd.record():
        out, _ = model(src, tgt[:, :-1], src_len, tgt_len - 1)
        loss = loss_fn(out, smooth(tgt[:, 1:]), tgt_len - 1).mean()
    loss.backward()
    trainer.step(1)
    assert np.isfinite(loss.asscalar()) and _moved(model, before) > 0.9 * len(before)

    vocab = model.tgt_vocab

    def decoder(step_input, states):
        out, states, _ = model.decode_step(step_input, states)
        return mx.nd.log_softmax(out), states

    enc_out, _ = model.encode(src, valid_length=src_len)
    states = model.decoder.init_state_from_encoder(enc_out, src_len)
    sampler = nlp.model.BeamSearchSampler(beam_size=3, decoder=decoder, eos_id=vocab[vocab.eos_token],
                                          scorer=nlp.model.BeamSearchScorer(alpha=0.6, K=5),
                                          max_length=8)
    samples, scores, lengths = sampler(mx.nd.full((2,), vocab[vocab.bos_token]), states)
    assert samples.shape[:2] == (2, 3) and scores.shape == (2, 3)
    assert (samples[:, :, 0] == vocab[vocab.bos_token]).asnumpy().all()
    # beams come sorted by score
    assert (np.diff(scores.asnumpy(), axis=1) <= 1e-6).all()
    assert ((lengths.asnumpy() >= 2) & (lengths.asnumpy() <= samples.shape[2])).all()

    # the encoder is a HybridBlock: export it and reload
    emb = model.src_embed(src)
    model.encoder.hybridize()
    want, _ = model.encoder(emb, valid_length=src_len)
    got, graph = _export_reload(model.encoder, tmp_path, [emb, src_len], "encoder")
    _assert_close(got[0] if isinstance(got, (list, tuple)) else got, want)


# -- language models --------------------------------------------------------------------------------
LM_VOCAB = nlp.Vocab(nlp.data.count_tokens("a b c d e f g h i j".split()))


@pytest.mark.parametrize("cls, kwargs", [
    (nlp.model.StandardRNN, dict(mode="lstm", num_layers=2, dropout=0.0, tie_weights=False)),
    (nlp.model.StandardRNN, dict(mode="gru", num_layers=1, dropout=0.0, tie_weights=False)),
    (nlp.model.AWDRNN, dict(mode="lstm", num_layers=2, tie_weights=True, dropout=0.4, weight_drop=0.5,
                            drop_h=0.2, drop_i=0.65, drop_e=0.1)),
])
def test_language_models(cls, kwargs, tmp_path):
    mx.random.seed(3)
    V = len(LM_VOCAB)
    model = cls(vocab_size=V, embed_size=8, hidden_size=8 if kwargs.get("tie_weights") else 12,
                **kwargs)
    model.initialize(mx.init.Xavier())
    x = mx.nd.array(np.random.RandomState(0).randint(0, V, (5, 3)))
    state = model.begin_state(batch_size=3, func=mx.nd.zeros)
    eager, eager_state = model(x, state)
    assert eager.shape == (5, 3, V)
    model.hybridize()
    hybrid, hybrid_state = model(x, state)
    _assert_close(eager, hybrid)
    for a, b in zip(mx.base._as_list(eager_state), mx.base._as_list(hybrid_state)):
        for u, v in zip(mx.base._as_list(a), mx.base._as_list(b)):
            _assert_close(u, v)

    trainer = gluon.Trainer(model.collect_params(), "sgd", {"learning_rate": 0.5})
    before = _snapshot(model)
    labels = mx.nd.array(np.random.RandomState(1).randint(0, V, (15,)))
    with autograd.record():
        out, _ = model(x, state)
        loss = gluon.loss.SoftmaxCELoss()(out.reshape((-3, -1)), labels).mean()
    loss.backward()
    trainer.step(1)
    assert np.isfinite(loss.asscalar()) and _moved(model, before) == len(before)

    flat_state = [s for s in state for s in mx.base._as_list(s)]
    model(x, state)
    got, _ = _export_reload(model, tmp_path, [x] + flat_state, "lm")
    _assert_close(got[0], model(x, state)[0])


def test_awd_lstm_training_model_with_activation_regularizers():
    """gluonnlp.model.train.AWDRNN returns the dropped and undropped encodings that the AR/TAR
    losses regularise; zoo constructors build the full-size models without downloads."""
    mx.random.seed(4)
    for name in ("standard_lstm_lm_200", "awd_lstm_lm_600"):
        model, vocab = nlp.model.get_model(name, vocab=LM_VOCAB, dataset_name=None, pretrained=False)
        assert vocab is LM_VOCAB and model.embedding[0].weight.shape[0] == len(LM_VOCAB)
    V = len(LM_VOCAB)
    model = nlp.model.train.AWDRNN(mode="lstm", vocab_size=V, embed_size=8, hidden_size=12,
                                   num_layers=2, tie_weights=True, dropout=0.4, weight_drop=0.5,
                                   drop_h=0.2, drop_i=0.65, drop_e=0.1)
    model.initialize(mx.init.Xavier())
    model.hybridize()
    x = mx.nd.array(np.random.RandomState(0).randint(0, V, (5, 3)))
    state = model.begin_state(batch_size=3, func=mx.nd.zeros)
    ar = nlp.loss.ActivationRegularizationLoss(2)
    tar = nlp.loss.TemporalActivationRegularizationLoss(1)
    trainer = gluon.Trainer(model.collect_params(), "sgd", {"learning_rate": 0.5})
    labels = mx.nd.array(np.random.RandomState(1).randint(0, V, (15,)))
    with autograd.record():
        out, _, encoded, dropped = model(x, state)
        ce = gluon.loss.SoftmaxCELoss()(out.reshape((-3, -1)), labels).mean()
        reg_ar, reg_tar = ar(*dropped), tar(*encoded)
        loss = ce + reg_ar + reg_tar
    loss.backward()
    trainer.step(1)
    assert len(encoded) == len(dropped) == 2
    assert float(reg_ar.asscalar()) > 0 and float(reg_tar.asscalar()) > 0
    assert np.isfinite(loss.asscalar())


def test_big_rnn_sampled_softmax(tmp_path):
    """BigRNN trains on importance-sampled classes (sparse embedding rows, LSTMP cells) and its
    parameters load into the full-softmax evaluation model."""
    mx.random.seed(5)
    V, T, B = len(LM_VOCAB), 5, 3
    train = nlp.model.train.BigRNN(V, embed_size=8, hidden_size=12, num_layers=1,
                                   projection_size=6, num_sampled=4, embed_dropout=0.1,
                                   encode_dropout=0.1, prefix="bigrnn_")
    train.initialize()
    trainer = gluon.Trainer(train.collect_params(), "sgd", {"learning_rate": 0.1})
    rng = np.random.RandomState(0)
    x = mx.nd.array(rng.randint(0, V, (T, B)))
    target = mx.nd.array(rng.randint(0, V, (T, B)))
    sampled, count_true, count_sampled = mx.nd.contrib.rand_zipfian(target.reshape((-1, 1)), 4, V)
    with autograd.record():
        out, _, new_target = train(x, target, train.begin_state(batch_size=B, func=mx.nd.zeros),
                                   [sampled, count_sampled, count_true.reshape((-1,))])
        loss = gluon.loss.SoftmaxCELoss()(out, new_target).mean()
    loss.backward()
    trainer.step(1)
    assert out.shape == (T, B, 5) and np.isfinite(loss.asscalar())
    assert (new_target == 0).asnumpy().all()      # the true class comes first
    path = str(tmp_path / "bigrnn.params")
    train.save_parameters(path)
    evaluate = nlp.model.BigRNN(V, embed_size=8, hidden_size=12, num_layers=1, projection_size=6,
                                embed_dropout=0.1, encode_dropout=0.1, prefix="bigrnn_")
    evaluate.load_parameters(path)
    state = evaluate.begin_state(batch_size=B, func=mx.nd.zeros)
    eager, _ = evaluate(x, state)
    evaluate.hybridize()
    hybrid, _ = evaluate(x, state)
    assert eager.shape == (T, B, V)
    _assert_close(eager, hybrid)


class _GRUDecoder(gluon.HybridBlock):
    """A one-step decoder: embedding, GRU cell, log-probabilities over the vocabulary."""

    def __init__(self, vocab_size, hidden):
        super().__init__()
        with self.name_scope():
            self.embed = gluon.nn.Embedding(vocab_size, hidden)
            self.cell = gluon.rnn.GRUCell(hidden)
            self.proj = gluon.nn.Dense(vocab_size, flatten=False)

    def hybrid_forward(self, F, inputs, states):
        out, new = self.cell(self.embed(inputs), [states])
        return F.log_softmax(self.proj(out)), new[0]


def test_samplers_beam_hybrid_beam_and_sequence():
    """HybridBeamSearchSampler (while_loop and cond over NDArrays) finds the same beams and scores
    as BeamSearchSampler; SequenceSampler draws sequences ending in EOS or at max_length.  (Real
    MXNet 1.9.1 cannot run the sampler hybridized: its cond branches disagree on a dtype.)"""
    mx.random.seed(6)
    V, B, max_length = 7, 2, 6
    decoder = _GRUDecoder(V, 8)
    decoder.initialize()
    states = mx.nd.random.normal(shape=(B, 8))
    start = mx.nd.array([2, 3])
    scorer = nlp.model.BeamSearchScorer(alpha=0.0, K=5)
    eager = nlp.model.BeamSearchSampler(beam_size=3, decoder=decoder, eos_id=1, scorer=scorer,
                                        max_length=max_length)(start, states)
    hybrid_sampler = nlp.model.HybridBeamSearchSampler(batch_size=B, beam_size=3, decoder=decoder,
                                                       eos_id=1, scorer=scorer,
                                                       max_length=max_length, vocab_size=V)
    hybrid = hybrid_sampler(start, states)
    assert eager[0].shape == hybrid[0].shape == (B, 3, max_length + 2)
    np.testing.assert_array_equal(eager[0].asnumpy(), hybrid[0].asnumpy())
    _assert_close(eager[1], hybrid[1])
    np.testing.assert_array_equal(eager[2].asnumpy(), hybrid[2].asnumpy())

    samples, scores, lengths = nlp.model.SequenceSampler(beam_size=4, decoder=decoder, eos_id=1,
                                                         max_length=max_length)(start, states)
    assert samples.shape[:2] == (B, 4) and scores.shape == lengths.shape == (B, 4)
    s, n = samples.asnumpy(), lengths.asnumpy().astype(int)
    for b in range(B):
        for k in range(4):
            assert s[b, k, 0] == start.asnumpy()[b]
            assert n[b, k] == max_length + 1 or s[b, k, n[b, k] - 1] == 1
    assert np.all(scores.asnumpy() <= 0)


def test_elmo_bilm_character_encoder_trains():
    """ELMoBiLM: character CNN (ConvolutionalEncoder with highway layers) under a bidirectional
    LSTMP stack with clipping, run eagerly (its hybridized graph multiplies (N, T, C) by (N, T, 1)
    with elementwise `*`, which real MXNet 1.9.1 rejects as well)."""
    mx.random.seed(7)
    model = nlp.model.elmo.ELMoBiLM(rnn_type="lstmpc", output_size=8, filters=[[1, 4], [2, 4]],
                                    char_embed_size=4, char_vocab_size=262, num_highway=1,
                                    conv_layer_activation="relu", max_chars_per_token=10,
                                    input_size=8, hidden_size=16, proj_size=4, num_layers=2,
                                    cell_clip=3, proj_clip=3)
    model.initialize()
    chars = mx.nd.array(np.random.RandomState(0).randint(0, 262, (2, 5, 10)))
    mask = mx.nd.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    states = model.begin_state(mx.nd.zeros, batch_size=2)
    trainer = gluon.Trainer(model.collect_params(), "adam", {"learning_rate": 0.01})
    before = _snapshot(model)
    with autograd.record():
        outputs, new_states = model(chars, states, mask)
        loss = sum((o * o).mean() for o in outputs)
    loss.backward()
    trainer.step(1)
    # the token representation (both directions of the embedding), then one output per layer
    assert [o.shape for o in outputs] == [(2, 5, 16), (2, 5, 8), (2, 5, 8)]
    assert len(new_states) == 2 and np.isfinite(loss.asscalar())
    # (the upper LSTMP layers' recurrent weights get gradients near 1e-16 here, too small to move)
    assert _moved(model, before) > 0.8 * len(before)
