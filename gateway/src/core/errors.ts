/** Errors carry stable codes so CLI output, logs and API responses can be matched by scripts. */
export type ErrorCode =
  | 'SG_CONFIG_INVALID'
  | 'SG_CONFIG_NOT_FOUND'
  | 'SG_DEVICE_UNKNOWN'
  | 'SG_DEVICE_EXISTS'
  | 'SG_BAD_ARGUMENT'
  | 'SG_PAYLOAD_REJECTED'
  | 'SG_NOT_READY'
  | 'SG_IO'
  | 'SG_NOT_FOUND'
  | 'SG_PORT_IN_USE'
  | 'SG_REGISTRY_CORRUPT'
  | 'SG_EVENT_INVALID';

/**
 * Process exit codes other than the generic 1, for errors a supervisor must not retry blindly. 65 is
 * sysexits' EX_DATAERR: the input data (here registry.db) is bad; restarting cannot fix it.
 */
export const EXIT_CODES: Partial<Record<ErrorCode, number>> = { SG_REGISTRY_CORRUPT: 65 };

export function exitCodeFor(code: ErrorCode): number {
  return EXIT_CODES[code] ?? 1;
}

export class StoregateError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoregateError';
    this.code = code;
    if (options?.hint !== undefined) this.hint = options.hint;
  }
}
