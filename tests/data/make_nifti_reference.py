"""Reference for the NIfTI volumes of DATA.md that the parity set does not
cover, computed with nibabel (independent of Medulla):
  /usr/bin/python3 tests/data/make_nifti_reference.py TESTDATA_DIR OUT.json
Tokens: "mricron:" /usr/share/mricron/templates/, "itk:" the ITK examples'
Data folder, "nipype:" TESTDATA_DIR/nipype/.../nipype/testing/data/.
Values: get_fdata() (scaling applied) at indices in file axis order."""
import glob
import json
import os
import sys

import numpy as np
import nibabel as nb

testdata, out = sys.argv[1], sys.argv[2]
roots = {
    "mricron:": "/usr/share/mricron/templates/",
    "itk:": "/usr/share/doc/insighttoolkit5-examples/examples/Data/",
    "nipype:": os.path.join(testdata, "nipype/usr/lib/python3/dist-packages/nipype/testing/data/"),
}
patterns = {"mricron:": ["*.nii.gz"], "itk:": ["*.nii.gz", "*.nii"],
            "nipype:": ["tpm_0*.nii.gz", "tpms_msk.nii.gz", "segmentation*.nii.gz"]}
rng = np.random.default_rng(0)
cases = {}
for token, root in roots.items():
    for pat in patterns[token]:
        for f in sorted(glob.glob(os.path.join(root, pat))):
            img = nb.load(f)
            d = img.get_fdata()
            idx = [[0] * d.ndim, [s - 1 for s in d.shape]] + [
                [int(rng.integers(0, s)) for s in d.shape] for _ in range(8)]
            cases[token + os.path.relpath(f, root)] = {
                "shape": list(d.shape),
                "affine_ras": img.affine.tolist(),
                "dtype_on_disk": str(img.get_data_dtype().newbyteorder("=")),
                "nifti_version": 2 if isinstance(img, nb.Nifti2Image) else 1,
                "sum": float(np.nansum(d)),
                "nan_count": int(np.isnan(d).sum()),
                "indices": idx,
                "values": [float(d[tuple(i)]) for i in idx],
            }
json.dump({"generator": "nibabel %s" % nb.__version__, "cases": cases}, open(out, "w"), indent=0)
print(len(cases), "files")
