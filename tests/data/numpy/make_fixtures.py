"""Writes the NumPy fixtures of test_io with numpy itself (run with
/usr/bin/python3 from this folder). Every array is arange-based, so the test
knows its values in closed form: a[i, j, k] = i*100 + j*10 + k (times the
factor given per file)."""
import numpy as np

base = np.arange(4)[:, None, None] * 100 + np.arange(3)[None, :, None] * 10 + np.arange(2)[None, None, :]
np.save("le_int16.npy", base.astype("<i2"))
np.save("be_int16.npy", base.astype(">i2"))
np.save("be_float64.npy", (base * 0.5).astype(">f8"))
np.save("fortran_float32.npy", np.asfortranarray(base.astype("<f4")))
np.save("uint16.npy", (base + 60000).astype("<u2"))
np.save("bool.npy", base % 2 == 1)
np.savez("two_arrays.npz", image=base.astype("<f4"), label=(base % 3).astype("u1"))
np.savez_compressed("compressed.npz", data=base.astype("<i4"))
