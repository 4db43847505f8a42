// Lets a child process `require` the package's TypeScript sources (as jest does, through SWC), so that
// tests can spawn real processes running the current src/ and kill them.
const { transformSync } = require('@swc/core');
const fs = require('node:fs');

require.extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
