// Jest runs each test file in its own vm realm, whose typed-array constructors differ from Node's
// main realm. onnxruntime-node's native binding checks `data instanceof Float32Array` against the
// main realm, so tensors made in a test would be refused. This environment hands the test realm the
// main realm's typed arrays and ArrayBuffer, so both sides agree (as they do outside jest).
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Float32Array', 'Float64Array', 'Int8Array', 'Int16Array', 'Int32Array',
  'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array',
];

class SharedTypedArrayEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = SharedTypedArrayEnvironment;
