// Entry of the child process of the kill/resume tests: registers the TypeScript hook, then runs
// caption-child.ts (the package is "type": "module", so the entry itself must be .cjs).
require('./register-ts.cjs');
require('./caption-child.ts');
