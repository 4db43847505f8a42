"""Helpers for the PyTorch side of TIPS-TS benchmarks (run with /usr/bin/python3, Debian python3-torch).

A reference script imports this module (it sits next to the script, or add packages/runtime/bench
to sys.path), reads its JSON arguments from argv[1], times its step with `time_steps` and ends with
`emit(result)`: one JSON object on the last stdout line, which bench/lib.mjs `runTorch` parses.
"""
import json
import resource
import sys
import time


def args():
    return json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}


def log(*parts):
    print("[torch]", *parts, file=sys.stderr, flush=True)


def peak_rss_mb():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb():
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / (1024 * 1024)


def thread_cpu_ms():
    """CPU ms used so far by each thread of this process (Linux /proc, 10 ms resolution)."""
    import os
    out = {}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        out[tid] = (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    return out


def _stats(values):
    s = sorted(values)
    q = lambda p: s[min(len(s) - 1, max(0, round(p * (len(s) - 1))))]
    return {"median": round(q(0.5), 2), "mean": round(sum(s) / len(s), 2), "min": round(s[0], 2),
            "max": round(s[-1], 2), "p90": round(q(0.9), 2), "n": len(s), "all": [round(v, 1) for v in values]}


def time_steps(name, step, warmup=2, steps=10):
    """Times step(i): wall and process CPU ms per step, the busiest thread's CPU ms per step (the wall
    time an idle machine would give), RSS after each step, peak RSS."""
    for i in range(warmup):
        step(i)
    wall, cpu, rss = [], [], []
    threads0 = thread_cpu_ms()
    for i in range(steps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        out = step(warmup + i)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        rss.append(round(rss_mb(), 1))
        log(f"{name}: step {i + 1}/{steps} {wall[-1]:.0f} ms")
    threads1 = thread_cpu_ms()
    busiest = max((ms - threads0.get(t, 0) for t, ms in threads1.items()), default=0)
    return {"msPerStep": _stats(wall), "cpuMsPerStep": _stats(cpu),
            "busiestThreadCpuMsPerStep": round(busiest / steps, 1) if threads1 else None,
            "rssMB": {"afterEachStep": rss, "maxFirstThird": max(rss[:max(1, len(rss) // 3)]),
                      "maxLastThird": max(rss[-max(1, len(rss) // 3):]), "peakProcess": round(peak_rss_mb(), 1)}, "last": out}


def _system_blas():
    # Debian's torch uses the generic libblas.so.3 interface; the alternative chooses the library.
    import os
    for arch in ("x86_64-linux-gnu", "aarch64-linux-gnu"):
        link = f"/etc/alternatives/libblas.so.3-{arch}"
        if os.path.exists(link):
            target = os.path.realpath(link)
            return "OpenBLAS" + (" (pthread)" if "pthread" in target else "") if "openblas" in target else f"generic ({target})"
    return "generic"


def torch_info(torch):
    cfg = torch.__config__.show()
    low = cfg.lower()
    blas = "OpenBLAS" if "blas_info=open" in low else ("MKL" if "blas_info=mkl" in low else _system_blas())
    return {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas}


def emit(result):
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
