import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { systemClock } from '../../../shared/src/clock.js';
import type { LoadedConfig } from '../config/load.js';
import { openAuthStore } from '../registry/auth-store.js';
import { registryFile } from './cli-config.js';

/**
 * Credentials for CLI commands that call the running gateway's API (lane, calibrate). `STOREGATE_TOKEN` wins
 * (a token made with `storegate token add`, e.g. from another machine with --url). Otherwise the CLI runs on
 * the gateway with access to its data_dir — as privileged as the gateway itself — and mints a short-lived
 * admin token named after the OS user (`cli-<user>-<random>`), revoked when the command ends; the audit log
 * shows who it was.
 */
export async function withApiAuth<T>(
  config: LoadedConfig,
  fn: (headers: Record<string, string>) => Promise<T>,
): Promise<T> {
  const env = process.env.STOREGATE_TOKEN;
  if (env) return fn({ authorization: `Bearer ${env}` });
  const store = openAuthStore(registryFile(config));
  const user = (safeUser() || 'unknown')
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    .slice(0, 40);
  const name = `cli-${user}-${randomBytes(3).toString('hex')}`;
  const token = store.addToken(name, 'admin', `cli:${user}`, systemClock().now());
  try {
    return await fn({ authorization: `Bearer ${token}` });
  } finally {
    store.revokeToken(name);
    store.close();
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
}
