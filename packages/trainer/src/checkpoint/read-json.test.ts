import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResumeError } from '../errors';
import { readRunConfig } from '../tips/data-source';
import { readTrainCheckpoint } from './train-checkpoint';

describe('run-folder JSON files that are empty or truncated', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tips-run-json-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('an empty config.json is a ResumeError naming the file, not a SyntaxError', () => {
    writeFileSync(join(dir, 'config.json'), '');
    expect(() => readRunConfig(dir)).toThrow(ResumeError);
    expect(() => readRunConfig(dir)).toThrow(`${join(dir, 'config.json')} is empty`);
  });

  it('a truncated config.json is a ResumeError naming the file', () => {
    writeFileSync(join(dir, 'config.json'), '{"model": {"vision": {"embedDim": 9');
    expect(() => readRunConfig(dir)).toThrow(new RegExp(`${join(dir, 'config.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not valid JSON`));
  });

  it('a truncated checkpoint state.json is a ResumeError naming the file', async () => {
    const ckpt = join(dir, 'step-000010');
    mkdirSync(ckpt);
    writeFileSync(join(ckpt, 'state.json'), '{"format": "tips');
    await expect(readTrainCheckpoint(ckpt)).rejects.toThrow(ResumeError);
    await expect(readTrainCheckpoint(ckpt)).rejects.toThrow(`${join(ckpt, 'state.json')} is not valid JSON`);
  });

  it('a valid config.json still reads', () => {
    writeFileSync(join(dir, 'config.json'), '{"run": {"seed": 3}}');
    expect(readRunConfig(dir)).toEqual({ run: { seed: 3 } });
  });
});
