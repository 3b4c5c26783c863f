import type { Logger } from '../../../../shared/src/logger.js';
import type { Feature } from '../../ports/feature.js';
import type { SqliteAuditLog } from '../../registry/audit-log.js';
import type { GatewayContext } from '../context.js';
import { FeatureScope } from '../scope.js';
import { auditEvent } from './access-control.js';

/**
 * Hands audit entries to the outbox as must-deliver `audit.entry` events (stream `audit`), from a watermark
 * in registry.db: entries written by the CLI in another process are forwarded too, and an entry written just
 * before a crash is forwarded after the restart. At-least-once: the cloud deduplicates on `data.audit_id`.
 */
export class AuditForwarder implements Feature {
  readonly name = 'audit-forwarder';
  private scope: FeatureScope | null = null;
  private readonly log: Logger;

  constructor(
    private readonly ctx: GatewayContext,
    private readonly audit: SqliteAuditLog,
    private readonly intervalMs = 1_000,
  ) {
    this.log = ctx.logger.child({ mod: 'audit' });
  }

  async start(): Promise<void> {
    const scope = new FeatureScope(this.log);
    this.scope = scope;
    scope.every(
      this.ctx.clock,
      this.intervalMs,
      async () => {
        await this.forward();
      },
      'audit forwarding',
    );
    // Last: what was recorded while the gateway was stopping still goes out before the outbox closes.
    scope.defer(async () => {
      await this.forward();
    });
  }

  async stop(): Promise<void> {
    await this.scope?.release();
    this.scope = null;
  }

  /** Forward everything pending; returns how many entries went to the outbox. */
  async forward(): Promise<number> {
    let sent = 0;
    for (;;) {
      const batch = this.audit.unforwarded(500);
      if (batch.length === 0) return sent;
      await this.ctx.pipeline.emit(batch.map(auditEvent));
      this.audit.markForwarded(batch.at(-1)!.id);
      sent += batch.length;
    }
  }
}
