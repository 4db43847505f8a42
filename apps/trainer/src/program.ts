import { Command } from 'commander';
import { COMMANDS } from './commands/index';

/** The `tips` program with every command registered (exported for tests). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('tips')
    .description('TIPS (Text-Image Pretraining with Spatial awareness) in TypeScript: train, evaluate, caption, embed, export.')
    .showHelpAfterError()
    .option('--tf-backend <name>', 'tfjs backend: auto, node-gpu, node, wasm, cpu (default: $TIPS_BACKEND or auto)');
  for (const register of COMMANDS) register(program);
  return program;
}
