import type { Command } from 'commander';
import { registerCaption } from './caption';
import { registerCurate } from './curate';
import { registerData } from './data';
import { registerEmbed } from './embed';
import { registerEval } from './eval';
import { registerExport } from './export';
import { registerLrm } from './lrm';
import { registerTrain } from './train';

/** Each command module exports a function that adds its command to the program. */
export type RegisterCommand = (program: Command) => void;

// One line per command module; keep sorted.
export const COMMANDS: RegisterCommand[] = [registerCaption, registerCurate, registerData, registerEmbed, registerEval, registerExport, registerLrm, registerTrain];
