const { existsSync } = require('node:fs');
const { dirname, join } = require('node:path');

// eld's package exports name only the "import" condition, which jest's CommonJS resolver skips:
// map it to the file, found in the nearest node_modules.
function eldEntry() {
  for (let d = __dirname; ; d = dirname(d)) {
    const f = join(d, 'node_modules', 'eld', 'src', 'entries', 'static.large.js');
    if (existsSync(f)) return f;
    if (dirname(d) === d) return 'eld/large';
  }
}

module.exports = {
  ...require('../../jest.config.base.cjs'),
  // onnxruntime-node needs the main realm's typed arrays (see apps/sdk/jest.environment.cjs).
  testEnvironment: '<rootDir>/../../apps/sdk/jest.environment.cjs',
  // eld ships ES modules only: let SWC turn them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!eld/)'],
  moduleNameMapper: { '^eld/large$': eldEntry() },
};
