import { Counter } from 'prom-client';
import type { Feature } from '../../ports/feature.js';
import { Outbox } from '../../sinks/outbox/outbox.js';
import { registerBuiltinCommands } from '../../sinks/uplink/builtin-commands.js';
import { cloudCommands } from '../../sinks/uplink/commands.js';
import { Uplink } from '../../sinks/uplink/uplink.js';
import type { GatewayContext } from '../context.js';

/**
 * The outbox (as a feature: it is closed last, after everything that appends to it stopped) and, when
 * `cloud` is configured, the uplink that drains it. A gateway built with an injected memory sink gets neither.
 */
export function buildCloudFeatures(ctx: GatewayContext): Feature[] {
  const outbox = ctx.events;
  if (!(outbox instanceof Outbox)) return [];
  const features: Feature[] = [outbox];
  const cloud = ctx.config.cloud;
  if (!cloud) {
    const level = ctx.config.outbox.local_only ? 'info' : 'warn';
    ctx.logger[level]('no cloud configured: events are kept in the outbox until one is');
    return features;
  }
  const commands = cloudCommands(ctx);
  const refused = new Counter({
    name: 'storegate_cloud_commands_refused_total',
    help: 'Cloud commands refused for a missing or invalid signature, by reason',
    labelNames: ['reason'],
    registers: [ctx.metrics],
  });
  commands.onRefused = (reason, name) => {
    refused.labels(reason).inc();
    ctx.logger.warn({ reason, command: name }, 'cloud command refused: not signed by a configured key');
  };
  const uplink = new Uplink({
    config: { ...ctx.config, cloud },
    clock: ctx.clock,
    logger: ctx.logger,
    outbox,
    commands,
    metrics: ctx.metrics,
  });
  let unregister: (() => void) | null = null;
  features.push({
    name: 'uplink',
    health: () => uplink.health(),
    async start() {
      unregister = registerBuiltinCommands(commands, {
        config: ctx.config,
        outbox,
        uplink,
        registry: ctx.registry,
        startedAt: ctx.clock.now(),
      });
      await uplink.start();
    },
    async stop() {
      await uplink.stop();
      unregister?.();
      unregister = null;
    },
  });
  return features;
}
