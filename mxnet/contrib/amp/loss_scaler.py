"""Dynamic loss scaling for AMP."""
import logging

from ... import autograd, ndarray


class LossScaler:
    """Starts at 2**16; a step whose gradients overflow is skipped and halves the scale, and after
    2000 steps without overflow the scale doubles (at most 2**24)."""

    def __init__(self):
        self._loss_scale = 2.0 ** 16
        self._next_loss_scale = self._loss_scale
        self._max_loss_scale = 2.0 ** 24
        self._scale_seq_len = 2000
        self._unskipped = 0

    @property
    def loss_scale(self):
        return self._loss_scale

    def has_overflow(self, params):
        """Whether any gradient of ``params`` is inf or NaN; updates the scale for the next step."""
        grads = [g for p in params if p._grad is not None for g in p._grad]
        finite = True
        with autograd.pause():
            for start in range(0, len(grads), 200):
                chunk = grads[start:start + 200]
                ok = ndarray.multi_all_finite(*chunk, num_arrays=len(chunk), init_output=True)
                finite = finite and bool(ok.asnumpy()[0])
        overflow = not finite
        self._loss_scale = self._next_loss_scale
        if overflow:
            self._next_loss_scale = self._loss_scale / 2.0
            self._unskipped = 0
            logging.info("AMP: decreasing loss scale to %f", self._next_loss_scale)
        else:
            self._unskipped += 1
        if self._unskipped == self._scale_seq_len:
            self._unskipped = 0
            self._next_loss_scale = min(self._max_loss_scale, self._loss_scale * 2.0)
            logging.info("AMP: increasing loss scale to %f", self._next_loss_scale)
        return overflow
