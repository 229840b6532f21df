"""Metric helpers shared by the estimator and its handlers."""
from ....metric import Accuracy, CompositeEvalMetric, EvalMetric
from ...loss import SoftmaxCrossEntropyLoss


def _check_metrics(metrics):
    """Normalise ``metrics`` to a flat list of EvalMetric (composites are expanded)."""
    if isinstance(metrics, CompositeEvalMetric):
        return [m for sub in metrics.metrics for m in _check_metrics(sub)]
    if isinstance(metrics, EvalMetric):
        return [metrics]
    metrics = metrics or []
    if not all(isinstance(m, EvalMetric) for m in metrics):
        raise ValueError("metrics must be a Metric or a list of Metric, "
                         "refer to mxnet.metric.EvalMetric: {}".format(metrics))
    return metrics


def _check_handler_metric_ref(handler, known_metrics):
    """Every metric a handler holds (attributes named like ``*metric*``) must belong to the estimator."""
    for attr in dir(handler):
        if "metric" not in attr:
            continue
        ref = getattr(handler, attr)
        if not ref:
            continue
        for metric in (ref if isinstance(ref, list) else [ref]):
            _check_metric_known(handler, metric, known_metrics)


def _check_metric_known(handler, metric, known_metrics):
    if metric not in known_metrics:
        raise ValueError("Event handler {} refers to a metric instance {} outside of the known training and "
                         "validation metrics. Please use the metrics from estimator.train_metrics and "
                         "estimator.val_metrics instead.".format(type(handler).__name__, metric))


def _suggest_metric_for_loss(loss):
    """Accuracy goes with softmax cross-entropy; other losses get no default metric."""
    return Accuracy() if isinstance(loss, SoftmaxCrossEntropyLoss) else None
