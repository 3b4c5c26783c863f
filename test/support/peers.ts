import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/** Peer binaries the tests start, and the Debian package that provides each. */
export const PEERS = {
  mosquitto: { bin: 'mosquitto', pkg: 'mosquitto', paths: ['/usr/sbin/mosquitto'] },
  influxd: { bin: 'influxd', pkg: 'influxdb', paths: ['/usr/bin/influxd'] },
  influx: { bin: 'influx', pkg: 'influxdb-client', paths: ['/usr/bin/influx'] },
  socat: { bin: 'socat', pkg: 'socat', paths: ['/usr/bin/socat'] },
  chromium: { bin: 'chromium', pkg: 'chromium', paths: ['/usr/bin/chromium'] },
  openssl: { bin: 'openssl', pkg: 'openssl', paths: ['/usr/bin/openssl'] },
  // The server script itself, not /usr/sbin's wrapper: as root the wrapper switches to user rabbitmq, which
  // cannot write the test's temp dir.
  rabbitmq: {
    bin: 'rabbitmq-server',
    pkg: 'rabbitmq-server',
    paths: ['/usr/lib/rabbitmq/bin/rabbitmq-server'],
  },
} as const;

export type PeerName = keyof typeof PEERS;

function locate(name: PeerName): string | null {
  const peer = PEERS[name];
  for (const p of peer.paths) {
    if (spawnSync('test', ['-x', p]).status === 0) return p;
  }
  const which = spawnSync('sh', ['-c', `command -v ${peer.bin}`], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : null;
}

/**
 * Path of a peer binary. Missing: installed with apt when running as root (CI), otherwise a clear error with
 * the exact command to run. Never a silent skip.
 */
export function ensurePeer(name: PeerName): string {
  const found = locate(name);
  if (found) return found;
  const { pkg } = PEERS[name];
  if (process.getuid?.() === 0) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const after = locate(name);
    if (after) return after;
  }
  throw new Error(
    `${PEERS[name].bin} is required by this test. Install it with: sudo apt-get install -y ${pkg}`,
  );
}

/** A free TCP port on 127.0.0.1 (never 1883/8086: those may be held by a system broker or database). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
