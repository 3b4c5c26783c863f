import type { z } from 'zod';
import type { Clock } from '../../../../shared/src/clock.js';
import { deviceCommandResponse, topics } from '../../../../shared/src/device-contract.js';
import { firstIssue, pathOf } from '../../../../shared/src/devices/codec.js';
import type { CommandSpec } from '../../../../shared/src/devices/define.js';
import { WaitCancelledError, Waitress } from '../../../../shared/src/waitress.js';
import { StoregateError } from '../../core/errors.js';

type Publish = (topic: string, payload: string, options: { qos: 0 | 1 }) => Promise<void>;

/** What settles one request: the device's answer, or the failure to send it. */
interface Answer {
  id: string;
  deviceId: string;
  outcome: { ok: true; data: unknown } | { ok: false; error: StoregateError };
}

/**
 * Commands to MQTT devices: `{id, name, args}` on `devices/{id}/cmd`, answered by `{id, status, data|error}` on
 * `devices/{id}/cmd-response`. Requests are matched to answers through the shared Waitress (a timeout per
 * request, all cancelled on stop), so a device that never answers cannot leak timers or hang a caller.
 */
export class MqttDeviceCommands {
  private readonly waitress: Waitress<Answer, { id: string; deviceId: string; name: string }>;
  private nextId = 1;

  constructor(
    private readonly publish: Publish,
    private readonly clock: Clock,
  ) {
    this.waitress = new Waitress(
      clock,
      (answer, m) => answer.id === m.id && answer.deviceId === m.deviceId,
      (m, ms) => `${m.deviceId} did not answer ${m.name} within ${ms} ms`,
    );
  }

  async command(
    deviceId: string,
    name: string,
    args: Record<string, unknown>,
    timeoutMs = 5_000,
  ): Promise<unknown> {
    const id = `gw-${this.clock.now().toString(36)}-${this.nextId++}`;
    const answer = this.waitress.waitFor({ id, deviceId, name }, timeoutMs);
    this.publish(topics.command(deviceId), JSON.stringify({ id, name, args }), { qos: 1 }).catch((err) => {
      const error = new StoregateError('SG_IO', `cannot send ${name} to ${deviceId}`, { cause: err });
      this.waitress.resolve({ id, deviceId, outcome: { ok: false, error } });
    });
    let settled: Answer;
    try {
      settled = await answer;
    } catch (err) {
      if (err instanceof WaitCancelledError) throw new StoregateError('SG_NOT_READY', err.message);
      throw new StoregateError('SG_IO', (err as Error).message);
    }
    if (!settled.outcome.ok) throw settled.outcome.error;
    return settled.outcome.data;
  }

  /**
   * A `cmd-response` published by a device. Returns a rejection reason for malformed responses (counted like
   * any rejected payload); a well-formed response to nothing pending (late, or duplicate) is ignored.
   */
  onResponse(deviceId: string, payload: Buffer): string | null {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      return 'not_json';
    }
    const response = deviceCommandResponse.safeParse(parsed);
    if (!response.success) return 'schema';
    const { id, status, data, error } = response.data;
    this.waitress.resolve({
      id,
      deviceId,
      outcome:
        status === 'ok'
          ? { ok: true, data: data ?? null }
          : {
              ok: false,
              error: new StoregateError(
                'SG_IO',
                `${deviceId}: ${error?.code ?? 'error'}: ${error?.message ?? ''}`,
              ),
            },
    });
    return null;
  }

  cancelAll(reason = 'gateway stopping'): void {
    this.waitress.cancelAll(reason);
  }
}

type CommandFn = (
  deviceId: string,
  name: string,
  args: Record<string, unknown>,
  timeoutMs?: number,
) => Promise<unknown>;

/**
 * A command of a kind's definition (`commands` in shared/src/devices/<kind>.ts) sent through `command`:
 * the arguments are checked before anything is sent, and an `ok` answer's `data` must match the command's
 * response schema (an absent `data` counts as `{}`).
 */
export async function sendDefinedCommand<A extends z.ZodType, R extends z.ZodType>(
  command: CommandFn,
  deviceId: string,
  name: string,
  spec: CommandSpec<A, R>,
  args: z.input<A>,
): Promise<z.output<R>> {
  const checked = spec.args.safeParse(args);
  if (!checked.success)
    throw new StoregateError('SG_BAD_ARGUMENT', `${name} for ${deviceId}: ${issueText(checked.error)}`);
  const data = await command(deviceId, name, checked.data as Record<string, unknown>, spec.timeoutMs);
  const answer = spec.response.safeParse(data ?? {});
  if (!answer.success)
    throw new StoregateError('SG_IO', `${deviceId} answered ${name} with ${issueText(answer.error)}`);
  return answer.data;
}

function issueText(error: z.ZodError): string {
  const issue = firstIssue(error);
  return issue ? `${pathOf(issue)}: ${issue.message}` : 'invalid data';
}
