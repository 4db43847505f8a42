import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTipsConfig, parseOverride, mergeDeep, validateTipsConfig } from './load-config';
import { TrainConfigError } from '../errors';
import { TINY } from './presets';

const dir = mkdtempSync(join(tmpdir(), 'cfg-'));

describe('TIPS configuration', () => {
  it('defaults to the tiny preset and applies file and --set overrides in order', () => {
    expect(resolveTipsConfig()).toEqual(TINY);
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'optim:\n  steps: 42\n  lr:\n    peak: 0.01\ndata:\n  batchSize: 8\n');
    const c = resolveTipsConfig({ file, overrides: ['optim.steps=7', 'objective.mim.enabled=false', 'run.out=runs/x'] });
    expect(c.optim.steps).toBe(7);
    expect(c.optim.lr.peak).toBe(0.01);
    expect(c.optim.lr.warmup).toBe(TINY.optim.lr.warmup);
    expect(c.data.batchSize).toBe(8);
    expect(c.objective.mim.enabled).toBe(false);
    expect(c.run.out).toBe('runs/x');
  });

  it('names an unknown key and a wrong type, with their paths', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ optim: { stepz: 10, lr: { peak: 'fast' } } }));
    let err: unknown;
    try {
      resolveTipsConfig({ file });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TrainConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/bad\.json/);
    expect(msg).toMatch(/optim: unknown key\(s\) 'stepz'/);
    expect(msg).toMatch(/optim\.lr\.peak: .*number/i);
  });

  it('refuses impossible combinations and unreadable files clearly', () => {
    expect(() => resolveTipsConfig({ overrides: ['data.globalSize=100'] })).toThrow(/data\.globalSize = 100 must be a multiple of the patch size 14/);
    expect(() => resolveTipsConfig({ overrides: ['objective.web.enabled=false', 'objective.synthetic.enabled=false', 'objective.distill.enabled=false', 'objective.mim.enabled=false'] })).toThrow(/every loss term is disabled/);
    expect(() => resolveTipsConfig({ preset: 'huge' })).toThrow(/unknown preset 'huge'; use one of tiny, S, B, g/);
    expect(() => resolveTipsConfig({ file: join(dir, 'missing.yaml') })).toThrow(/does not exist/);
    writeFileSync(join(dir, 'broken.yaml'), 'optim: [1, 2');
    expect(() => resolveTipsConfig({ file: join(dir, 'broken.yaml') })).toThrow(/not valid YAML/);
    expect(() => parseOverride('nonsense')).toThrow(/key\.path=value/);
  });

  it('data.maxSkippedFraction and data.skipAllowance (the keys TooManySkippedError advises) are accepted and checked (issue 18, item 13)', () => {
    const c = resolveTipsConfig({ overrides: ['data.maxSkippedFraction=0.05', 'data.skipAllowance=0'] });
    expect(c.data.maxSkippedFraction).toBe(0.05);
    expect(c.data.skipAllowance).toBe(0);
    expect(() => resolveTipsConfig({ overrides: ['data.maxSkippedFraction=2'] })).toThrow(/data\.maxSkippedFraction/);
    expect(() => resolveTipsConfig({ overrides: ['data.skipAllowance=-1'] })).toThrow(/data\.skipAllowance/);
  });

  it('refuses __proto__ / constructor / prototype keys in --set and in config files (issue 18, item 14)', () => {
    expect(() => resolveTipsConfig({ overrides: ['__proto__.x=1'] })).toThrow(TrainConfigError);
    expect(() => resolveTipsConfig({ overrides: ['__proto__.x=1'] })).toThrow(/'__proto__' is not a configuration key/);
    expect(() => resolveTipsConfig({ overrides: ['optim.constructor.prototype.x=1'] })).toThrow(/'constructor' is not a configuration key/);
    expect(() => resolveTipsConfig({ overrides: ['optim..steps=1'] })).toThrow(/empty key/);
    const file = join(dir, 'proto.json');
    writeFileSync(file, '{"optim": {"__proto__": {"polluted": 1}}}');
    expect(() => resolveTipsConfig({ file })).toThrow(/'__proto__' is not a configuration key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('paper presets replace the tiny sizes with the published towers', () => {
    const s = resolveTipsConfig({ preset: 'S' });
    expect(s.model.vision.preset).toBe('S');
    expect(s.model.vision.embedDim).toBeUndefined();
    expect(s.data.globalSize).toBe(224);
    expect(s.data.localSize).toBe(98);
    expect(s.data.localCount).toBe(6);
    expect(mergeDeep({ a: { b: 1, c: 2 } }, { a: { b: undefined } })).toEqual({ a: { c: 2 } });
  });

  it('model.checkpointBlocks: off for tiny, on for the paper presets, validated, and defaulted for older configs', () => {
    expect(resolveTipsConfig().model.checkpointBlocks).toBe(false);
    for (const preset of ['S', 'B', 'g']) expect({ preset, on: resolveTipsConfig({ preset }).model.checkpointBlocks }).toEqual({ preset, on: true });
    expect(resolveTipsConfig({ overrides: ['model.checkpointBlocks=true'] }).model.checkpointBlocks).toBe(true);
    expect(resolveTipsConfig({ preset: 'S', overrides: ['model.checkpointBlocks=false'] }).model.checkpointBlocks).toBe(false);
    expect(() => resolveTipsConfig({ overrides: ['model.checkpointBlocks=yes'] })).toThrow(/model\.checkpointBlocks: .*boolean/i);
    // A config written before the key existed (e.g. in a checkpoint) still validates, with it off.
    const { checkpointBlocks, ...model } = TINY.model;
    expect(checkpointBlocks).toBe(false);
    expect(validateTipsConfig({ ...TINY, model }).model.checkpointBlocks).toBe(false);
  });
});

