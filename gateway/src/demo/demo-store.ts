import type { DeviceKind } from '../../../shared/src/device-contract.js';
import type { DeviceLocation } from '../ports/device-registry.js';

/** The simulated store of `npm run demo`: devices, what sits on each shelf plate, and the lane catalog. */
export interface DemoDevice {
  id: string;
  kind: DeviceKind;
  location: DeviceLocation;
  /** Passed to the kind's simulator hook, e.g. a door reporting raw beams instead of counters. */
  variant?: string;
}

export interface DemoPlate {
  device: string;
  channel: number;
  sku: string;
  unit_grams: number;
  tolerance_grams: number;
  capacity: number;
  /** Units on the plate when the demo starts. */
  initial: number;
}

export interface DemoItem {
  gtin: string;
  sku: string;
  name: string;
  grams: number;
  tolerance_grams: number;
}

export const demoDevices: DemoDevice[] = [
  { id: 'shelf-a1', kind: 'shelf', location: { zone: 'drinks', aisle: 'a', fixture: 'a1' } },
  { id: 'shelf-a2', kind: 'shelf', location: { zone: 'snacks', aisle: 'a', fixture: 'a2' } },
  { id: 'door-1', kind: 'door', location: { zone: 'entrance', door: 'main' } },
  { id: 'door-2', kind: 'door', location: { zone: 'entrance', door: 'side' }, variant: 'beams' },
  { id: 'cam-1', kind: 'camera', location: { zone: 'entrance' } },
  { id: 'scanner-1', kind: 'scanner', location: { lane: 'lane-1' } },
  { id: 'scale-1', kind: 'scale', location: { lane: 'lane-1' } },
  { id: 'pos-1', kind: 'pos', location: { lane: 'lane-1' } },
  { id: 'env-1', kind: 'env', location: { zone: 'chilled', fixture: 'chiller-1' } },
  // The POS of lane 2, whose scanner and scale are serial devices of the demo rig (below).
  { id: 'pos-2', kind: 'pos', location: { lane: 'lane-2' } },
];

/**
 * The serial devices of the demo rig (firmware emulators on PTYs, firmware-bridge/src/emulators/demo-rig.ts),
 * registered like any device an installer adds, so they have a kind and a place (lane 2, the back door).
 */
export const demoSerialDevices: DemoDevice[] = [
  { id: 'shelf-demo-1', kind: 'shelf', location: { zone: 'pantry', aisle: 'b', fixture: 'b1' } },
  { id: 'door-demo-1', kind: 'door', location: { zone: 'entrance', door: 'back' } },
  { id: 'scanner-demo-1', kind: 'scanner', location: { lane: 'lane-2' } },
  { id: 'scale-demo-1', kind: 'scale', location: { lane: 'lane-2' } },
];

/** Items of the serial shelf's 12 plates (its controller has 12 channels; every one is in the planogram). */
const SERIAL_UNITS = [125, 330, 500, 750, 200, 400, 250, 600, 150, 450, 300, 900];

export const demoPlates: DemoPlate[] = [
  {
    device: 'shelf-a1',
    channel: 0,
    sku: 'cola-330',
    unit_grams: 352,
    tolerance_grams: 6,
    capacity: 24,
    initial: 18,
  },
  {
    device: 'shelf-a1',
    channel: 1,
    sku: 'water-500',
    unit_grams: 521,
    tolerance_grams: 8,
    capacity: 18,
    initial: 12,
  },
  {
    device: 'shelf-a1',
    channel: 2,
    sku: 'juice-1l',
    unit_grams: 1068,
    tolerance_grams: 12,
    capacity: 8,
    initial: 6,
  },
  {
    device: 'shelf-a2',
    channel: 0,
    sku: 'crisps-150',
    unit_grams: 162,
    tolerance_grams: 5,
    capacity: 20,
    initial: 14,
  },
  {
    device: 'shelf-a2',
    channel: 1,
    sku: 'choc-100',
    unit_grams: 108,
    tolerance_grams: 4,
    capacity: 30,
    initial: 22,
  },
  // The serial shelf controller of the demo rig (firmware emulator on a PTY), all 12 channels.
  ...SERIAL_UNITS.map((unit, channel) => ({
    device: 'shelf-demo-1',
    channel,
    sku: `pantry-${unit}g`,
    unit_grams: unit,
    tolerance_grams: 6,
    capacity: Math.max(6, Math.floor(6000 / unit)),
    initial: Math.max(4, Math.floor(3000 / unit)),
  })),
];

export const demoCatalog: DemoItem[] = [
  { gtin: '5012345678900', sku: 'cola-330', name: 'Cola 330 ml', grams: 352, tolerance_grams: 8 },
  { gtin: '5000112637922', sku: 'water-500', name: 'Still water 500 ml', grams: 521, tolerance_grams: 10 },
  { gtin: '8710398503961', sku: 'juice-1l', name: 'Orange juice 1 l', grams: 1068, tolerance_grams: 15 },
  { gtin: '5000328657950', sku: 'crisps-150', name: 'Crisps 150 g', grams: 162, tolerance_grams: 6 },
  { gtin: '7622210449283', sku: 'choc-100', name: 'Milk chocolate 100 g', grams: 108, tolerance_grams: 5 },
];
