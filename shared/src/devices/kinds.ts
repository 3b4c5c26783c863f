import { cameraKind } from './camera.js';
import { energyKind, refrigerationKind } from './cold.js';
import { doorKind } from './door.js';
import { envKind } from './env.js';
import { plantKind } from './plant.js';
import { posKind } from './pos.js';
import { scaleKind } from './scale.js';
import { scannerKind } from './scanner.js';
import { shelfKind } from './shelf.js';

/**
 * Every device kind Storegate knows. Adding a kind is one definition file next to this one and one entry
 * here (docs/devices.md "Adding a device kind"); everything else is derived in tables.ts.
 */
export const deviceDefinitions = [
  shelfKind,
  doorKind,
  cameraKind,
  scannerKind,
  scaleKind,
  posKind,
  plantKind,
  refrigerationKind,
  energyKind,
  envKind,
] as const;
