import { readFileSync, existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { TrainConfigError } from '../errors';
import { tipsConfigSchema, type TipsConfig } from './config';
import { PRESETS, TINY } from './presets';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys that would reach Object.prototype through a merge; no config key has these names. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

function checkKey(key: string, where: string): void {
  if (FORBIDDEN_KEYS.has(key)) {
    throw new TrainConfigError(`${where}: '${key}' is not a configuration key (refused: it would change JavaScript's object prototype); see \`tips train --help\` or the preset for the keys`);
  }
}

/** Deep merge; arrays replace; an explicit `undefined` removes the key; `__proto__`/`constructor`/`prototype` are refused. */
export function mergeDeep(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    checkKey(k, 'config');
    if (v === undefined) delete out[k];
    else if (isObject(v) && isObject(out[k])) out[k] = mergeDeep(out[k] as Json, v);
    else out[k] = v;
  }
  return out;
}

/** Parses `path.to.key=value` (value as JSON when it parses, else as a string). */
export function parseOverride(text: string): Json {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new TrainConfigError(`override '${text}' is not key.path=value (e.g. optim.steps=50)`);
  const path = text.slice(0, eq).split('.');
  for (const key of path) {
    if (key === '') throw new TrainConfigError(`override '${text}' has an empty key in its path (e.g. optim.steps=50)`);
    checkKey(key, `override '${text}'`);
  }
  const raw = text.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  const out: Json = {};
  let cur = out;
  path.forEach((key, i) => {
    if (i === path.length - 1) cur[key] = value;
    else cur = cur[key] = {};
  });
  return out;
}

function readConfigFile(path: string): Json {
  if (!existsSync(path)) throw new TrainConfigError(`config file ${path} does not exist`);
  const text = readFileSync(path, 'utf8');
  let parsed: unknown;
  try {
    parsed = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new TrainConfigError(`config file ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(e as Error).message}`);
  }
  if (!isObject(parsed)) throw new TrainConfigError(`config file ${path} must hold an object at the top level`);
  return parsed;
}

/** Validates a merged config, turning schema problems into one clear error listing each key. */
export function validateTipsConfig(candidate: unknown, origin = 'config'): TipsConfig {
  const r = tipsConfigSchema.safeParse(candidate);
  if (r.success) {
    checkConsistency(r.data);
    return r.data;
  }
  const problems = r.error.issues.map((i) => {
    const at = i.path.join('.') || '(top level)';
    if (i.code === 'unrecognized_keys') return `${at ? `${at}: ` : ''}unknown key(s) ${i.keys.map((k) => `'${k}'`).join(', ')}`;
    return `${at}: ${i.message}`;
  });
  throw new TrainConfigError(`${origin} is invalid:\n  - ${problems.join('\n  - ')}`);
}

function checkConsistency(c: TipsConfig): void {
  const problems: string[] = [];
  for (const [k, v] of [['data.globalSize', c.data.globalSize], ['data.localSize', c.data.localSize]] as const) {
    if (v % 14 !== 0) problems.push(`${k} = ${v} must be a multiple of the patch size 14`);
  }
  if (!c.objective.web.enabled && !c.objective.synthetic.enabled && !c.objective.distill.enabled && !c.objective.mim.enabled) {
    problems.push('every loss term is disabled; enable at least one of objective.web, .synthetic, .distill, .mim');
  }
  if (c.objective.distill.enabled && c.data.localCount === 0) problems.push('objective.distill needs local crops (data.localCount > 0)');
  const [lo, hi] = c.objective.mim.maskRatio;
  if (!(lo >= 0 && lo <= hi && hi <= 1)) problems.push(`objective.mim.maskRatio [${lo}, ${hi}] must satisfy 0 ≤ min ≤ max ≤ 1`);
  if (problems.length) throw new TrainConfigError(`config is inconsistent:\n  - ${problems.join('\n  - ')}`);
}

export interface ResolveOptions {
  preset?: string;
  file?: string;
  overrides?: string[];
  /** Programmatic patch applied last. */
  patch?: Json;
}

/** preset (default tiny) ← config file (JSON or YAML) ← `--set` overrides ← patch, validated. */
export function resolveTipsConfig(options: ResolveOptions = {}): TipsConfig {
  const presetName = options.preset ?? 'tiny';
  const preset = PRESETS[presetName];
  if (!preset) throw new TrainConfigError(`unknown preset '${presetName}'; use one of ${Object.keys(PRESETS).join(', ')}`);
  let merged = mergeDeep(TINY as unknown as Json, preset as unknown as Json);
  if (options.file) merged = mergeDeep(merged, readConfigFile(options.file));
  for (const o of options.overrides ?? []) merged = mergeDeep(merged, parseOverride(o));
  if (options.patch) merged = mergeDeep(merged, options.patch);
  return validateTipsConfig(merged, options.file ? `config (${options.file})` : 'config');
}
