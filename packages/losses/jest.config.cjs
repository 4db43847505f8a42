const base = require('../../jest.config.base.cjs');

module.exports = {
  ...base,
  moduleNameMapper: {
    ...(base.moduleNameMapper ?? {}),
    '^@tensorflow/tfjs-core/dist/register_all_gradients$': '<rootDir>/build/jest-register-gradients.cjs',
  },
};
