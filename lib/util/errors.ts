/**
 * Errors a researcher can act on: each names what was wrong and where.
 */

/** Bad input data: names the file, the 1-based line (0 when the file as a whole is wrong) and the problem. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${problem}` : `${file}: ${problem}`);
    this.name = 'InputError';
  }
}

/** Bad configuration: names the config, the key and the problem. Raised before any work starts. */
export class ConfigError extends Error {
  constructor(
    readonly config: string,
    readonly key: string,
    readonly problem: string,
  ) {
    super(`${config}.${key}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Bad call at run time (wrong shape, unknown user, item outside the pool...). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
