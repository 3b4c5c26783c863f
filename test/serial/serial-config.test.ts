import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveBinding, sysfsPortLister } from '../../firmware-bridge/src/transport/port-lister.js';
import { parseConfig } from '../../gateway/src/config/load.js';

const parse = (serial: unknown) => parseConfig({ serial }, { env: {} }).serial;

describe('serial config section', () => {
  it('per-driver defaults', () => {
    const s = parse({
      devices: [
        { id: 'shelf-1', driver: 'storegate', kind: 'shelf', path: '/dev/serial/by-id/usb-x' },
        { id: 'scan-1', driver: 'line-scanner', match: { vendor_id: '0x05e0', product_id: '1200' } },
        { id: 'scale-1', driver: 'mt-sics', path: '/dev/ttyS1' },
      ],
    });
    expect(s.devices[0]).toMatchObject({ baud: 115_200 });
    expect(s.devices[1]).toMatchObject({ kind: 'scanner', baud: 9600, validate_gtin: 'auto', prefix: '' });
    expect(s.devices[2]).toMatchObject({ kind: 'scale', poll_ms: 200 });
    expect(s).toMatchObject({
      backoff_initial_ms: 250,
      backoff_max_ms: 10_000,
      silence_ms: 15_000,
      presence_check_ms: 2_000,
    });
  });

  it.each([
    [{ id: 'a', driver: 'storegate', kind: 'shelf' }, /exactly one of path or match/],
    [
      { id: 'a', driver: 'storegate', kind: 'shelf', path: '/x', match: { vendor_id: '1', product_id: '2' } },
      /exactly one/,
    ],
    [{ id: 'a', driver: 'modbus', path: '/x' }, /driver/],
    [{ id: 'a', driver: 'storegate', kind: 'scanner', path: '/x' }, /devices\.0\.kind/],
    [{ id: 'a b', driver: 'line-scanner', path: '/x' }, /devices\.0\.id/],
    [{ id: 'a', driver: 'line-scanner', path: '/x', parity: 'even' }, /unknown key/],
  ])('rejects %j', (device, message) => {
    expect(() => parse({ devices: [device] })).toThrow(message);
  });

  it('rejects duplicate ids', () => {
    const d = { id: 'dup', driver: 'line-scanner', path: '/x' };
    expect(() => parse({ devices: [d, d] })).toThrow(/unique/);
  });
});

describe('sysfs port lister and USB-id binding', () => {
  it('reads idVendor/idProduct/serial from a sysfs tree and resolves a match; ambiguity is an error', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sg-sysfs-'));
    try {
      const usb = (bus: string, serial: string) => {
        const dev = join(root, 'devices', bus);
        mkdirSync(join(dev, `${bus}:1.0`), { recursive: true });
        writeFileSync(join(dev, 'idVendor'), '0403\n');
        writeFileSync(join(dev, 'idProduct'), '6001\n');
        writeFileSync(join(dev, 'serial'), `${serial}\n`);
        return join(dev, `${bus}:1.0`);
      };
      mkdirSync(join(root, 'class/tty/ttyUSB0'), { recursive: true });
      mkdirSync(join(root, 'class/tty/ttyUSB1'), { recursive: true });
      mkdirSync(join(root, 'class/tty/tty0'), { recursive: true }); // a console: no device link
      symlinkSync(usb('1-1', 'A10K1'), join(root, 'class/tty/ttyUSB0/device'));
      symlinkSync(usb('1-2', 'B20K2'), join(root, 'class/tty/ttyUSB1/device'));
      const lister = sysfsPortLister(root, '/dev');
      const ports = await lister.list();
      expect(ports).toEqual(
        expect.arrayContaining([
          { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001', serialNumber: 'A10K1' },
          { path: '/dev/ttyUSB1', vendorId: '0403', productId: '6001', serialNumber: 'B20K2' },
        ]),
      );
      expect(ports).toHaveLength(2);
      await expect(
        resolveBinding({ match: { vendorId: '0x403', productId: '6001', serialNumber: 'B20K2' } }, lister),
      ).resolves.toBe('/dev/ttyUSB1');
      await expect(
        resolveBinding({ match: { vendorId: '0403', productId: '6001' } }, lister),
      ).rejects.toThrow(/matches 2 ports .*add serial_number/);
      await expect(
        resolveBinding({ match: { vendorId: '1a86', productId: '7523' } }, lister),
      ).rejects.toThrow(/no serial port with USB id 1a86:7523/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
