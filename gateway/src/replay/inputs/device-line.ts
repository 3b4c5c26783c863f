import type { TopicSuffix } from '../../../../shared/src/device-contract.js';
import { assignReadingBody, firstIssue, intrinsicQuality } from '../../../../shared/src/devices/codec.js';
import type { TopicSpec } from '../../../../shared/src/devices/define.js';
import { topicBySuffix } from '../../../../shared/src/devices/tables.js';
import type { Reading } from '../../../../shared/src/readings.js';
import { StoregateError } from '../../core/errors.js';

/**
 * Replay lines that are a device payload plus `device`: `{"t", "device", ...payload of one topic}`. The topic
 * is recognised by its required payload keys, validated with the same schema the broker applies and mapped
 * with the same field map, so a replayed reading equals the live one. Replay's own rules: `t` is required
 * (virtual time runs on it) and may be any epoch milliseconds ≥ 0, as recorded or generated.
 */
export interface DeviceLineParser {
  /** The topic a line is, if it is one of these. */
  recognise(line: Record<string, unknown>): TopicSuffix | null;
  /** The reading of a recognised line, null if the line is none of these topics; throws with a reason. */
  parse(line: Record<string, unknown>): Reading | null;
}

interface Candidate {
  suffix: TopicSuffix;
  topic: TopicSpec;
}

export interface DeviceLineOptions {
  /** What a `device` must look like (default: any non-empty string). */
  deviceId?: { pattern: RegExp; message: string };
}

export function deviceLineParser(
  suffixes: readonly TopicSuffix[],
  options: DeviceLineOptions = {},
): DeviceLineParser {
  const candidates = suffixes.map((suffix): Candidate => {
    const topic = topicBySuffix.get(suffix);
    // Assert: the suffixes are literals in replay/inputs/, checked by the device definition tests.
    if (!topic) throw new Error(`no device topic ${suffix}`);
    return { suffix, topic };
  });
  const match = (line: Record<string, unknown>) => ('device' in line ? bestTopic(line, candidates) : null);
  return {
    recognise: (line) => match(line)?.suffix ?? null,
    parse(line) {
      const found = match(line);
      if (!found) return null;
      const { t, device, received_at: _receivedAt, ...payload } = line;
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0)
        throw new StoregateError('SG_PAYLOAD_REJECTED', '"t" must be epoch milliseconds');
      const receivedAt = receivedAtOf(line, t);
      const id = options.deviceId ?? { pattern: /./, message: '"device" must be a non-empty string' };
      if (typeof device !== 'string' || !id.pattern.test(device))
        throw new StoregateError('SG_PAYLOAD_REJECTED', id.message);
      const parsed = found.topic.payload.safeParse(payload);
      if (!parsed.success) {
        const issue = firstIssue(parsed.error);
        if (issue?.code === 'unrecognized_keys')
          throw new StoregateError(
            'SG_PAYLOAD_REJECTED',
            `unknown key "${issue.keys[0]}" in ${found.suffix} line`,
          );
        throw new StoregateError(
          'SG_PAYLOAD_REJECTED',
          issue ? `"${issue.path.map(String).join('.')}" ${issue.message}` : 'invalid line',
        );
      }
      // biome-ignore lint/suspicious/noExplicitAny: built field by field from the validated payload
      const reading: Record<string, any> = {
        deviceId: device,
        deviceTime: t,
        receivedAt,
        quality: 'good',
        source: 'replay',
      };
      assignReadingBody(found.topic, parsed.data, reading);
      reading.quality = intrinsicQuality(found.topic.reading, reading);
      return reading as Reading;
    },
  };
}

/**
 * `received_at` of a recorded line: when the gateway received it, written by `record` when it differs from
 * the device's `t`. Replay's clock runs on it (the order the live pipeline saw); absent, it is `t`.
 */
export function receivedAtOf(line: Record<string, unknown>, t: number): number {
  const at = line.received_at;
  if (at === undefined) return t;
  if (typeof at !== 'number' || !Number.isFinite(at) || at < 0)
    throw new StoregateError('SG_PAYLOAD_REJECTED', '"received_at" must be epoch milliseconds');
  return at;
}

/**
 * The topic whose required keys the line has most of; on a tie, the one missing fewest (`{in, out}` is a
 * door counter, `{line, in, out}` a camera line). A line with none of any topic's keys is not a device line.
 */
function bestTopic(line: Record<string, unknown>, candidates: readonly Candidate[]): Candidate | null {
  let best: Candidate | null = null;
  let bestPresent = 0;
  let bestMissing = 0;
  for (const c of candidates) {
    const present = c.topic.requiredKeys.filter((k) => k in line).length;
    const missing = c.topic.requiredKeys.length - present;
    if (present > bestPresent || (present === bestPresent && present > 0 && missing < bestMissing)) {
      best = c;
      bestPresent = present;
      bestMissing = missing;
    }
  }
  return best;
}
