module.exports = {
  ...require('../../jest.config.base.cjs'),
  // Our source imports tfjs-core's ESM-only gradient registrations, which the build bundles; under
  // jest (CommonJS) the built bundle stands in for them (turbo builds before it tests).
  moduleNameMapper: { '^@tensorflow/tfjs-core/dist/register_all_gradients$': '<rootDir>/dist/index.cjs' },
};
