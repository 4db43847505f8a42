#!/usr/bin/env node
import { buildProgram } from './program';

buildProgram()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    const err = e as Error & { code?: string };
    // Typed TIPS errors carry a message that names the problem and the fix: print it without a stack.
    if (err && typeof err.code === 'string' && err.name !== 'Error') {
      console.error(`tips: ${err.name}: ${err.message}`);
    } else {
      console.error(err?.stack ?? String(e));
    }
    process.exit(1);
  });
