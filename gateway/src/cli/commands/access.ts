import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { systemClock } from '../../../../shared/src/clock.js';
import type { LoadedConfig } from '../../config/load.js';
import { StoregateError } from '../../core/errors.js';
import { ROLES } from '../../core/identity.js';
import type { AuditInput } from '../../ports/audit-log.js';
import { SqliteAuditLog } from '../../registry/audit-log.js';
import { openAuthStore, type SqliteAuthStore } from '../../registry/auth-store.js';
import { loadCliConfig, registryFile } from '../cli-config.js';
import { confirm, withYes } from '../confirm.js';
import { printJson, printLine, relativeTime, table } from '../output.js';

/** Who runs the CLI, as recorded in the audit log (`cli:<os user>`). */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
}

function withAccess<T>(
  config: LoadedConfig,
  fn: (store: SqliteAuthStore, audit: (e: Omit<AuditInput, 'actor' | 'role' | 'address'>) => void) => T,
): T {
  const store = openAuthStore(registryFile(config));
  // The running gateway forwards these to the cloud too (AuditForwarder reads from a watermark).
  const log = new SqliteAuditLog(store.db, {
    clock: systemClock(),
    maxEntries: config.http.audit_max_entries,
  });
  try {
    return fn(store, (e) => log.record({ ...e, actor: cliActor(), role: null, address: null }));
  } finally {
    store.close();
  }
}

async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

function role(value: string): string {
  if (!(ROLES as readonly string[]).includes(value)) {
    throw new StoregateError('SG_BAD_ARGUMENT', `unknown role "${value}"`, { hint: ROLES.join(', ') });
  }
  return value;
}

export function registerAccessCommands(program: Command): void {
  const user = program
    .command('user')
    .description('local users of the web UI and API (roles: viewer < attendant < installer < admin)');
  user
    .command('add')
    .description('create a user; prints a generated password once (or reads one with --password-stdin)')
    .argument('<name>', 'lowercase letters, digits, . _ -')
    .requiredOption('--role <role>', ROLES.join(' | '), role)
    .option('--password-stdin', 'read the password from the first line of stdin instead of generating one')
    .action(async (name: string, opts: { role: string; passwordStdin?: boolean }, cmd: Command) => {
      const config = loadCliConfig(cmd);
      const generated = !opts.passwordStdin;
      const password = generated ? randomBytes(15).toString('base64url') : await readPasswordFromStdin();
      withAccess(config, (store, audit) => {
        store.addUser(name, opts.role, password, cliActor(), systemClock().now());
        audit({ action: 'user.add', target: name, outcome: 'ok', detail: { role: opts.role } });
      });
      printLine(`user ${name} (${opts.role}) created`);
      if (generated) {
        printLine(`password: ${password}`);
        printLine('It is shown only now; change it with `storegate user passwd`.');
      }
    });
  user
    .command('passwd')
    .description("set a new password (generated, or --password-stdin); ends the user's sessions")
    .argument('<name>')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(async (name: string, opts: { passwordStdin?: boolean }, cmd: Command) => {
      const config = loadCliConfig(cmd);
      const password = opts.passwordStdin
        ? await readPasswordFromStdin()
        : randomBytes(15).toString('base64url');
      withAccess(config, (store, audit) => {
        store.setPassword(name, password);
        audit({ action: 'user.passwd', target: name, outcome: 'ok', detail: {} });
      });
      printLine(opts.passwordStdin ? `password of ${name} changed` : `password of ${name}: ${password}`);
    });
  withYes(
    user
      .command('remove')
      .description('delete a user and end their sessions (asks first)')
      .argument('<name>'),
  ).action(async (name: string, o: { yes?: boolean }, cmd: Command) => {
    const config = loadCliConfig(cmd);
    if (!withAccess(config, (store) => store.users().some((u) => u.name === name)))
      throw new StoregateError('SG_BAD_ARGUMENT', `no user ${name}`);
    await confirm(`remove user ${name} and end their sessions`, o.yes);
    const removed = withAccess(config, (store, audit) => {
      const ok = store.removeUser(name);
      if (ok) audit({ action: 'user.remove', target: name, outcome: 'ok', detail: {} });
      return ok;
    });
    if (!removed) throw new StoregateError('SG_BAD_ARGUMENT', `no user ${name}`);
    printLine(`user ${name} removed`);
  });
  user
    .command('list')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const users = withAccess(loadCliConfig(cmd), (store) => store.users());
      if (opts.json) return printJson({ users });
      printLine(
        table(
          ['user', 'role', 'created'],
          users.map((u) => [u.name, u.role, relativeTime(u.createdAt, systemClock().now())]),
        ),
      );
    });

  const token = program
    .command('token')
    .description('named API tokens for scripts and lane displays (shown once, hashed at rest)');
  token
    .command('add')
    .argument('<name>')
    .requiredOption('--role <role>', ROLES.join(' | '), role)
    .action((name: string, opts: { role: string }, cmd: Command) => {
      const value = withAccess(loadCliConfig(cmd), (store, audit) => {
        const t = store.addToken(name, opts.role, cliActor(), systemClock().now());
        audit({ action: 'token.add', target: name, outcome: 'ok', detail: { role: opts.role } });
        return t;
      });
      printLine(value);
      process.stderr.write(
        `token ${name} (${opts.role}): shown only now; send it as "Authorization: Bearer <token>"\n`,
      );
    });
  withYes(token.command('revoke').description('revoke an API token (asks first)').argument('<name>')).action(
    async (name: string, o: { yes?: boolean }, cmd: Command) => {
      const config = loadCliConfig(cmd);
      if (!withAccess(config, (store) => store.tokens().some((t) => t.name === name)))
        throw new StoregateError('SG_BAD_ARGUMENT', `no token ${name}`);
      await confirm(`revoke token ${name} (scripts using it are refused from now on)`, o.yes);
      const ok = withAccess(config, (store, audit) => {
        const r = store.revokeToken(name);
        if (r) audit({ action: 'token.revoke', target: name, outcome: 'ok', detail: {} });
        return r;
      });
      if (!ok) throw new StoregateError('SG_BAD_ARGUMENT', `no token ${name}`);
      printLine(`token ${name} revoked`);
    },
  );
  token
    .command('list')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const tokens = withAccess(loadCliConfig(cmd), (store) => store.tokens());
      if (opts.json) return printJson({ tokens });
      const now = systemClock().now();
      printLine(
        table(
          ['token', 'role', 'created by', 'last used'],
          tokens.map((t) => [t.name, t.role, t.createdBy, relativeTime(t.lastUsedAt, now)]),
        ),
      );
    });

  program
    .command('audit')
    .description('the audit log: who changed what, newest first')
    .option('--since <time>', 'epoch ms or ISO date')
    .option('--actor <actor>', 'e.g. user:alice, token:lane-display-1')
    .option('--action <prefix>', 'e.g. login, http.put, lane')
    .option('--limit <n>', 'entries', '50')
    .option('--json', 'machine-readable output')
    .action(
      (
        opts: { since?: string; actor?: string; action?: string; limit: string; json?: boolean },
        cmd: Command,
      ) => {
        const since =
          opts.since === undefined
            ? undefined
            : /^\d+$/.test(opts.since)
              ? Number(opts.since)
              : Date.parse(opts.since);
        if (since !== undefined && Number.isNaN(since))
          throw new StoregateError('SG_BAD_ARGUMENT', '--since: epoch ms or ISO date');
        const entries = withAccess(loadCliConfig(cmd), (store) =>
          new SqliteAuditLog(store.db, { clock: systemClock() }).query({
            ...(since !== undefined ? { since } : {}),
            ...(opts.actor ? { actor: opts.actor } : {}),
            ...(opts.action ? { action: opts.action } : {}),
            limit: Number(opts.limit) || 50,
          }),
        );
        if (opts.json) return printJson({ entries });
        printLine(
          table(
            ['when', 'actor', 'action', 'target', 'outcome', 'address'],
            entries.map((e) => [
              new Date(e.at).toISOString(),
              e.actor,
              e.action,
              e.target ?? '-',
              e.outcome,
              e.address ?? '-',
            ]),
          ),
        );
      },
    );
}
