# ruff: noqa  (snippets: names like P and np come from tools/difftest.py)
import mxnet as mx
nd = mx.nd
A = nd.array([[4., 1], [1, 3]]); B = nd.array([[1., 2], [3, 4]])
# case: gemm
P(nd.linalg.gemm(A, B, nd.ones((2, 2)), alpha=2, beta=0.5, transpose_a=True), nd.linalg.gemm2(A, B, transpose_b=True, alpha=3), nd.linalg.gemm2(nd.stack(A, B), nd.stack(B, A)).shape)
# case: potrf_etc
L = nd.linalg.potrf(A)
P(L, nd.linalg.potri(L), nd.linalg.trsm(L, B), nd.linalg.trsm(L, B, rightside=True, transpose=True, alpha=2), nd.linalg.trmm(L, B, lower=True))
P(nd.linalg.sumlogdiag(L), nd.linalg.syrk(B, alpha=1, transpose=True), nd.linalg.inverse(A), nd.linalg.det(A), nd.linalg.slogdet(A))
# case: gelqf_syevd
q, l = nd.linalg.gelqf(nd.array([[1., 2, 3], [4, 5, 6]]))
P(nd.abs(l), q.shape)
u, lam = nd.linalg.syevd(A)
P(lam, nd.abs(u))
# case: trian
P(nd.linalg.extracttrian(B), nd.linalg.extracttrian(B, offset=1), nd.linalg.maketrian(nd.array([1., 2, 3])), nd.linalg.extractdiag(B), nd.linalg.makediag(nd.array([1., 2]), offset=-1), nd.linalg.copytrian if hasattr(nd.linalg, 'copytrian') else 0)
# case: potrf_bad
nd.linalg.potrf(nd.array([[1., 2], [2, 1]])).asnumpy()
# case: np_linalg
from mxnet import np as mnp, npx
npx.set_np()
a = mnp.array([[4., 1], [1, 3]])
P(mnp.linalg.norm(a), mnp.linalg.inv(a), mnp.linalg.det(a), mnp.linalg.solve(a, mnp.ones(2)), mnp.linalg.eigvalsh(a), mnp.linalg.cholesky(a), mnp.linalg.svd(a)[1], mnp.linalg.matrix_rank(a), mnp.linalg.pinv(a), mnp.linalg.qr(a)[1].shape, mnp.linalg.slogdet(a))
# case: contrib_misc
d = nd.array([[[0, 0.9, 0, 0, 1, 1], [0, 0.8, 0.1, 0.1, 1, 1], [1, 0.7, 2, 2, 3, 3], [0, 0.1, 5, 5, 6, 6]]])
P(nd.contrib.box_nms(d, overlap_thresh=0.5, valid_thresh=0.2, topk=-1, coord_start=2, score_index=1, id_index=0, force_suppress=False))
P(nd.contrib.box_iou(nd.array([[0, 0, 1, 1]]), nd.array([[0, 0, 1, 1], [0.5, 0.5, 1.5, 1.5]])), nd.contrib.bipartite_matching(nd.array([[0.5, 0.6], [0.1, 0.9]]), threshold=0.2))
# case: multibox
anchors = nd.contrib.MultiBoxPrior(nd.ones((1, 3, 2, 2)), sizes=(0.5,), ratios=(1, 2))
P(anchors)
# case: sparse_ops
P(nd.sparse.zeros('csr', (2, 3)).shape if hasattr(nd.sparse, 'zeros') else 0)
