/** What a CLI command is: the registry (commands.ts) maps names to these. */
import { CommandDef, commandHelp, parseCommandArgs, ParsedArgs } from './args';

export interface Command {
  /** One line for the top-level help. */
  summary: string;
  /** Full --help text. */
  help(): string;
  /** Run with the arguments after the command name. Throw InputError/ConfigError/UsageError for user mistakes. */
  run(argv: string[]): Promise<void>;
}

/** A command from its argument definition and a handler of the parsed arguments. */
export function defineCommand(def: CommandDef, handler: (args: ParsedArgs) => Promise<void>): Command {
  return {
    summary: def.summary,
    help: () => commandHelp(def),
    run: async (argv) => {
      const args = parseCommandArgs(def, argv);
      if (args.help) {
        process.stdout.write(commandHelp(def) + '\n');
        return;
      }
      await handler(args);
    },
  };
}

/** A status line on stderr (silenced by HRLMG_QUIET=1): what the command is doing now. */
export function status(msg: string): void {
  if (process.env.HRLMG_QUIET !== '1') process.stderr.write(`${msg}\n`);
}
