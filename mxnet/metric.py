"""Evaluation metrics (``mx.metric``): accumulate over batches of (labels, predictions).

``update(labels, preds)`` takes lists of NDArrays (a single NDArray is wrapped);
values are computed with NumPy on host copies.  Each metric keeps a local
(``reset_local``) and a global (``reset``) accumulator: ``get`` reads the local
one, ``get_global`` the global one.  Accumulators are Python/NumPy float64,
as in MXNet (whose NumPy promoted float32 scalars to float64 there).
"""
import math
from collections import OrderedDict

import numpy

from . import ndarray, registry  # noqa: F401  (mxnet.metric.ndarray is imported by GluonTS)
from .base import numeric_types, string_types  # noqa: F401  (module names MXNet code imports)
from .ndarray import NDArray

__all__ = ["EvalMetric", "CompositeEvalMetric", "Accuracy", "TopKAccuracy", "F1", "MCC", "Perplexity",
           "MAE", "MSE", "RMSE", "CrossEntropy", "NegativeLogLikelihood", "PearsonCorrelation", "PCC",
           "Loss", "Torch", "Caffe", "CustomMetric", "np", "create", "register", "alias",
           "check_label_shapes"]


def _host(a):
    """A NumPy copy of an NDArray (or anything array-like)."""
    return a.asnumpy() if hasattr(a, "asnumpy") else numpy.asarray(a)


def check_label_shapes(labels, preds, wrap=False, shape=False):
    """Raise ValueError unless labels and preds have the same length (or shape, with ``shape``);
    with ``wrap``, single NDArrays come back as one-element lists."""
    if shape:
        ls, ps = labels.shape, preds.shape
    else:
        ls, ps = len(labels), len(preds)
    if ls != ps:
        raise ValueError(f"Shape of labels {ls} does not match shape of predictions {ps}")
    if wrap:
        if isinstance(labels, NDArray) or hasattr(labels, "asnumpy"):
            labels = [labels]
        if isinstance(preds, NDArray) or hasattr(preds, "asnumpy"):
            preds = [preds]
    return labels, preds


def create(metric, *args, **kwargs):
    """A metric from a name ('acc', 'ce', ...), a config dict/JSON, an instance, a callable
    ``feval(label, pred)`` (a CustomMetric) or a list of these (a CompositeEvalMetric)."""
    if callable(metric):
        return CustomMetric(metric, *args, **kwargs)
    if isinstance(metric, list):
        comp = CompositeEvalMetric()
        for m in metric:
            comp.add(create(m, *args, **kwargs))
        return comp
    return _create(metric, *args, **kwargs)


def _pairs(name, value):
    names = name if isinstance(name, list) else [name]
    values = value if isinstance(value, list) else [value]
    return list(zip(names, values))


class EvalMetric:
    """Base class: ``sum_metric / num_inst`` over the updates since the last reset."""

    def __init__(self, name, output_names=None, label_names=None, **kwargs):
        self.name = str(name)
        self.output_names = output_names
        self.label_names = label_names
        self._has_global_stats = kwargs.pop("has_global_stats", False)
        self._kwargs = kwargs
        self.reset()

    def __str__(self):
        return f"EvalMetric: {dict(self.get_name_value())}"

    def get_config(self):
        """The constructor arguments, enough for ``create(**config)``."""
        config = self._kwargs.copy()
        config.update(metric=self.__class__.__name__, name=self.name, output_names=self.output_names,
                      label_names=self.label_names)
        return config

    def update_dict(self, label, pred):
        """Update from dicts name -> NDArray, selecting ``output_names``/``label_names``."""
        pred = [pred[n] for n in self.output_names] if self.output_names is not None else list(pred.values())
        label = [label[n] for n in self.label_names] if self.label_names is not None else list(label.values())
        self.update(label, pred)

    def update(self, labels, preds):
        raise NotImplementedError()

    def _add(self, value, count):
        self.sum_metric += value
        self.global_sum_metric += value
        self.num_inst += count
        self.global_num_inst += count

    def reset(self):
        """Clear the local and the global accumulators."""
        self.num_inst = 0
        self.sum_metric = 0.0
        self.global_num_inst = 0
        self.global_sum_metric = 0.0

    def reset_local(self):
        """Clear the local accumulator only."""
        self.num_inst = 0
        self.sum_metric = 0.0

    def get(self):
        """``(name, value)``; the value is nan before any update."""
        if self.num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, self.sum_metric / self.num_inst)

    def get_global(self):
        if not self._has_global_stats:
            return self.get()
        if self.global_num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, self.global_sum_metric / self.global_num_inst)

    def get_name_value(self):
        """``[(name, value), ...]``."""
        return _pairs(*self.get())

    def get_global_name_value(self):
        if not self._has_global_stats:
            return self.get_name_value()
        return _pairs(*self.get_global())


# -- registry -----------------------------------------------------------------------------------
register = registry.get_register_func(EvalMetric, "metric")
alias = registry.get_alias_func(EvalMetric, "metric")
_create = registry.get_create_func(EvalMetric, "metric")


@register
@alias("composite")
class CompositeEvalMetric(EvalMetric):
    """Several metrics updated together; ``get`` returns lists of names and values."""

    def __init__(self, metrics=None, name="composite", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)
        self.metrics = [create(m) for m in (metrics or [])]

    def add(self, metric):
        self.metrics.append(create(metric))

    def get_metric(self, index):
        try:
            return self.metrics[index]
        except IndexError:
            # MXNet returns (does not raise) this error
            return ValueError(f"Metric index {index} is out of range 0 and {len(self.metrics)}")

    def update_dict(self, labels, preds):
        if self.label_names is not None:
            labels = OrderedDict([i for i in labels.items() if i[0] in self.label_names])
        if self.output_names is not None:
            preds = OrderedDict([i for i in preds.items() if i[0] in self.output_names])
        for m in self.metrics:
            m.update_dict(labels, preds)

    def update(self, labels, preds):
        for m in self.metrics:
            m.update(labels, preds)

    def reset(self):
        for m in getattr(self, "metrics", ()):
            m.reset()

    def reset_local(self):
        for m in getattr(self, "metrics", ()):
            m.reset_local()

    def _collect(self, getter):
        names, values = [], []
        for m in self.metrics:
            name, value = getter(m)
            names.extend([name] if isinstance(name, str) else name)
            values.extend(value if isinstance(value, list) else [value])
        return (names, values)

    def get(self):
        return self._collect(lambda m: m.get())

    def get_global(self):
        return self._collect(lambda m: m.get_global())

    def get_config(self):
        config = super().get_config()
        config.update(metrics=[m.get_config() for m in self.metrics])
        return config


@register
@alias("acc")
class Accuracy(EvalMetric):
    """Fraction of correct predictions; predictions with an extra ``axis`` are argmax-ed."""

    def __init__(self, axis=1, name="accuracy", output_names=None, label_names=None):
        super().__init__(name, axis=axis, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.axis = axis

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            p = _host(pred)
            if p.shape != tuple(label.shape):
                p = p.argmax(axis=self.axis)
            p = p.astype("int32").ravel()
            lab = _host(label).astype("int32").ravel()
            check_label_shapes(lab, p)
            self._add((p == lab).sum(), len(p))


@register
@alias("top_k_accuracy", "top_k_acc")
class TopKAccuracy(EvalMetric):
    """Fraction of samples whose label is among the ``top_k`` highest scores."""

    def __init__(self, top_k=1, name="top_k_accuracy", output_names=None, label_names=None):
        super().__init__(name, top_k=top_k, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.top_k = top_k
        assert top_k > 1, "Please use Accuracy if top_k is no more than 1"
        self.name += f"_{top_k}"

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            assert len(pred.shape) <= 2, "Predictions should be no more than 2 dims"
            order = numpy.argpartition(_host(pred).astype("float32"), -self.top_k)
            lab = _host(label).astype("int32")
            check_label_shapes(lab, order)
            n = order.shape[0]
            if order.ndim == 1:
                # MXNet's 1-d case: compares positions, counted locally only
                self.sum_metric += (order.ravel() == lab.ravel()).sum()
            else:
                k = min(order.shape[1], self.top_k)
                hits = (order[:, order.shape[1] - k:] == lab.reshape(-1, 1)).sum()
                self.sum_metric += hits
                self.global_sum_metric += hits
            self.num_inst += n
            self.global_num_inst += n


class _BinaryClassificationMetrics:
    """Confusion counts of a binary classifier (local and global)."""

    _KEYS = ("true_positives", "false_negatives", "false_positives", "true_negatives")

    def __init__(self):
        self.reset_stats()

    def update_binary_stats(self, label, pred):
        pred = _host(pred)
        label = _host(label).astype("int32")
        pred_label = numpy.argmax(pred, axis=1)
        check_label_shapes(label, pred)
        if len(numpy.unique(label)) > 2:
            raise ValueError(f"{self.__class__.__name__} currently only supports binary classification.")
        pt = pred_label == 1
        lt = label == 1
        counts = {"true_positives": (pt & lt).sum(), "false_positives": (pt & ~lt).sum(),
                  "false_negatives": (~pt & lt).sum(), "true_negatives": (~pt & ~lt).sum()}
        for k, v in counts.items():
            setattr(self, k, getattr(self, k) + v)
            setattr(self, "global_" + k, getattr(self, "global_" + k) + v)

    @staticmethod
    def _ratio(a, b):
        return float(a) / (a + b) if a + b > 0 else 0.0

    @property
    def precision(self):
        return self._ratio(self.true_positives, self.false_positives)

    @property
    def global_precision(self):
        return self._ratio(self.global_true_positives, self.global_false_positives)

    @property
    def recall(self):
        return self._ratio(self.true_positives, self.false_negatives)

    @property
    def global_recall(self):
        return self._ratio(self.global_true_positives, self.global_false_negatives)

    @staticmethod
    def _f(p, r):
        return 2 * p * r / (p + r) if p + r > 0 else 0.0

    @property
    def fscore(self):
        return self._f(self.precision, self.recall)

    @property
    def global_fscore(self):
        return self._f(self.global_precision, self.global_recall)

    def matthewscc(self, use_global=False):
        pre = "global_" if use_global else ""
        if not (self.global_total_examples if use_global else self.total_examples):
            return 0.0
        tp, fp, fn, tn = (float(getattr(self, pre + k)) for k in
                          ("true_positives", "false_positives", "false_negatives", "true_negatives"))
        denom = 1.0
        for t in (tp + fp, tp + fn, tn + fp, tn + fn):
            if t != 0.0:   # a zero margin would make MCC undefined: MXNet leaves it out
                denom *= t
        return (tp * tn - fp * fn) / math.sqrt(denom)

    @property
    def total_examples(self):
        return sum(getattr(self, k) for k in self._KEYS)

    @property
    def global_total_examples(self):
        return sum(getattr(self, "global_" + k) for k in self._KEYS)

    def local_reset_stats(self):
        for k in self._KEYS:
            setattr(self, k, 0)

    def reset_stats(self):
        for k in self._KEYS:
            setattr(self, k, 0)
            setattr(self, "global_" + k, 0)


class _BinaryMetric(EvalMetric):
    """F1 / MCC: 'macro' averages the per-update score, 'micro' scores all counts together."""

    def __init__(self, name, output_names, label_names, average):
        self.average = average
        self._stats = _BinaryClassificationMetrics()
        super().__init__(name=name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        st = self._stats
        for label, pred in zip(labels, preds):
            st.update_binary_stats(label, pred)
        local, glob = self._score(st, False), self._score(st, True)
        if self.average == "macro":
            self._add_split(local, glob, 1)
            st.reset_stats()
        else:
            self.sum_metric = local * st.total_examples
            self.global_sum_metric = glob * st.global_total_examples
            self.num_inst = st.total_examples
            self.global_num_inst = st.global_total_examples

    def _add_split(self, local, glob, n):
        self.sum_metric += local
        self.global_sum_metric += glob
        self.num_inst += n
        self.global_num_inst += n

    def reset(self):
        self.sum_metric = 0.0
        self.num_inst = 0
        self.global_num_inst = 0
        self.global_sum_metric = 0.0
        self._stats.reset_stats()

    def reset_local(self):
        self.sum_metric = 0.0
        self.num_inst = 0
        self._stats.local_reset_stats()


@register
class F1(_BinaryMetric):
    """F1 score of a binary classifier (predictions: per-class scores, class 1 positive)."""

    def __init__(self, name="f1", output_names=None, label_names=None, average="macro"):
        super().__init__(name, output_names, label_names, average)

    @property
    def metrics(self):
        return self._stats

    @staticmethod
    def _score(st, use_global):
        return st.global_fscore if use_global else st.fscore


@register
class MCC(_BinaryMetric):
    """Matthews correlation coefficient of a binary classifier."""

    def __init__(self, name="mcc", output_names=None, label_names=None, average="macro"):
        super().__init__(name, output_names, label_names, average)

    @property
    def _average(self):
        return self.average

    @staticmethod
    def _score(st, use_global):
        return st.matthewscc(use_global)


@register
class Perplexity(EvalMetric):
    """exp of the mean negative log-probability of the labels; ``ignore_label`` entries are skipped."""

    def __init__(self, ignore_label, axis=-1, name="perplexity", output_names=None, label_names=None):
        super().__init__(name, ignore_label=ignore_label, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.ignore_label = ignore_label
        self.axis = axis

    def update(self, labels, preds):
        assert len(labels) == len(preds)
        loss = 0.0
        num = 0
        for label, pred in zip(labels, preds):
            assert label.size == pred.size / pred.shape[-1], f"shape mismatch: {label.shape} vs. {pred.shape}"
            p = _host(pred)
            ax = self.axis % p.ndim
            lab = _host(label).reshape(-1)
            # MXNet picks with mode 'clip': out-of-range labels (e.g. an ignore_label of -1) clip
            idx = numpy.clip(lab.astype("int64"), 0, p.shape[ax] - 1)
            idx = numpy.expand_dims(idx.reshape(p.shape[:ax] + p.shape[ax + 1:]), ax)
            picked = numpy.take_along_axis(p, idx, axis=ax).ravel()
            if self.ignore_label is not None:
                ignore = (lab == self.ignore_label).astype(p.dtype)
                num -= float(ignore.sum())
                picked = picked * (1 - ignore) + ignore
            loss -= float(numpy.log(numpy.maximum(p.dtype.type(1e-10), picked)).sum())
            num += picked.size
        self._add(loss, num)

    def get(self):
        if self.num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, math.exp(self.sum_metric / self.num_inst))

    def get_global(self):
        if self.global_num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, math.exp(self.global_sum_metric / self.global_num_inst))


def _as_2d(a):
    return a.reshape(a.shape[0], 1) if a.ndim == 1 else a


class _Regression(EvalMetric):
    """One value per (label, pred) pair from ``_value(label, pred)``, averaged over pairs."""

    def __init__(self, name, output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            self._add(float(self._value(_as_2d(_host(label)), _as_2d(_host(pred)))), 1)


@register
class MAE(_Regression):
    """Mean absolute error."""

    def __init__(self, name="mae", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _value(label, pred):
        return numpy.abs(label - pred).mean()


@register
class MSE(_Regression):
    """Mean squared error."""

    def __init__(self, name="mse", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _value(label, pred):
        return ((label - pred) ** 2.0).mean()


@register
class RMSE(_Regression):
    """Root mean squared error (per update, then averaged)."""

    def __init__(self, name="rmse", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _value(label, pred):
        return numpy.sqrt(((label - pred) ** 2.0).mean())


class _LogLoss(EvalMetric):
    def __init__(self, eps, name, output_names, label_names):
        super().__init__(name, eps=eps, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.eps = eps

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            lab = _host(label).ravel()
            p = _host(pred)
            n = p.shape[0]
            assert lab.shape[0] == n, (lab.shape[0], n)
            prob = p[numpy.arange(n, dtype=numpy.int64), lab.astype(numpy.int64)]
            self._add(float((-numpy.log(prob + self.eps)).sum()), n)


@register
@alias("ce")
class CrossEntropy(_LogLoss):
    """Mean of -log(p[label]) over samples; predictions are class probabilities."""

    def __init__(self, eps=1e-12, name="cross-entropy", output_names=None, label_names=None):
        super().__init__(eps, name, output_names, label_names)


@register
@alias("nll_loss")
class NegativeLogLikelihood(_LogLoss):
    """Negative log-likelihood of the labels, averaged over samples."""

    def __init__(self, eps=1e-12, name="nll-loss", output_names=None, label_names=None):
        super().__init__(eps, name, output_names, label_names)


@register
@alias("pearsonr")
class PearsonCorrelation(EvalMetric):
    """Pearson correlation of labels and predictions: 'macro' averages per-update values,
    'micro' correlates everything seen (running means and sums of squares)."""

    def __init__(self, name="pearsonr", output_names=None, label_names=None, average="macro"):
        self.average = average
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)
        if average == "micro":
            self.reset_micro()

    def reset_micro(self):
        self._sse_p = 0
        self._mean_p = 0
        self._sse_l = 0
        self._mean_l = 0
        self._pred_nums = 0
        self._label_nums = 0
        self._conv = 0

    def reset(self):
        super().reset()
        if self.average == "micro":
            self.reset_micro()

    def update_variance(self, new_values, *aggregate):
        """Welford's update of (count, mean, sum of squared deviations) with a batch."""
        count, mean, m_2 = aggregate
        count += len(new_values)
        delta = new_values - mean
        mean += numpy.sum(delta / count)
        m_2 += numpy.sum(delta * (new_values - mean))
        return count, mean, m_2

    def update_cov(self, label, pred):
        self._conv = self._conv + numpy.sum((label - self._mean_l) * (pred - self._mean_p))

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            check_label_shapes(label, pred, False, True)
            lab = _host(label).ravel().astype(numpy.float64)
            p = _host(pred).ravel().astype(numpy.float64)
            if self.average == "macro":
                self._add(numpy.corrcoef(p, lab)[0, 1], 1)
            else:
                self.num_inst += 1
                self.global_num_inst += 1
                self._label_nums, self._mean_l, self._sse_l = self.update_variance(
                    lab, self._label_nums, self._mean_l, self._sse_l)
                self.update_cov(lab, p)
                self._pred_nums, self._mean_p, self._sse_p = self.update_variance(
                    p, self._pred_nums, self._mean_p, self._sse_p)

    def get(self):
        if self.num_inst == 0:
            return (self.name, float("nan"))
        if self.average == "macro":
            return (self.name, self.sum_metric / self.num_inst)
        n = self._label_nums
        return (self.name, self._conv / ((n - 1) * numpy.sqrt(self._sse_p / (n - 1))
                                         * numpy.sqrt(self._sse_l / (n - 1))))


@register
class PCC(EvalMetric):
    """Multi-class Matthews correlation (the K-category correlation coefficient) from a confusion
    matrix that grows with the largest class seen."""

    def __init__(self, name="pcc", output_names=None, label_names=None, has_global_stats=True):
        self.k = 2
        super().__init__(name=name, output_names=output_names, label_names=label_names,
                         has_global_stats=has_global_stats)

    def _grow(self, inc):
        self.lcm = numpy.pad(self.lcm, ((0, inc), (0, inc)), "constant", constant_values=0)
        self.gcm = numpy.pad(self.gcm, ((0, inc), (0, inc)), "constant", constant_values=0)
        self.k += inc

    @staticmethod
    def _calc_mcc(cmat):
        n = cmat.sum()
        x = cmat.sum(axis=1)
        y = cmat.sum(axis=0)
        cov_xx = numpy.sum(x * (n - x))
        cov_yy = numpy.sum(y * (n - y))
        if cov_xx == 0 or cov_yy == 0:
            return float("nan")
        cov_xy = numpy.sum(cmat.diagonal() * n - x * y)
        return cov_xy / (cov_xx * cov_yy) ** 0.5

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            lab = _host(label).astype("int32")
            p = _host(pred)
            p = p.argmax(axis=1) if p.shape != lab.shape else p.astype("int32")
            n = max(p.max(), lab.max())
            if n >= self.k:
                self._grow(n + 1 - self.k)
            bcm = numpy.zeros((self.k, self.k))
            numpy.add.at(bcm, (p.ravel(), lab.ravel()), 1)
            self.lcm += bcm
            self.gcm += bcm
        self.num_inst += 1
        self.global_num_inst += 1

    @property
    def sum_metric(self):
        return self._calc_mcc(self.lcm) * self.num_inst

    @sum_metric.setter
    def sum_metric(self, value):
        # derived from the confusion matrix; the base class's resets assign it
        pass

    @property
    def global_sum_metric(self):
        return self._calc_mcc(self.gcm) * self.global_num_inst

    @global_sum_metric.setter
    def global_sum_metric(self, value):
        pass

    def reset(self):
        self.global_num_inst = 0.0
        self.gcm = numpy.zeros((self.k, self.k))
        self.reset_local()

    def reset_local(self):
        self.num_inst = 0.0
        self.lcm = numpy.zeros((self.k, self.k))


@register
class Loss(EvalMetric):
    """Mean of the prediction values (the outputs are losses); labels are ignored."""

    def __init__(self, name="loss", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def update(self, _, preds):
        if isinstance(preds, NDArray) or hasattr(preds, "asnumpy"):
            preds = [preds]
        for pred in preds:
            self._add(float(_host(pred).sum()), pred.size)


@register
class Torch(Loss):
    """Loss metric under the name 'torch' (MXNet's torch plugin)."""

    def __init__(self, name="torch", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names)


@register
class Caffe(Loss):
    """Loss metric under the name 'caffe' (MXNet's caffe plugin)."""

    def __init__(self, name="caffe", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names)


@register
class CustomMetric(EvalMetric):
    """A metric from ``feval(label, pred)`` on NumPy arrays, returning a value or
    ``(sum_metric, num_inst)``."""

    def __init__(self, feval, name=None, allow_extra_outputs=False, output_names=None, label_names=None):
        if name is None:
            name = feval.__name__
            if "<" in name:
                name = f"custom({name})"
        super().__init__(name, feval=feval, allow_extra_outputs=allow_extra_outputs,
                         output_names=output_names, label_names=label_names, has_global_stats=True)
        self._feval = feval
        self._allow_extra_outputs = allow_extra_outputs

    def update(self, labels, preds):
        if not self._allow_extra_outputs:
            labels, preds = check_label_shapes(labels, preds, True)
        for pred, label in zip(preds, labels):
            r = self._feval(_host(label), _host(pred))
            if isinstance(r, tuple):
                self._add(r[0], r[1])
            else:
                self._add(r, 1)

    def get_config(self):
        raise NotImplementedError("CustomMetric cannot be serialized")


def np(numpy_feval, name=None, allow_extra_outputs=False):
    """A CustomMetric from a function of NumPy arrays ``numpy_feval(label, pred)``."""
    def feval(label, pred):
        return numpy_feval(label, pred)
    feval.__name__ = numpy_feval.__name__
    return CustomMetric(feval, name, allow_extra_outputs)
