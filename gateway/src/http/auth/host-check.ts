import { isIP } from 'node:net';
import { hostname } from 'node:os';

/**
 * DNS rebinding guard: a page on attacker.example whose name is re-pointed at the gateway sends
 * `Host: attacker.example`. IP literals, localhost and this machine's own names are always accepted; any other
 * name only when listed in `http.allowed_hosts` (`*.example.com` matches subdomains).
 */
export class HostPolicy {
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];

  constructor(allowed: readonly string[], machine = hostname()) {
    const own = machine.toLowerCase();
    for (const name of ['localhost', own, `${own}.local`, ...allowed.map((h) => h.toLowerCase())]) {
      if (name.startsWith('*.')) this.suffixes.push(name.slice(1));
      else this.exact.add(name);
    }
  }

  /** `host[:port]` of a Host header or an Origin, without the port; null when it cannot be parsed. */
  static nameOf(hostHeader: string): string | null {
    try {
      return new URL(`http://${hostHeader}`).hostname.replace(/^\[|\]$/g, '').toLowerCase();
    } catch {
      return null;
    }
  }

  allows(hostHeader: string | undefined): boolean {
    if (!hostHeader) return false;
    const name = HostPolicy.nameOf(hostHeader);
    if (!name) return false;
    if (isIP(name) !== 0 || this.exact.has(name) || name.endsWith('.localhost')) return true;
    return this.suffixes.some((s) => name.endsWith(s));
  }
}

/**
 * Same-origin check for state-changing requests and WebSocket upgrades: an `Origin` must name exactly the
 * host (and port) the request was sent to. `Origin: null` (sandboxed frames, file://) never matches.
 */
export function originMatchesHost(origin: string, hostHeader: string | undefined): boolean {
  if (!hostHeader || origin === 'null') return false;
  try {
    const o = new URL(origin);
    if (o.protocol !== 'http:' && o.protocol !== 'https:') return false;
    const h = new URL(`${o.protocol}//${hostHeader}`);
    return o.host === h.host;
  } catch {
    return false;
  }
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || a.startsWith('127.');
}
