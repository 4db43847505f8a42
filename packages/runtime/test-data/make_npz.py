# Generates the .npz files the runtime tests read, with numpy itself (the reference writer).
# Run: /usr/bin/python3 make_npz.py   (numpy only)
import numpy as np
arrays = dict(
    a=np.arange(12, dtype=np.float32).reshape(3, 4) / 8,
    b=np.array([1.5, -2.0, 65504.0, 6e-8, 0.0], dtype=np.float16),
    c=np.array([-1, 2**31 - 1, 5], dtype=np.int64),
    d=np.array([True, False, True]),
    e=np.array([1.0, 2.5, -3.0], dtype='>f4'),
    f=np.float32(3.25),
    g=np.arange(6, dtype=np.int32).reshape(1, 2, 3),
)
np.savez('numpy_savez.npz', **arrays)
np.savez_compressed('numpy_savez_compressed.npz', **arrays)
np.savez('fortran.npz', x=np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
np.savez('pickle.npz', x=np.array([{'a': 1}, None], dtype=object))
