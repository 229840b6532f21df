"""mxnext's fuzzing suite: hostile files and hostile operator calls, each case in a child process.

Suites (one module each, every case rebuilt from ``(suite, seed, index)`` alone):

* ``params``: mutated ``.params`` files (``nd.save`` of every dtype, lists and dicts, V1/V2/V3 and
  legacy records, sparse records), read by ``nd.load`` and ``nd.load_frombuffer``;
* ``json``: mutated symbol JSON (graph structure, node and output indices, attributes, operator
  names, the text itself), read by ``sym.load_json`` then inferred, bound and run;
* ``recordio``: mutated ``.rec``/``.idx`` files and image records, read by ``MXRecordIO``,
  ``MXIndexedRecordIO``, ``recordio.unpack``/``unpack_img``, ``image.ImageIter``,
  ``io.ImageRecordIter`` and ``gluon.data.vision.ImageRecordDataset``;
* ``ops``: every registered operator called through ``mx.nd`` with wrong ranks, mismatched shapes,
  every dtype, zero-size and 0-d arrays, NaN/inf, absurd parameters and wrong input counts, once
  with the C kernels on and once with them off (forward, and backward for recorded cases).

``outcome.py`` says which outcomes are acceptable; ``runner.py`` runs batches of cases in child
processes (a wall-clock limit per case, an address-space limit per child) and pins a dead child's
case down.  ``python tools/fuzz --help`` for the command line.
"""
