import { readdir, readFile, realpath } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

export interface PortInfo {
  /** Kernel device path, e.g. /dev/ttyUSB0 (renumbers on replug). */
  path: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
}

/** Lists serial ports with USB identity. SerialPort.list() needs udevadm, which containers lack. */
export interface PortLister {
  list(): Promise<PortInfo[]>;
}

export interface UsbMatch {
  vendorId: string;
  productId: string;
  serialNumber?: string;
}

async function readAttr(dir: string, name: string): Promise<string | undefined> {
  try {
    return (await readFile(join(dir, name), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/**
 * Reads USB identity straight from sysfs: /sys/class/tty/<name>/device points into the USB interface; its
 * parent directories hold idVendor/idProduct/serial. Root is injectable so tests can build a fake tree.
 */
export function sysfsPortLister(sysRoot = '/sys', devRoot = '/dev'): PortLister {
  return {
    async list() {
      const classDir = join(sysRoot, 'class/tty');
      let names: string[];
      try {
        names = await readdir(classDir);
      } catch {
        return [];
      }
      const out: PortInfo[] = [];
      for (const name of names) {
        let dir: string;
        try {
          dir = await realpath(join(classDir, name, 'device'));
        } catch {
          continue; // virtual consoles have no device link
        }
        for (let up = 0; up < 4; up++, dir = resolve(dir, '..')) {
          const vendorId = await readAttr(dir, 'idVendor');
          if (!vendorId) continue;
          const info: PortInfo = {
            path: join(devRoot, name),
            vendorId,
            productId: await readAttr(dir, 'idProduct'),
          };
          const serialNumber = await readAttr(dir, 'serial');
          if (serialNumber) info.serialNumber = serialNumber;
          out.push(info);
          break;
        }
      }
      return out;
    },
  };
}

export function fakePortLister(ports: PortInfo[]): PortLister & { ports: PortInfo[] } {
  return {
    ports,
    async list() {
      return ports.map((p) => ({ ...p }));
    },
  };
}

/** Lowercase hex without 0x, so `0x0403`, `0403` and `403` all match. */
const normId = (s: string | undefined) => (s ?? '').toLowerCase().replace(/^0x/, '').padStart(4, '0');

export function matchesUsb(info: PortInfo, m: UsbMatch): boolean {
  return (
    normId(info.vendorId) === normId(m.vendorId) &&
    normId(info.productId) === normId(m.productId) &&
    (m.serialNumber === undefined || info.serialNumber === m.serialNumber)
  );
}

/**
 * Resolve a stable binding to the current kernel path. A by-id path (or any symlink, e.g. a socat PTY link)
 * is followed afresh on every attempt, so a replug that renumbers ttyUSB0 → ttyUSB1 is picked up.
 */
export async function resolveBinding(
  binding: { path: string } | { match: UsbMatch },
  lister: PortLister,
): Promise<string> {
  if ('path' in binding) {
    // throws ENOENT while the device (or the by-id link udev maintains for it) is absent
    return realpath(binding.path);
  }
  const candidates = (await lister.list()).filter((p) => matchesUsb(p, binding.match));
  if (candidates.length === 0) {
    const m = binding.match;
    throw Object.assign(
      new Error(
        `no serial port with USB id ${m.vendorId}:${m.productId}${m.serialNumber ? ` serial ${m.serialNumber}` : ''}`,
      ),
      { code: 'ENOENT' },
    );
  }
  if (candidates.length > 1) {
    throw Object.assign(
      new Error(
        `USB id matches ${candidates.length} ports (${candidates.map((c) => basename(c.path)).join(', ')}): add serial_number`,
      ),
      { code: 'EAMBIGUOUS' },
    );
  }
  return candidates[0]!.path;
}
