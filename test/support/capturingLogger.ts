/**
 * A logger for tests: records every line as `{ level, message, fields }`, so a test can look for
 * the lines it expects and check what none of them contains.
 */
import type { LogFields, Logger, LogLevel } from '../../src/core/logger.js';

/** One recorded line. */
export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
}

/** A logger and the lines it received. */
export function capturingLogger(): { readonly logger: Logger; readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const line = (level: LogLevel) => (fields: LogFields, message: string) =>
    void lines.push({ level, message, fields });
  return {
    logger: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') },
    lines,
  };
}
