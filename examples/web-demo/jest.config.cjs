module.exports = { ...require('../../jest.config.base.cjs'), testTimeout: 240000 };
