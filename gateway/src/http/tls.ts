import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { Clock } from '../../../shared/src/clock.js';
import type { HttpTlsSection } from '../config/sections/http.js';
import { StoregateError } from '../core/errors.js';

export interface HttpTls {
  key: string;
  cert: string;
  certFile: string;
  /** SHA-256 of the certificate (DER), the value clients pin. */
  fingerprint256: string;
  generated: boolean;
}

const CERT_DAYS = 10 * 365;

/**
 * The HTTP server's key and certificate: the configured files, or a self-signed pair kept in
 * `<data_dir>/tls/` and reused on every start, so a pinned fingerprint stays valid until the files are deleted.
 */
export async function loadHttpTls(
  tls: HttpTlsSection,
  dataDir: string,
  clock: Clock,
  allowedHosts: readonly string[],
): Promise<HttpTls> {
  if (tls.cert_file && tls.key_file) {
    const cert = readPem(tls.cert_file, 'http.tls.cert_file');
    return {
      cert,
      key: readPem(tls.key_file, 'http.tls.key_file'),
      certFile: tls.cert_file,
      fingerprint256: fingerprintOf(cert, tls.cert_file),
      generated: false,
    };
  }
  const dir = join(dataDir, 'tls');
  const certFile = join(dir, 'http-cert.pem');
  const keyFile = join(dir, 'http-key.pem');
  try {
    const cert = readFileSync(certFile, 'utf8');
    const key = readFileSync(keyFile, 'utf8');
    return { cert, key, certFile, fingerprint256: fingerprintOf(cert, certFile), generated: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const names = [...new Set([hostname(), 'localhost', ...allowedHosts.filter((h) => !h.includes('*'))])];
  const notBefore = new Date(clock.now());
  const pems = await generate([{ name: 'commonName', value: hostname() }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: new Date(notBefore.getTime() + CERT_DAYS * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...names.map((value) => ({ type: 2 as const, value })),
          { type: 7 as const, ip: '127.0.0.1' },
          { type: 7 as const, ip: '::1' },
        ],
      },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  writeFileSync(certFile, pems.cert, { mode: 0o600 });
  return {
    cert: pems.cert,
    key: pems.private,
    certFile,
    fingerprint256: fingerprintOf(pems.cert, certFile),
    generated: true,
  };
}

function readPem(path: string, key: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new StoregateError('SG_CONFIG_INVALID', `${key}: cannot read ${path}`, {
      hint: 'give the path of a PEM file the gateway user can read, or remove both files to use a self-signed certificate',
      cause: err,
    });
  }
}

function fingerprintOf(cert: string, path: string): string {
  try {
    return new X509Certificate(cert).fingerprint256;
  } catch (err) {
    throw new StoregateError('SG_CONFIG_INVALID', `${path} is not a PEM certificate`, {
      hint: 'delete it (and the key next to it) to have a new self-signed certificate generated',
      cause: err,
    });
  }
}
