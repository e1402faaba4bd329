/**
 * The command registry: name -> Command. To add a command, write lib/cli/<name>.ts exporting a
 * Command (see defineCommand in command.ts) and add one line here.
 */
import { Command } from './command';
import { fitSimulatorCommand } from './fitSimulator';
import { evaluateCommand } from './evaluate';
import { generateCommand } from './generate';
import { oraclesCommand } from './oracles';
import { prepareCommand } from './prepare';
import { reportCommand } from './report';
import { reproduceCommand } from './reproduce';
import { statsCommand } from './stats';
import { trainCommand } from './train';

export const COMMANDS: Record<string, Command> = {
  'fit-simulator': fitSimulatorCommand,
  evaluate: evaluateCommand,
  generate: generateCommand,
  oracles: oraclesCommand,
  prepare: prepareCommand,
  report: reportCommand,
  reproduce: reproduceCommand,
  stats: statsCommand,
  train: trainCommand,
};
