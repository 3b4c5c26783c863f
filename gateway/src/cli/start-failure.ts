import { StoregateError } from '../core/errors.js';

type SystemError = NodeJS.ErrnoException & { address?: string; port?: number };

/**
 * Why `storegate start` could not start, as a coded error the CLI prints on one line
 * (`error [SG_…] message — hint`) instead of a stack. Unknown errors keep their message as SG_INTERNAL.
 */
export function startFailure(err: unknown): StoregateError {
  if (err instanceof StoregateError) return err;
  const e = err as SystemError;
  const where = e.port !== undefined ? `${e.address ?? '0.0.0.0'}:${e.port}` : undefined;
  switch (e?.code) {
    case 'EADDRINUSE':
      return new StoregateError('SG_PORT_IN_USE', `${where ?? 'a listener address'} is already in use`, {
        hint: 'another storegate or MQTT broker holds it: stop it, or set broker.port / http.port (`storegate doctor` shows which)',
        cause: err,
      });
    case 'EACCES':
    case 'EPERM':
      return where
        ? new StoregateError('SG_PORT_IN_USE', `permission denied listening on ${where}`, {
            hint: 'ports below 1024 need root or CAP_NET_BIND_SERVICE; choose a port above 1024',
            cause: err,
          })
        : new StoregateError('SG_IO', `permission denied: ${e.path ?? e.message}`, {
            hint: 'data_dir and its files must be writable by the user storegate runs as',
            cause: err,
          });
    case 'EADDRNOTAVAIL':
      return new StoregateError(
        'SG_IO',
        `${where ?? 'the listener host'} is not an address of this machine`,
        {
          hint: 'set broker.host / http.host to 0.0.0.0 or an address of this machine',
          cause: err,
        },
      );
    case 'ENOENT':
    case 'ENOSPC':
    case 'EROFS':
      return new StoregateError('SG_IO', e.message, {
        hint: '`storegate doctor` checks data_dir and paths',
        cause: err,
      });
    default:
      return new StoregateError('SG_INTERNAL', (e as Error)?.message ?? String(err), {
        hint: 'the log line above has the stack; please report it',
        cause: err,
      });
  }
}
