"""Record the pre-trained embedding files real MXNet 1.9.1 knows (names and SHA-1 sums, as its
``GloVe``/``FastText`` classes expose them) into ``mxnet/contrib/text/pretrained_files.json``.

Run with the reference interpreter from outside the repository (so that the real ``mxnet`` is
imported): ``cd /tmp && /work/main/.ref/bin/python /work/main/tools/gen_text_embedding_files.py``.
"""
import json
import os

from mxnet.contrib.text import embedding

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mxnet", "contrib", "text",
                   "pretrained_files.json")

data = {}
for cls in (embedding.GloVe, embedding.FastText):
    data[cls.__name__.lower()] = {"files": dict(cls.pretrained_file_name_sha1),
                                  "archives": dict(cls.pretrained_archive_name_sha1)}
with open(OUT, "w") as f:
    json.dump(data, f, indent=0, sort_keys=True)
    f.write("\n")
print({k: (len(v["files"]), len(v["archives"])) for k, v in data.items()})
