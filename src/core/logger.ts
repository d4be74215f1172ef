/**
 * Structured logging, the way pino and bunyan take it: a method per level, called with the fields
 * of the line first and its message second (`logger.info({ resource, key }, 'relist')`). A pino
 * or bunyan logger is one as it is; `console` needs a one-line adapter (see docs/logging.md).
 * kube-rx is silent unless given one, and never puts a header, a token or an object's data in the
 * fields: resources, keys, controller names, phases, status codes and error messages (which the
 * transport redacts) only.
 */

/** The fields of one log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** A structured logger (pino's and bunyan's shape: fields, then message). */
export interface Logger {
  /** Detail for debugging: every list and watch start, backoffs, requests. */
  debug(fields: LogFields, message: string): void;
  /** What an operator's log shows by default: lists finished, relists, leadership, start and stop. */
  info(fields: LogFields, message: string): void;
  /** Something failed and is retried: a reflector error. */
  warn(fields: LogFields, message: string): void;
  /** Something failed for good or needs a look: a reconcile error, a dropped key, a fatal stream error. */
  error(fields: LogFields, message: string): void;
}

/** The level names of a {@link Logger}. */
export type LogLevel = keyof Logger;

/**
 * A logger that adds `fields` to every line (pino's `child`, for any logger): a controller's name,
 * a resource.
 *
 * @example
 * ```ts
 * const log = withFields(logger, { controller: 'website' });
 * log.info({ key: 'default/home' }, 'reconciled'); // { controller: 'website', key: 'default/home' }
 * ```
 */
export function withFields(logger: Logger, fields: LogFields): Logger {
  const line =
    (level: LogLevel) =>
    (more: LogFields, message: string): void =>
      logger[level]({ ...fields, ...more }, message);
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

/** The message of an error for a log field: never the object, whose cause may carry more. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
