"""Differential runner: execute snippet files under real MXNet and mxnext, diff the output.

Each snippet in ``tools/diffcases/*.py`` is split into cases at lines starting with ``# case:``.
Every case runs in a fresh namespace (after the snippet's prelude, i.e. the text before the first
case) inside one interpreter per side; exceptions are printed as ``EXC <TypeName>``.  Output lines
of both sides are compared per case and the mismatches reported.

The oracle runs with MXNET_MKLDNN_ENABLED=0 (its oneDNN build has known bugs) and each case starts from
np.random.seed(0).  Differences listed in KNOWN are reported but not counted.  ``-v`` also prints each
side's exception messages and the known diffs in full.

Usage: python tools/difftest.py [snippet.py ...] [-v]      (exit status 1 when a new difference shows)
"""
import difflib
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ORACLE = os.path.join(REPO, '.ref', 'bin', 'python')

HELPERS = r'''
import numpy as np
def _fmt(x):
    if hasattr(x, 'asnumpy'):
        a = x.asnumpy()
        vals = (np.round(a.astype('float64'), 4) + 0.0).tolist() if a.dtype.kind in 'fc' else a.tolist()
        return '%s%s %s %s' % (type(x).__name__, tuple(x.shape), np.dtype(x.dtype).name, vals)
    if isinstance(x, np.ndarray):
        vals = (np.round(x.astype('float64'), 4) + 0.0).tolist() if x.dtype.kind in 'fc' else x.tolist()
        return 'ndarray%s %s %s' % (x.shape, x.dtype.name, vals)
    if isinstance(x, (list, tuple)):
        return type(x).__name__ + '[' + ', '.join(_fmt(i) for i in x) + ']'
    if isinstance(x, float):
        return repr(round(x, 4))
    return repr(x)
def P(*xs):
    print(*[_fmt(x) for x in xs])
'''

DRIVER = r'''
import sys, json, io, contextlib, traceback, warnings
warnings.simplefilter('ignore')
src = open(sys.argv[1]).read()
parts = src.split('\n# case:')
prelude, cases = parts[0], parts[1:]
import numpy as np
if np.__version__ >= '2':
    np.set_printoptions(legacy='1.25')
np.random.seed(0)
base = {}
exec(compile(HELPERS, 'helpers', 'exec'), base)
exec(compile(prelude, sys.argv[1], 'exec'), base)
out = {}
for c in cases:
    name, _, body = c.partition('\n')
    ns = dict(base)
    np.random.seed(0)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        try:
            exec(compile(body, sys.argv[1] + ':' + name.strip(), 'exec'), ns)
        except Exception as e:  # noqa
            print('EXC', type(e).__name__)
            if '-v' in sys.argv:
                sys.stderr.write('[%s] %s: %s\n' % (name.strip(), type(e).__name__, str(e).strip().replace('\n', ' | ')[-300:]))
    out[name.strip()] = buf.getvalue()
print('@@JSON@@' + json.dumps(out))
'''


# Differences judged benign (oracle bugs, NumPy 2 reprs, float ulps, mxnext being more permissive) or
# left open on purpose; reported as "known" and not counted as failures.
KNOWN = {
    "autograd1.py::autograd_grad": "MXNet lacks 2nd-order grad of power_scalar; mxnext is a superset",
    "autograd2.py::second_order": "MXNet lacks 2nd-order grad of _backward_mul",
    "dtype1.py::bool_nd": "MXNet rejects bool broadcast_add; mxnext computes it",
    "gluon2.py::param_ops": "Symbol.list_attr key order (MXNet insertion order vs sorted)",
    "gluon2.py::model_zoo": "mxnext ParameterDict supports len()",
    "gluon5.py::grad_add_zero": "oracle: async FP16-gemm error of the previous case",
    "nn1.py::rrelu_eval": "oracle: rrelu's mask output is left uninitialized outside training (sometimes not 0)",
    "gluon5.py::trainer_update_on_kvstore": "oracle bug with kvstore='device' on CPU",
    "gluon5.py::dense_f64_input_mismatch": "OPEN: FullyConnected accepts mixed dtypes (nn_conv.py, not ours)",
    "grads1.py::unary_grads": "float32 ulp",
    "grads1.py::nn_grads": "oracle RNN op is broken without oneDNN",
    "linalg1.py::sparse_ops": "OPEN: no sparse storage in mxnext",
    "linalg1.py::np_linalg": "matrix_rank returns mx.np array, MXNet a NumPy int64",
    "nd2.py::sum_exclude": "oracle: async error of norm(ord=3) surfaces one case later",
    "nd2.py::save_load": "MXNet legacy save rejects 0-d arrays",
    "nd2.py::dtype_names": "NumPy 2 prints numpy.bool",
    "nd2.py::contrib_control": "MXNet pads while_loop outputs with uninitialised memory",
    "nd2.py::norm_bad_ord": "MXNet raises asynchronously (next case)",
    "nd2.py::grad_attached": "private _fresh_grad attribute",
    "nd3.py::imports": "OPEN: legacy nd.imdecode not implemented",
    "nd_basic.py::tostype": "OPEN: no sparse storage in mxnext",
    "ndimage1.py::nd_image_ops": "oracle flip_top_bottom returns garbage; mxnext is right",
    "nn1.py::rnn_op": "oracle RNN op is broken without oneDNN",
    "nn1.py::deconv_variants": "oracle: async NHWC-conv error of the previous case",
    "nn1.py::norms": "GroupNorm with wrong gamma shape: MXNet fails lazily, mxnext eagerly",
    "nn1.py::gluon_rnn_layers": "oracle RNN op is broken without oneDNN",
    "np1.py::np_bool_ops": "mx.np.logical_and exists in mxnext only",
    "np1.py::npx_ops": "float32 ulp",
    "np1.py::reductions": "mx.np.median exists in mxnext only",
    "np2.py::np_autograd": "float32 ulp",
    "np2.py::npx_more": "float32 ulp",
    "np2.py::np_funcs": "mx.np.triu exists in mxnext only",
    "np3.py::np_metric": "MXNet metrics reject mx.np arrays; mxnext accepts them",
    "np3.py::np_params_save_load": "MXNet reloads np-mode params as legacy NDArrays",
    "np4.py::np_layers": "MXNet legacy layers reject mx.np arrays",
    "np4.py::np_rnn": "oracle RNN op is broken without oneDNN",
    "np4.py::np_losses": "MXNet losses reject mx.np arrays",
    "np4.py::np_layers_train": "float noise (1e-7) in BatchNorm gamma grad",
    "ops1.py::elemwise_unary": "float32 ulp",
    "repr1.py::nd_from_list_of_nd": "mxnext accepts a list of NDArrays in nd.array",
    "symbol1.py::tojson": "attr_dict key order",
    "tu1.py::check_symbolic_fail": "float32 ulp in the printed error",
}


def run_side(python, path, env_extra, verbose):
    env = dict(os.environ)
    env.update(env_extra)
    with tempfile.TemporaryDirectory() as tmp:
        drv = os.path.join(tmp, 'driver.py')
        with open(drv, 'w') as f:
            f.write('HELPERS = %r\n' % HELPERS + DRIVER)
        args = [python, drv, path] + (['-v'] if verbose else [])
        p = subprocess.run(args, cwd=tmp, env=env, capture_output=True, text=True, timeout=600)
    if verbose and p.stderr:
        tag = 'REF ' if python == ORACLE else 'OURS'
        sys.stderr.write(''.join(tag + ' ' + ln for ln in p.stderr.splitlines(True) if ln.startswith('[')))
    marker = p.stdout.rfind('@@JSON@@')
    if marker < 0:
        return {'<crash>': p.stdout[-2000:] + p.stderr[-2000:]}
    return json.loads(p.stdout[marker + len('@@JSON@@'):])


def main(argv):
    verbose = '-v' in argv
    files = [a for a in argv if not a.startswith('-')] or sorted(glob.glob(os.path.join(HERE, 'diffcases', '*.py')))
    ref_env = {'MXNET_MKLDNN_ENABLED': os.environ.get('MXNET_MKLDNN_ENABLED', '0'), 'PYTHONPATH': '',
               'MXNET_STORAGE_FALLBACK_LOG_VERBOSE': '0'}
    ours_env = {'PYTHONPATH': REPO}
    ndiff = ncase = nknown = 0
    for path in files:
        path = os.path.abspath(path)
        ref = run_side(ORACLE, path, ref_env, verbose)
        ours = run_side(sys.executable, path, ours_env, verbose)
        for name in ref.keys() | ours.keys():
            ncase += 1
            a, b = ref.get(name, '<missing>\n'), ours.get(name, '<missing>\n')
            if a != b:
                key = '%s::%s' % (os.path.basename(path), name)
                if key in KNOWN:
                    nknown += 1
                    print('--- known: %s (%s)' % (key, KNOWN[key]))
                    if not verbose:
                        continue
                else:
                    ndiff += 1
                print('=== %s :: %s' % (os.path.basename(path), name))
                sys.stdout.writelines(difflib.unified_diff(a.splitlines(True), b.splitlines(True),
                                                           'mxnet', 'mxnext', n=0))
    print('%d cases, %d differ, %d known differences' % (ncase, ndiff, nknown))
    return 1 if ndiff else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
