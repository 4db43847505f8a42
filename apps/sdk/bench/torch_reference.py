#!/usr/bin/python3
"""PyTorch reference for the SDK benchmark: the official TIPS image tower (google-deepmind/tips
pytorch/image_encoder.py, read from a local git mirror with `git show`), random weights (its own
init), CPU, torch.set_num_threads(THREADS), inference under torch.no_grad().

Input (stdin, JSON): {"cells": [{"variant": "S"|"B", "size": 224, "batch": 4}], "threads": 2,
"reps": 3, "budget_s": 30, "mirror": "/path/to/tips/git-dir"}
Output (stdout, JSON): {"torch": version, "threads": n, "results": [{variant, size, batch,
"latency_ms": median batch-1 ms, "throughput_ms": median batch-N ms, "runs": [...]}]}
Progress goes to stderr. Run with Debian's /usr/bin/python3 (torch 1.13, OpenBLAS).
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import torch


def log(msg):
    sys.stderr.write(f'[torch reference] {msg}\n')
    sys.stderr.flush()


def load_official(mirror):
    src = subprocess.check_output(['git', '-C', mirror, 'show', 'HEAD:pytorch/image_encoder.py'])
    tmp = tempfile.mkdtemp()
    with open(os.path.join(tmp, 'official_image_encoder.py'), 'wb') as f:
        f.write(src)
    sys.path.insert(0, tmp)
    os.environ.setdefault('XFORMERS_DISABLED', '1')
    import official_image_encoder  # noqa: E402
    return official_image_encoder


def timed(fn, reps, budget_s):
    fn()  # warm-up
    times = []
    start = time.perf_counter()
    while len(times) < reps and (not times or time.perf_counter() - start < budget_s):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    s = sorted(times)
    m = len(s) // 2
    return (s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2), times


def main():
    spec = json.load(sys.stdin)
    threads = int(spec.get('threads', 2))
    torch.set_num_threads(threads)
    ie = load_official(spec['mirror'])
    ctor = {'S': ie.vit_small, 'B': ie.vit_base}
    results = []
    for cell in spec['cells']:
        v, size, batch = cell['variant'], int(cell['size']), int(cell['batch'])
        torch.manual_seed(0)
        model = ctor[v](img_size=size, patch_size=14, ffn_layer='mlp', block_chunks=0, init_values=1.0,
                        interpolate_antialias=True, interpolate_offset=0.0).eval()
        x1 = torch.rand(1, 3, size, size)
        xb = torch.rand(batch, 3, size, size)
        with torch.no_grad():
            lat, lat_runs = timed(lambda: model(x1), spec.get('reps', 3), spec.get('budget_s', 30))
            thr, thr_runs = timed(lambda: model(xb), spec.get('reps', 3), spec.get('budget_s', 30))
        log(f'{v}/14 @ {size}: batch 1 {lat:.0f} ms, batch {batch} {thr:.0f} ms ({batch * 1000 / thr:.2f} img/s)')
        results.append({'variant': v, 'size': size, 'batch': batch, 'latency_ms': lat, 'throughput_ms': thr, 'runs': {'latency': lat_runs, 'throughput': thr_runs}})
    json.dump({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas': torch.__config__.show().split('BLAS_INFO=')[1].split(',')[0] if 'BLAS_INFO=' in torch.__config__.show() else 'unknown', 'results': results}, sys.stdout)


if __name__ == '__main__':
    main()
