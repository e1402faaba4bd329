#!/usr/bin/env node
/**
 * The kit's command line: `node dist/lib/cli/main.js <command> [options]` (npm run cli -- ...).
 * User mistakes (InputError, ConfigError, UsageError) print one line to stderr and exit 2;
 * anything else is a bug: the stack is printed and the exit code is 1.
 */
import { ConfigError, InputError, UsageError } from '../util/errors';
import { COMMANDS } from './commands';

export function topHelp(): string {
  const names = Object.keys(COMMANDS);
  const w = Math.max(...names.map((n) => n.length));
  return [
    'Usage: hrlmg <command> [options]      (node dist/lib/cli/main.js, or npm run cli -- <command>)',
    '',
    'HRL-MG research kit: hierarchical RL recommendations via multi-goals abstraction (Zhao et al., KDD\'19).',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(w)}  ${COMMANDS[n].summary}`),
    '',
    'Run `hrlmg <command> --help` for its options. HRLMG_QUIET=1 silences progress output.',
  ].join('\n');
}

/** Run the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      if (name === 'help' && rest[0] && COMMANDS[rest[0]]) process.stdout.write(COMMANDS[rest[0]].help() + '\n');
      else process.stdout.write(topHelp() + '\n');
      return name === undefined ? 2 : 0;
    }
    const cmd = COMMANDS[name];
    if (!cmd) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')}; see hrlmg --help)`);
    await cmd.run(rest);
    return 0;
  } catch (e) {
    if (e instanceof InputError || e instanceof ConfigError || e instanceof UsageError) {
      process.stderr.write(`hrlmg${name ? ` ${name}` : ''}: error: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    process.stderr.write(`hrlmg${name ? ` ${name}` : ''}: unexpected error (a bug; please report it):\n${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
