/**
 * Errors carry stable codes so CLI output, logs and API responses can be matched by scripts. This table is
 * the one place a code gets its HTTP status, its generic hint and its meaning: the HTTP error handler
 * (gateway/src/http/error-handler.ts), the CLI and the serial bridge (`error [SG_…] message — hint`) and
 * docs/errors.md all read it.
 * A thrown StoregateError's own hint, when it has one, is more specific and wins over the table's.
 * (Its rows look alike by design: it is data, one row a code, which `duplicates` reports as a shape repeat.)
 */
export const ERRORS = {
  SG_BAD_ARGUMENT: { status: 400, meaning: 'an argument, query parameter or request body is invalid' },
  SG_CONFIG_INVALID: {
    status: 400,
    meaning: 'the configuration does not validate; every problem is listed with its path',
    hint: 'docs/configuration.md lists every key; `storegate doctor` checks a config file',
  },
  SG_CONFIG_NOT_FOUND: {
    status: 404,
    meaning: 'the configuration file does not exist',
    hint: 'pass --config FILE',
  },
  SG_PAYLOAD_REJECTED: { status: 400, meaning: 'a device payload or uploaded file was refused' },
  SG_EVENT_INVALID: { status: 500, meaning: 'an event does not match its schema (docs/events.md): a bug' },
  SG_NOT_FOUND: { status: 404, meaning: 'the thing asked for does not exist' },
  SG_DEVICE_UNKNOWN: {
    status: 404,
    meaning: 'no device with that id is registered',
    hint: '`storegate device list` shows the registered devices',
  },
  SG_LANE_UNKNOWN: {
    status: 404,
    meaning: 'no checkout lane with that id',
    hint: 'GET /api/lanes lists them',
  },
  SG_DEVICE_EXISTS: { status: 409, meaning: 'a device with that id is already registered' },
  SG_CONFLICT: { status: 409, meaning: 'the request does not fit the current state (e.g. no open alert)' },
  SG_UNAUTHENTICATED: {
    status: 401,
    meaning: 'the request carries no valid session or API token',
    hint: 'log in at /login, or send Authorization: Bearer <token> (`storegate token add`)',
  },
  SG_FORBIDDEN: { status: 403, meaning: "the identity's role may not do this" },
  SG_CSRF: { status: 403, meaning: 'a state-changing browser request without the session CSRF token' },
  SG_ORIGIN_REFUSED: { status: 403, meaning: 'a state-changing request from another origin' },
  SG_HOST_REFUSED: {
    status: 421,
    meaning: 'the Host header is not one of http.allowed_hosts',
    hint: 'add this host name to http.allowed_hosts',
  },
  SG_THROTTLED: { status: 429, meaning: 'too many attempts; try again later' },
  SG_NOT_READY: {
    status: 503,
    meaning: 'the part of the gateway needed is not started or not connected yet',
  },
  SG_IO: { status: 502, meaning: 'a device, peer, port or file the gateway depends on failed' },
  SG_PORT_IN_USE: { status: 500, meaning: 'a network port or serial port is held by another process' },
  SG_REGISTRY_CORRUPT: {
    status: 500,
    meaning: 'registry.db is damaged; restarting cannot fix it (exit 65)',
    hint: 'docs/cli.md: restore registry.db from a backup or move it aside',
  },
  SG_BACKUP_INVALID: {
    status: 422,
    meaning: 'a backup file is not one, was changed or damaged (GCM tag, sha256 or integrity_check failed)',
    hint: 'nothing was restored; use another copy of the backup',
  },
  SG_BACKUP_PASSPHRASE: {
    status: 401,
    meaning: 'the passphrase is not the one the backup was made with',
    hint: 'nothing was restored; --passphrase-file or SG_BACKUP_PASSPHRASE',
  },
  SG_BACKUP_IDENTITY: {
    status: 401,
    meaning:
      'the backup is encrypted to another key, or with a passphrase where a key was given (or the reverse)',
    hint: 'nothing was restored; --identity FILE for a recipient-key backup, --passphrase-file for a passphrase one',
  },
  SG_GATEWAY_RUNNING: {
    status: 409,
    meaning: 'the command must not run while a gateway uses this data_dir',
    hint: 'sudo systemctl stop storegate',
  },
  SG_RELEASE_INVALID: {
    status: 400,
    meaning: 'a release artifact differs from its manifest or was built for another Node ABI or architecture',
    hint: 'build the release on this architecture with this Node major (`npm run release`) and copy it again',
  },
  SG_RELEASE_UNSIGNED: {
    status: 400,
    meaning:
      'a release artifact has no signature (<tarball>.sig), or no release public keys are installed to check one',
    hint: 'sign it (`npm run release -- --sign-key FILE` or `storegate release sign`) and install the public key in /etc/storegate-release-keys.pem; at the console, `storegate upgrade --allow-unsigned`',
  },
  SG_RELEASE_SIGNATURE: {
    status: 400,
    meaning:
      'a release signature is not valid: not by a trusted release key, changed, or not matching the tarball',
    hint: 'copy the tarball and its .sig again from the release; a key rotation needs the new public key in /etc/storegate-release-keys.pem',
  },
  SG_UPGRADE_BLOCKED: {
    status: 409,
    meaning:
      'an upgrade or uninstall cannot run now (lane session or calibration open, outside the quiet window)',
    hint: 'wait, or pass --force to skip the quiet window (open sessions are always waited for)',
  },
  SG_UPGRADE_FAILED: {
    status: 500,
    meaning: 'the new release did not come up healthy in time; the previous release was started again',
    hint: 'journalctl -u storegate shows why the new release failed',
  },
  SG_UPGRADE_NOT_STARTED: {
    status: 500,
    meaning: 'release.upgrade could not start its runner (upgrade.remote_runner); nothing was changed',
    hint: 'the gateway user must be allowed to run upgrade.remote_runner (docs/deploy.md "Remote upgrade")',
  },
  SG_INTERNAL: { status: 500, meaning: 'an unexpected error; the gateway log has the details' },
} as const satisfies Record<string, { status: number; meaning: string; hint?: string }>;

export type ErrorCode = keyof typeof ERRORS;

/**
 * Process exit codes other than the generic 1, for errors a supervisor must not retry blindly. 65 is
 * sysexits' EX_DATAERR: the input data (here registry.db) is bad; restarting cannot fix it.
 */
export const EXIT_CODES: Partial<Record<ErrorCode, number>> = { SG_REGISTRY_CORRUPT: 65 };

export function exitCodeFor(code: ErrorCode): number {
  return EXIT_CODES[code] ?? 1;
}

export function httpStatusOf(code: ErrorCode): number {
  return ERRORS[code].status;
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

/** The hint to show: the error's own, else its code's generic one. */
export function hintOf(err: StoregateError): string | undefined {
  const entry: { readonly hint?: string } = ERRORS[err.code] as { readonly hint?: string };
  return err.hint ?? entry.hint;
}

/** The JSON body of an HTTP error response: `{error: {code, message, hint?}}`. */
export function errorBody(err: StoregateError): {
  error: { code: ErrorCode; message: string; hint?: string };
} {
  const hint = hintOf(err);
  return { error: { code: err.code, message: err.message, ...(hint ? { hint } : {}) } };
}

/** How the CLI prints it, one line: `error [SG_…] message — hint`. */
export function formatError(err: StoregateError): string {
  const hint = hintOf(err);
  return `error [${err.code}] ${err.message}${hint ? ` — ${hint}` : ''}`;
}
