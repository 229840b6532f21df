#!/usr/bin/env bash
# Creates .ref/, the side venv with real MXNet 1.9.1 used as the oracle (goldens, benchmarks,
# tools/difftest.py).  Its bin/python becomes a wrapper that keeps the repository's own mxnet/
# off sys.path (python -P), so `import mxnet` there is always real MXNet, whatever the cwd.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .ref
.ref/bin/pip install -q "numpy<1.24" mxnet==1.9.1
rm .ref/bin/python
cat > .ref/bin/python <<WRAP
#!/bin/sh
PYTHONPATH=$PWD/tools/goldens\${PYTHONPATH:+:\$PYTHONPATH} exec $PWD/.ref/bin/python3 -P "\$@"
WRAP
chmod +x .ref/bin/python
.ref/bin/python -c "import mxnet; print('real MXNet', mxnet.__version__, 'at', mxnet.__file__)"
