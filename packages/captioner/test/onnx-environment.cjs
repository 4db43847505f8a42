// Jest environment for tests that run ONNX Runtime (through transformers.js): jest gives each test
// file its own realm, so `new Float32Array()` in the test realm fails onnxruntime-common's
// `instanceof Float32Array` check against Node's realm ("A float32 tensor's data must be type of
// function Float32Array()"). Sharing Node's typed-array and buffer constructors fixes that.
const NodeEnvironment = require('jest-environment-node').TestEnvironment;

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Buffer',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class OnnxEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) if (globalThis[name]) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxEnvironment;
