// Shared benchmark harness for TIPS-TS packages (import '@tips/runtime/bench/lib'):
// timing with warm-up, CPU time, RSS sampling and growth, tfjs tensor counts, a PyTorch runner
// (/usr/bin/python3, nothing installed at run time), progress on stderr and one JSON object on stdout.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, availableParallelism, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const MB = 1024 * 1024;
const HERE = dirname(fileURLToPath(import.meta.url));

/** Progress and notes go to stderr; stdout carries only the final JSON. */
export function log(...parts) {
  process.stderr.write(`[bench] ${parts.join(' ')}\n`);
}

/** Whether a bench called `name` runs under the filter word (argv[2]); no filter runs everything. */
export function matches(filter, ...names) {
  if (!filter) return true;
  const f = filter.toLowerCase();
  return names.some((n) => n.toLowerCase().includes(f));
}

/** The filter word a bench script was given (`npm run bench -- train` → 'train'). */
export function filterArg(argv = process.argv) {
  return argv[2] && !argv[2].startsWith('-') ? argv[2] : '';
}

function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { median: round(q(0.5)), mean: round(mean), min: round(s[0]), max: round(s[s.length - 1]), p90: round(q(0.9)), n: s.length, all: values.map((v) => round(v, 1)) };
}

export function round(x, digits = 2) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Least-squares slope of ys over 0, 1, 2, … (MB per step for RSS samples). */
function slope(ys) {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, i) => {
    num += (i - mx) * (y - my);
    den += (i - mx) ** 2;
  });
  return num / den;
}

const CLK_TCK = 100; // Linux USER_HZ (getconf CLK_TCK)

/**
 * CPU ms used so far by each thread of this process (Linux /proc/self/task/TID/stat: utime + stime,
 * 10 ms resolution), by thread id; empty where /proc is missing.
 */
export function threadCpuMs() {
  const out = new Map();
  let tids = [];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
      out.set(tid, ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK);
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** The largest per-thread CPU ms between two threadCpuMs() readings. */
function busiestThread(before, after) {
  let m = 0;
  for (const [tid, ms] of after) m = Math.max(m, ms - (before.get(tid) ?? 0));
  return m;
}

/**
 * Times `step` (sync or async): `warmup` untimed calls, then `steps` timed ones. Reports wall ms and
 * this process's CPU ms per step (CPU time includes worker threads), the busiest thread's CPU ms per
 * step (Linux; the wall time an idle machine would give), RSS after each step (MB), the
 * largest RSS of the first and of the last third of the steps, the least-squares growth per step over
 * the second half, the process's peak RSS, and — when `tf` is
 * given — the tfjs tensor count before and after the timed steps.
 */
export async function timeSteps(name, step, { warmup = 1, steps = 5, tf = null, onStep = null } = {}) {
  for (let i = 0; i < warmup; i++) {
    await step(i);
    log(`${name}: warm-up ${i + 1}/${warmup}`);
  }
  const tensorsBefore = tf ? tf.memory().numTensors : null;
  const wall = [];
  const cpu = [];
  const rss = [];
  const t0 = performance.now();
  const threads0 = threadCpuMs();
  for (let i = 0; i < steps; i++) {
    const c0 = process.cpuUsage();
    const s0 = performance.now();
    const out = await step(warmup + i);
    const ms = performance.now() - s0;
    const c = process.cpuUsage(c0);
    wall.push(ms);
    cpu.push((c.user + c.system) / 1000);
    rss.push(process.memoryUsage.rss() / MB);
    if (onStep) onStep(out, i);
    const done = i + 1;
    const elapsed = (performance.now() - t0) / 1000;
    log(`${name}: step ${done}/${steps} ${ms.toFixed(0)} ms (${(done / elapsed).toFixed(2)} steps/s, ETA ${((elapsed / done) * (steps - done)).toFixed(0)} s)`);
  }
  // GC makes RSS oscillate by tens of MB; growth shows as a rising maximum between the first and the
  // last third of the steps (and as the least-squares slope over the second half).
  const busiest = busiestThread(threads0, threadCpuMs());
  const tail = rss.slice(Math.floor(rss.length / 2));
  const third = Math.max(1, Math.floor(rss.length / 3));
  return {
    msPerStep: stats(wall),
    cpuMsPerStep: stats(cpu),
    // CPU ms per step of the busiest thread: what a step would take on an idle machine where every
    // thread has its own core (a load-independent lower bound of the wall time).
    busiestThreadCpuMsPerStep: threads0.size ? round(busiest / steps, 1) : null,
    rssMB: {
      afterEachStep: rss.map((r) => round(r, 1)),
      maxFirstThird: round(Math.max(...rss.slice(0, third)), 1),
      maxLastThird: round(Math.max(...rss.slice(-third)), 1),
      growthPerStep: round(slope(tail), 3),
      peakProcess: round(peakRssMB(), 1),
    },
    tensors: tf ? { before: tensorsBefore, after: tf.memory().numTensors } : undefined,
  };
}

/** Peak resident set size of this process so far (all threads), MB. */
export function peakRssMB() {
  return process.resourceUsage().maxRSS / 1024;
}

/** The machine, for the JSON header: CPUs, load while the bench ran, Node and memory. */
export function machineInfo() {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    availableParallelism: availableParallelism(),
    loadavg1: round(loadavg()[0]),
    memGB: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
  };
}

export const PYTHON = process.env.TIPS_BENCH_PYTHON ?? '/usr/bin/python3';

/**
 * Runs a PyTorch reference script: `python3 script '<json args>'`; the script prints one JSON
 * object as its last stdout line. Nothing is installed: when python or torch is missing, or the
 * script fails, returns { skipped: reason } and the caller leaves that column out.
 */
export function runTorch(script, args, { timeoutMs = 30 * 60 * 1000 } = {}) {
  if (!existsSync(PYTHON)) return { skipped: `${PYTHON} not found (the PyTorch column needs Debian python3-torch; the bench installs nothing)` };
  const probe = spawnSync(PYTHON, ['-c', 'import torch, sys; sys.stdout.write(torch.__version__)'], { encoding: 'utf8', timeout: 120000 });
  if (probe.status !== 0) return { skipped: `torch is not importable by ${PYTHON} (${(probe.stderr || '').trim().split('\n').pop()}); install python3-torch to get the PyTorch column` };
  log(`torch ${probe.stdout.trim()}: ${script}`);
  // torch_bench.py (timing, RSS, JSON output) is importable from any reference script.
  // OMP_WAIT_POLICY=PASSIVE: with OpenMP's default active waiting, PyTorch's idle threads spin and,
  // on a shared machine, the same step takes several times longer (measured: 0.37–12 s instead of
  // 0.27–0.66 s for the tiny TIPS step). An explicit setting in the environment wins.
  const env = { OMP_WAIT_POLICY: 'PASSIVE', ...process.env, PYTHONPATH: [HERE, process.env.PYTHONPATH].filter(Boolean).join(':') };
  const r = spawnSync(PYTHON, [script, JSON.stringify(args)], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * MB, env });
  if (r.status !== 0) return { skipped: `${script} failed (status ${r.status}${r.signal ? `, ${r.signal}` : ''})` };
  const last = r.stdout.trim().split('\n').pop();
  try {
    return JSON.parse(last);
  } catch {
    return { skipped: `${script} printed no JSON` };
  }
}

/** Prints the bench's result as one JSON object on stdout (what `npm run bench` collects). */
export function emit(result) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

/**
 * Child-process mode of a bench script: when the script was started as
 * `node script --child <variant> '<json opts>'`, runs `handler(variant, opts)` and prints its result
 * as one JSON line, then returns true; otherwise returns false (the parent carries on).
 */
export async function runChildIfAsked(handler, argv = process.argv) {
  if (argv[2] !== '--child') return false;
  const res = await handler(argv[3], JSON.parse(argv[4] ?? '{}'));
  process.stdout.write(`${JSON.stringify(res)}\n`);
  return true;
}

function runChild(script, variant, opts) {
  const r = spawnSync(process.execPath, [script, '--child', variant, JSON.stringify(opts)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * MB,
  });
  if (r.status !== 0) throw new Error(`bench child '${variant}' of ${script} failed (status ${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Compares variants of one workload fairly on a machine that may be shared: each variant runs in
 * its own child process of `script` (see runChildIfAsked; a clean process gives a clean peak RSS
 * and tensor count), `passes` times, alternating the variants (and the PyTorch reference, when
 * `torch` = { script, args } is given) so that load changes hit all of them; the step times of all
 * passes are pooled. A child's handler returns timeSteps(...) output (plus anything else).
 *
 * Returns { summary: { name: { medianMs, minMs, cpuMedianMs, busiestThreadCpuMs, steps } },
 * runs: { name: [result per pass] }, torchSkipped: reason | undefined,
 * ratio(a, b, key = 'medianMs'): summary[a][key] / summary[b][key] }.
 */
export function compareVariants({ script, variants, passes = 2, torch = null }) {
  const scriptPath = script.startsWith('file:') ? fileURLToPath(script) : script;
  const runs = {};
  let torchSkipped;
  for (let pass = 0; pass < passes; pass++) {
    for (const [name, opts] of Object.entries(variants)) {
      log(`${name} (pass ${pass + 1}/${passes})`);
      (runs[name] ??= []).push(runChild(scriptPath, name, opts));
    }
    if (torch) {
      const t = runTorch(torch.script, torch.args);
      if (t.skipped) {
        torchSkipped = t.skipped;
        log(`PyTorch column skipped: ${t.skipped}`);
      } else (runs.torch ??= []).push(t);
    }
  }
  const summary = {};
  for (const [name, rs] of Object.entries(runs)) {
    const wall = rs.flatMap((r) => r.msPerStep.all);
    const cpu = rs.flatMap((r) => r.cpuMsPerStep.all);
    const busiest = rs.map((r) => r.busiestThreadCpuMsPerStep).filter((v) => typeof v === 'number');
    summary[name] = {
      medianMs: round(median(wall)),
      minMs: round(Math.min(...wall)),
      cpuMedianMs: round(median(cpu)),
      busiestThreadCpuMs: busiest.length ? round(busiest.reduce((a, b) => a + b, 0) / busiest.length) : null,
      steps: wall.length,
    };
  }
  const ratio = (a, b, key = 'medianMs') => (summary[a]?.[key] && summary[b]?.[key] ? round(summary[a][key] / summary[b][key]) : null);
  return { summary, runs, torchSkipped, ratio };
}

/**
 * Kernel-level profile of one call of `fn` (tf.profile): per kernel name, total ms, share and call
 * count, the `top` heaviest kinds first; named scopes and customGrad wrappers are left out.
 */
export async function profileKernels(tf, fn, { top = 15 } = {}) {
  const backend = tf.getBackend();
  const prof = await tf.profile(fn);
  tf.dispose(prof.result);
  const agg = new Map();
  for (const k of prof.kernels) {
    if (!tf.getKernel(k.name, backend)) continue;
    const a = agg.get(k.name) ?? { ms: 0, calls: 0 };
    a.ms += k.kernelTimeMs;
    a.calls++;
    agg.set(k.name, a);
  }
  const total = [...agg.values()].reduce((s, a) => s + a.ms, 0);
  return {
    totalKernelMs: round(total, 1),
    kernels: [...agg.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, top)
      .map(([name, a]) => ({ name, ms: round(a.ms, 1), share: round(a.ms / total, 3), calls: a.calls })),
  };
}
