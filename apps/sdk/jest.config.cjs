module.exports = {
  ...require('../../jest.config.base.cjs'),
  // See jest.environment.cjs: onnxruntime-node needs the main realm's typed arrays.
  testEnvironment: '<rootDir>/jest.environment.cjs',
};
