import { type Clock, systemClock } from '../../../../shared/src/clock.js';
import { Waitress, WaitTimeoutError } from '../../../../shared/src/waitress.js';
import { StoregateError } from '../../core/errors.js';
import { type CommandTrustPolicy, checkSignedRequest, parsePublicKey } from './command-signature.js';

/** Request on `{prefix}/cmd/{name}`. */
export interface CommandRequest {
  id: string;
  args?: Record<string, unknown>;
}

/** Response on `{prefix}/cmd-response/{name}`; `id` is null only when the request had no usable id. */
export type CommandResponse =
  | { id: string; status: 'ok'; data: unknown }
  | { id: string | null; status: 'error'; error: { code: CommandErrorCode; message: string } };

export type CommandErrorCode = 'bad_request' | 'unknown_command' | 'unauthorized' | 'failed' | 'timeout';

export type CommandHandler = (
  args: Record<string, unknown>,
  request: { id: string; name: string },
) => unknown | Promise<unknown>;

const NAME = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;
const MAX_ID_LENGTH = 128;

/**
 * Commands the cloud may call on this gateway. Any feature registers its own, e.g. in its constructor:
 *   cloudCommands(ctx).register('catalog.sync', async (args) => ({ items: await sync(args) }));
 * A handler returns the response `data` (JSON-serialisable) or throws; a StoregateError's message is sent
 * back, anything else is logged and answered with a generic `failed`.
 */
export class CommandRegistry {
  private readonly handlers = new Map<string, CommandHandler>();
  private readonly readOnly = new Set<string>();
  /** Refused for lack of a valid signature, by reason; `onRefused` lets the cloud feature count it. */
  readonly rejected = new Map<string, number>();
  onRefused: ((reason: string, name: string) => void) | null = null;
  /** A handler's result is the "response" a request waits for, with the command timeout on the Clock. */
  private readonly waitress: Waitress<{ key: number; outcome: Outcome }, number>;
  private nextKey = 1;

  constructor(
    private readonly timeoutMs = 10_000,
    /** null: no signing policy (unit tests of the registry itself); the gateway always passes one. */
    private readonly trust: CommandTrustPolicy | null = null,
    clock: Clock = systemClock(),
  ) {
    this.waitress = new Waitress(
      clock,
      (answer, key) => answer.key === key,
      (_, ms) => `no answer within ${ms} ms`,
    );
  }

  /**
   * Returns an unregister function (for a feature's stop()). Commands change state unless registered with
   * `{ readOnly: true }`; state-changing ones must be signed unless the cloud connection is trusted.
   */
  register(name: string, handler: CommandHandler, options: { readOnly?: boolean } = {}): () => void {
    if (!NAME.test(name) || name.length > 64) {
      throw new StoregateError('SG_BAD_ARGUMENT', `invalid command name "${name}" (dotted lowercase words)`);
    }
    if (this.handlers.has(name))
      throw new StoregateError('SG_BAD_ARGUMENT', `command "${name}" is already registered`);
    this.handlers.set(name, handler);
    if (options.readOnly) this.readOnly.add(name);
    return () => {
      if (this.handlers.get(name) === handler) {
        this.handlers.delete(name);
        this.readOnly.delete(name);
      }
    };
  }

  names(): string[] {
    return [...this.handlers.keys()].sort();
  }

  /** Parse, dispatch and answer; never throws. `onFailure` sees unexpected handler errors (for logging). */
  async execute(name: string, payload: Buffer, onFailure?: (err: unknown) => void): Promise<CommandResponse> {
    let request: unknown;
    try {
      request = JSON.parse(payload.toString('utf8'));
    } catch {
      return fail(null, 'bad_request', 'request is not valid JSON');
    }
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
      return fail(null, 'bad_request', 'request must be a JSON object {id, args?}');
    }
    let { id, args } = request as { id?: unknown; args?: unknown };
    if (this.trust) {
      const check = checkSignedRequest(name, request as Record<string, unknown>, this.trust);
      if (check.ok) ({ id, args } = check.request);
      else if (check.reason !== 'unsigned' || !(this.readOnly.has(name) || this.trust.trustedConnection)) {
        this.rejected.set(check.reason, (this.rejected.get(check.reason) ?? 0) + 1);
        this.onRefused?.(check.reason, name);
        const why =
          check.reason === 'unsigned'
            ? `command "${name}" changes state and must be signed (cloud.command_signing)`
            : `command signature refused: ${check.reason}`;
        // The id only correlates the answer (to the cloud): echoing one from an unverified envelope is harmless.
        const echo = id ?? idOf((request as { signed?: unknown }).signed);
        return fail(
          typeof echo === 'string' && echo.length <= MAX_ID_LENGTH ? echo : null,
          'unauthorized',
          why,
        );
      }
    }
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
      return fail(
        null,
        'bad_request',
        `id must be a non-empty string of at most ${MAX_ID_LENGTH} characters`,
      );
    }
    if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
      return fail(id, 'bad_request', 'args must be an object when present');
    }
    const handler = this.handlers.get(name);
    if (!handler)
      return fail(id, 'unknown_command', `unknown command "${name}"; known: ${this.names().join(', ')}`);
    const key = this.nextKey++;
    const answered = this.waitress.waitFor(key, this.timeoutMs);
    Promise.resolve()
      .then(() => handler((args ?? {}) as Record<string, unknown>, { id, name }))
      .then(
        (data) => this.waitress.resolve({ key, outcome: { ok: true, data } }),
        (error: unknown) => this.waitress.resolve({ key, outcome: { ok: false, error } }),
      );
    let outcome: Outcome;
    try {
      outcome = (await answered).outcome;
    } catch (err) {
      if (err instanceof WaitTimeoutError) return fail(id, 'timeout', err.message);
      throw err;
    }
    if (outcome.ok) return { id, status: 'ok', data: outcome.data ?? null };
    const err = outcome.error;
    if (err instanceof StoregateError) return fail(id, 'failed', `${err.code}: ${err.message}`);
    onFailure?.(err);
    return fail(id, 'failed', 'command failed; see the gateway log');
  }
}

type Outcome = { ok: true; data: unknown } | { ok: false; error: unknown };

function idOf(signed: unknown): unknown {
  try {
    return typeof signed === 'string' ? (JSON.parse(signed) as { id?: unknown }).id : undefined;
  } catch {
    return undefined;
  }
}

function fail(id: string | null, code: CommandErrorCode, message: string): CommandResponse {
  return { id, status: 'error', error: { code, message } };
}

const registries = new WeakMap<object, CommandRegistry>();

interface CommandContext {
  readonly clock: Clock;
  readonly config: {
    readonly store: { readonly id: string };
    readonly cloud?: {
      readonly command_signing: { public_keys: readonly string[]; trusted_connection: boolean };
    };
  };
}

/** The command registry of one gateway (keyed by its context object: no module-wide singleton). */
export function cloudCommands(ctx: CommandContext): CommandRegistry {
  let registry = registries.get(ctx);
  if (!registry) {
    const signing = ctx.config.cloud?.command_signing ?? { public_keys: [], trusted_connection: false };
    registry = new CommandRegistry(
      10_000,
      {
        keys: signing.public_keys.map(parsePublicKey),
        trustedConnection: signing.trusted_connection,
        storeId: ctx.config.store.id,
      },
      ctx.clock,
    );
    registries.set(ctx, registry);
  }
  return registry;
}
