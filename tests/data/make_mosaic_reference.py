"""Reference for Siemens mosaic unpacking, computed with nibabel's
MosaicWrapper (nibabel.nicom.dicomwrappers), independent of Medulla.
Run: /usr/bin/python3 tests/data/make_mosaic_reference.py HEUDICONV_DATA_DIR OUT.json
(HEUDICONV_DATA_DIR = build/testdata/heudiconv/usr/lib/python3/dist-packages/heudiconv/tests/data)
Axes: nibabel's data is (row, column, slice) and its affine maps those
indices to DICOM LPS; the JSON gives it as nibabel reports it."""
import glob
import json
import os
import sys
import warnings

import numpy as np
import nibabel.nicom.dicomwrappers as dw

warnings.simplefilter("ignore")
root, out = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(0)
cases = {}
for f in sorted(glob.glob(os.path.join(root, "b0dwiForFmap", "*.dcm"))):
    w = dw.wrapper_from_file(f)
    d = w.get_data()
    idx = [[0, 0, 0], [s - 1 for s in d.shape]] + [
        [int(rng.integers(0, s)) for s in d.shape] for _ in range(10)]
    cases["heudiconv:" + os.path.relpath(f, root)] = {
        "wrapper": type(w).__name__,
        "n_mosaic": int(w.n_mosaic),
        "shape_row_col_slice": list(d.shape),
        "affine_lps": w.affine.tolist(),
        "slice_normal": [float(v) for v in w.slice_normal],
        "sum": float(d.sum()),
        "indices_row_col_slice": idx,
        "values": [float(d[tuple(i)]) for i in idx],
    }
json.dump({"generator": "nibabel %s MosaicWrapper" % __import__("nibabel").__version__,
           "cases": cases}, open(out, "w"), indent=1)
