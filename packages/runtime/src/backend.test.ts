import * as tf from '@tensorflow/tfjs-core';
import { initBackend, parseBackendChoice, describeBackend } from './backend';
import { BackendError } from './errors';

describe('backend selection', () => {
  it('honours an explicit choice and reports it', async () => {
    const info = await initBackend({ backend: 'cpu' });
    expect(info.choice).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const w = await initBackend({ backend: 'wasm' });
    expect(w.tfBackend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(describeBackend()).toMatch(/wasm/);
  });

  it('auto skips native backends that are not installed and lands on one that works', async () => {
    const info = await initBackend({ backend: 'auto' });
    expect(['node-gpu', 'node', 'wasm', 'cpu']).toContain(info.choice);
    expect(tf.getBackend()).toBe(info.tfBackend);
  });

  it('fails clearly for an unknown or unavailable backend', async () => {
    expect(() => parseBackendChoice('webgpu-9000')).toThrow(/unknown backend/);
    let nativeInstalled = true;
    try {
      require.resolve('@tensorflow/tfjs-node-gpu');
    } catch {
      nativeInstalled = false;
    }
    if (!nativeInstalled) await expect(initBackend({ backend: 'node-gpu' })).rejects.toThrow(BackendError);
  });
});
