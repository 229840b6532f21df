"""GluonTS 0.17's MXNet models (``gluonts.mx``) run unchanged on mxnext: every estimator of
``gluonts.mx.model`` trains (one epoch of two batches, hybridized as GluonTS does; finite loss,
weights moving between the batches), predicts finite forecasts of the right shape, and its
predictor serializes, deserializes and gives the same forecasts.  Tiny networks and series."""
import numpy as np
import pandas as pd
import pytest

import mxnet as mx

from gluonts.dataset.common import ListDataset
from gluonts.model.predictor import Predictor
from gluonts.mx.trainer import Trainer
from gluonts.mx.trainer.callback import Callback
from gluonts.mx.model.canonical import CanonicalRNNEstimator
from gluonts.mx.model.deep_factor import DeepFactorEstimator
from gluonts.mx.model.deepar import DeepAREstimator
from gluonts.mx.model.deepstate import DeepStateEstimator
from gluonts.mx.model.deepvar import DeepVAREstimator
from gluonts.mx.model.deepvar_hierarchical import DeepVARHierarchicalEstimator
from gluonts.mx.model.gp_forecaster import GaussianProcessEstimator
from gluonts.mx.model.gpvar import GPVAREstimator
from gluonts.mx.model.lstnet import LSTNetEstimator
from gluonts.mx.model.n_beats import NBEATSEnsembleEstimator, NBEATSEstimator
from gluonts.mx.model.renewal import DeepRenewalProcessEstimator
from gluonts.mx.model.seq2seq import MQCNNEstimator, MQRNNEstimator
from gluonts.mx.model.simple_feedforward import SimpleFeedForwardEstimator
from gluonts.mx.model.tft import TemporalFusionTransformerEstimator
from gluonts.mx.model.tpp.deeptpp._network import DeepTPPPredictionNetwork, DeepTPPTrainingNetwork
from gluonts.mx.model.transformer import TransformerEstimator
from gluonts.mx.model.wavenet import WaveNetEstimator

FREQ, P, N, T, K = "h", 4, 4, 60, 3
START = pd.Period("2020-01-01 00:00", freq=FREQ)


def _univariate():
    rng = np.random.RandomState(0)
    t = np.arange(T)
    return ListDataset([{"start": START, "feat_static_cat": [i],
                         "target": (np.sin(t / 3.0) + 0.1 * i + 0.1 * rng.rand(T) + 1).astype(np.float32)}
                        for i in range(N)], freq=FREQ)


def _multivariate():
    rng = np.random.RandomState(1)
    return ListDataset([{"start": START, "target": (rng.rand(K, T) + np.arange(K)[:, None]).astype(np.float32)}
                        for _ in range(2)], freq=FREQ, one_dim_target=False)


def _intermittent():
    rng = np.random.RandomState(2)
    return ListDataset([{"start": START, "target": ((rng.rand(T) < 0.3) * rng.randint(1, 5, T)).astype(np.float32)}
                        for _ in range(N)], freq=FREQ)


SUM = np.array([[1, 1], [1, 0], [0, 1]], dtype=np.float32)   # total = bottom 1 + bottom 2


def _hierarchical():
    bottom = np.random.RandomState(3).rand(2, T).astype(np.float32) + 1
    return ListDataset([{"start": START, "target": SUM @ bottom}], freq=FREQ, one_dim_target=False)


class _Watch(Callback):
    """Records the epoch losses and whether every parameter moved between the two batches."""

    def __init__(self):
        self.losses, self.snapshots = [], []

    def on_train_batch_end(self, training_network):
        self.snapshots.append({k: p.data().asnumpy().copy()
                               for k, p in training_network.collect_params().items() if p.grad_req != "null"})
        return True

    def on_train_epoch_end(self, epoch_no, epoch_loss, training_network, trainer):
        self.losses.append(epoch_loss)
        return True


def _trainer(watch):
    return Trainer(epochs=1, num_batches_per_epoch=2, callbacks=[watch])


# name -> (estimator factory taking a Trainer, dataset factory, forecast shape of one series)
ESTIMATORS = {
    "SimpleFeedForward": (lambda tr: SimpleFeedForwardEstimator(
        prediction_length=P, context_length=8, trainer=tr, batch_size=4, num_hidden_dimensions=[8],
        num_parallel_samples=5), _univariate, (P,)),
    "DeepAR": (lambda tr: DeepAREstimator(
        freq=FREQ, prediction_length=P, context_length=8, trainer=tr, batch_size=4, num_layers=1,
        num_cells=4, num_parallel_samples=5), _univariate, (P,)),
    "MQCNN": (lambda tr: MQCNNEstimator(
        freq=FREQ, prediction_length=P, context_length=8, trainer=tr, batch_size=4,
        decoder_mlp_dim_seq=[4], channels_seq=[4], dilation_seq=[1], kernel_size_seq=[3]),
        _univariate, (P,)),
    "MQRNN": (lambda tr: MQRNNEstimator(
        freq=FREQ, prediction_length=P, context_length=8, trainer=tr, batch_size=4), _univariate, (P,)),
    "Transformer": (lambda tr: TransformerEstimator(
        freq=FREQ, prediction_length=P, context_length=8, trainer=tr, batch_size=4, model_dim=8,
        inner_ff_dim_scale=1, num_heads=2, num_parallel_samples=5), _univariate, (P,)),
    "WaveNet": (lambda tr: WaveNetEstimator(
        freq=FREQ, prediction_length=P, trainer=tr, batch_size=4, n_residue=4, n_skip=4,
        dilation_depth=2, n_stacks=1, num_parallel_samples=5, num_bins=32, train_window_length=12,
        cardinality=[1]), _univariate, (P,)),
    "DeepState": (lambda tr: DeepStateEstimator(
        freq=FREQ, prediction_length=P, past_length=12, trainer=tr, batch_size=4,
        use_feat_static_cat=False, cardinality=[N], num_cells=4, num_layers=1,
        num_parallel_samples=5), _univariate, (P,)),
    "DeepFactor": (lambda tr: DeepFactorEstimator(
        freq=FREQ, prediction_length=P, context_length=8, trainer=tr, batch_size=4, cardinality=[N],
        num_hidden_global=4, num_layers_global=1, num_factors=2, num_hidden_local=2,
        num_layers_local=1, num_parallel_samples=5), _univariate, (P,)),
    "GaussianProcess": (lambda tr: GaussianProcessEstimator(
        freq=FREQ, prediction_length=P, context_length=8, cardinality=N, trainer=tr, batch_size=4,
        num_parallel_samples=5), _univariate, (P,)),
    "NBEATS": (lambda tr: NBEATSEstimator(
        freq=FREQ, prediction_length=P, context_length=8, trainer=tr, batch_size=4, num_stacks=2,
        widths=[8], num_blocks=[1], num_block_layers=[2], expansion_coefficient_lengths=[4],
        sharing=[False], stack_types=["G"]), _univariate, (P,)),
    "TemporalFusionTransformer": (lambda tr: TemporalFusionTransformerEstimator(
        freq=FREQ, prediction_length=P, context_length=8, trainer=tr, batch_size=4, hidden_dim=8,
        variable_dim=4, num_heads=2, quantiles=[0.1, 0.5, 0.9]), _univariate, (P,)),
    "CanonicalRNN": (lambda tr: CanonicalRNNEstimator(
        freq=FREQ, prediction_length=P, context_length=8, trainer=tr, num_layers=1, num_cells=4,
        cardinality=[N], num_parallel_samples=5), _univariate, (P,)),
    "DeepRenewalProcess": (lambda tr: DeepRenewalProcessEstimator(
        prediction_length=P, context_length=12, num_cells=4, num_layers=1, trainer=tr, batch_size=4,
        num_parallel_samples=5), _intermittent, (P,)),
    "LSTNet": (lambda tr: LSTNetEstimator(
        prediction_length=P, context_length=12, num_series=K, skip_size=2, ar_window=3, channels=4,
        kernel_size=3, trainer=tr, batch_size=4, rnn_num_cells=4, skip_rnn_num_cells=2),
        _multivariate, (P, K)),
    "DeepVAR": (lambda tr: DeepVAREstimator(
        freq=FREQ, prediction_length=P, target_dim=K, context_length=8, trainer=tr, batch_size=4,
        num_layers=1, num_cells=4, num_parallel_samples=5, rank=2, lags_seq=[1, 2]),
        _multivariate, (P, K)),
    "GPVAR": (lambda tr: GPVAREstimator(
        freq=FREQ, prediction_length=P, target_dim=K, context_length=8, trainer=tr, batch_size=4,
        num_layers=1, num_cells=4, num_parallel_samples=5, rank=2, target_dim_sample=2,
        lags_seq=[1, 2]), _multivariate, (P, K)),
    "DeepVARHierarchical": (lambda tr: DeepVARHierarchicalEstimator(
        freq=FREQ, prediction_length=P, S=SUM, trainer=tr, context_length=8, num_layers=1,
        num_cells=4, num_parallel_samples=5, batch_size=4, lags_seq=[1, 2], num_samples_for_loss=5),
        _hierarchical, (P, 3)),
}


def _forecast_values(forecasts):
    out = []
    for f in forecasts:
        out.append(np.asarray(f.samples if hasattr(f, "samples") else f.forecast_array))
    return out


def _predict(predictor, data, seed=7):
    mx.random.seed(seed)
    np.random.seed(seed)
    return list(predictor.predict(data))


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_estimator_train_predict_serialize(name, tmp_path):
    make, data_fn, shape = ESTIMATORS[name]
    mx.random.seed(0)
    np.random.seed(0)
    data = data_fn()
    watch = _Watch()
    predictor = make(_trainer(watch)).train(data)

    assert len(watch.losses) == 1 and np.isfinite(watch.losses[0])
    first, second = watch.snapshots
    assert any(not np.array_equal(first[k], second[k]) for k in first), "no weight moved"

    forecasts = _predict(predictor, data)
    assert len(forecasts) == len(data)
    for f in forecasts:
        assert np.shape(f.mean) == shape and np.all(np.isfinite(f.mean))
        assert f.start_date == START + T
    if name == "DeepVARHierarchical":
        # coherent samples: the total equals the sum of the bottom series
        s = forecasts[0].samples
        np.testing.assert_allclose(s[..., 0], s[..., 1] + s[..., 2], rtol=1e-4, atol=1e-4)

    predictor.serialize(tmp_path)
    restored = Predictor.deserialize(tmp_path)
    for a, b in zip(_forecast_values(_predict(predictor, data)), _forecast_values(_predict(restored, data))):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_nbeats_ensemble(tmp_path):
    mx.random.seed(0)
    data = _univariate()
    est = NBEATSEnsembleEstimator(
        freq=FREQ, prediction_length=P, meta_context_length=[2, 3], meta_loss_function=["MAPE"],
        meta_bagging_size=1, trainer=Trainer(epochs=1, num_batches_per_epoch=2), batch_size=4,
        num_stacks=2, widths=[8], num_blocks=[1], num_block_layers=[2],
        expansion_coefficient_lengths=[4], sharing=[False], stack_types=["G"])
    predictor = est.train(data)
    assert len(predictor.predictors) == 2
    forecasts = _predict(predictor, data)
    assert forecasts[0].samples.shape[1:] == (P,) and np.all(np.isfinite(forecasts[0].samples))
    predictor.serialize(tmp_path)
    restored = Predictor.deserialize(tmp_path)
    for a, b in zip(_forecast_values(forecasts), _forecast_values(_predict(restored, data))):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_deep_tpp_networks():
    """DeepTPPEstimator itself cannot train in GluonTS 0.17 (its ContinuousTimeInstanceSplitter is
    built without the ``freq`` it requires, a library bug), so its networks are run directly:
    the negative log-likelihood of marked inter-arrival times trains, and the prediction network
    samples (DeepTPP is not hybridizable by design)."""
    mx.random.seed(0)
    rng = np.random.RandomState(0)
    net = DeepTPPTrainingNetwork(num_marks=3, interval_length=5.0, embedding_dim=2, num_hidden_dimensions=4)
    net.initialize()
    target = mx.nd.array(np.stack([rng.exponential(0.5, (2, 6)), rng.randint(0, 3, (2, 6))], -1))
    valid = mx.nd.array([6, 4])
    trainer = mx.gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.05})
    losses = []
    for _ in range(3):
        with mx.autograd.record():
            nll = net(target, valid)
        nll.backward()
        trainer.step(2)
        losses.append(nll.asnumpy())
    assert losses[0].shape == (2,) and np.all(np.isfinite(losses))
    assert losses[-1].sum() < losses[0].sum()
    pred = DeepTPPPredictionNetwork(prediction_interval_length=2.0, num_parallel_samples=3, num_marks=3,
                                    interval_length=5.0, embedding_dim=2, num_hidden_dimensions=4,
                                    params=net.collect_params())
    samples, lengths = pred(target, valid)
    assert samples.shape[:2] == (3, 2) and samples.shape[3] == 2 and lengths.shape == (3, 2)
    s, n = samples.asnumpy(), lengths.asnumpy().astype(int)
    for i in range(3):
        for b in range(2):
            times = s[i, b, :n[i, b], 0]
            assert np.all(times >= 0) and times.sum() <= 2.0 + 1e-5
            assert set(s[i, b, :n[i, b], 1].astype(int)) <= {0, 1, 2}
    with pytest.raises(NotImplementedError):
        net.hybridize()
