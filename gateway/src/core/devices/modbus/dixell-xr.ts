import type { ColdModel } from './model.js';

const TABLE =
  'Dixell XC645CX Modbus table as sent by Dixell Italy (published on control.com thread 1409730074): probes at 0x0100… signed 16-bit, gain 0.1 °C, H-L byte order';

/**
 * Dixell XR-series (XR20CX/XR60CX/XR75CX). Emerson/Dixell does not publish the XR register map; the probe
 * layout (0x0100 = Pb1, tenths of °C, signed) is shared across the CX family per Dixell's own table for the
 * XC645CX and integrators' notes for the XR75CX, and user parameters start at 0x0300 (HR768) in manual order
 * (WebHMI Dixell notes). Status bits are assumed: check them on the real controller.
 */
export const dixellXr: ColdModel = {
  id: 'dixell-xr',
  vendor: 'Dixell (Emerson)',
  family: 'XR-CX (XR20CX, XR60CX, XR75CX)',
  summary: 'Dixell XR case controller: thermostat probe Pb1, relay and alarm status word',
  manual:
    'Dixell XR60CX user manual (parameter list); Emerson/Dixell publish no Modbus register map for the XR series',
  // WebHMI's Dixell notes: fixed 9600 8N1, recommended answer timeout 500 ms
  line: { baud: 9_600, parity: 'none', stopBits: 1 },
  reading: 'cold.sample',
  fields: {
    tempC: {
      fn: 3,
      address: 0x0100,
      type: 's16',
      scale: 0.1,
      unit: '°C',
      evidence: 'secondary',
      ref: `${TABLE}; XR75CX: register 256 "P1 temperature ÷10" (Industrial Monitor Direct integrator note)`,
    },
    compressorOn: {
      fn: 3,
      address: 0x0110,
      type: 'u16',
      bit: 0,
      evidence: 'assumed',
      ref: 'relay status word 0x0110 bit 0 (compressor relay): assumed',
    },
    defrost: {
      fn: 3,
      address: 0x0110,
      type: 'u16',
      bit: 1,
      evidence: 'assumed',
      ref: 'relay status word 0x0110 bit 1 (defrost relay): assumed',
    },
    doorOpen: {
      fn: 3,
      address: 0x0110,
      type: 'u16',
      bit: 4,
      evidence: 'assumed',
      ref: 'digital input (door switch, i1F=dor) in 0x0110 bit 4: assumed',
    },
    alarm: {
      fn: 3,
      address: 0x0111,
      type: 'u16',
      bit: 0,
      evidence: 'assumed',
      ref: 'alarm word 0x0111 bit 0 (any temperature alarm HA/LA): assumed',
    },
    probeFault: {
      fn: 3,
      address: 0x0111,
      type: 'u16',
      bit: 1,
      evidence: 'assumed',
      ref: 'alarm word 0x0111 bit 1 (P1 probe failure): assumed',
    },
  },
  // Dixell controllers also put a sentinel in the probe register when Pb1 fails; the value is not public.
  setpoints: {
    setpoint: {
      summary: 'thermostat set point SEt',
      table: 'holding',
      address: 0x0300,
      type: 's16',
      writeFunction: 16,
      scale: 0.1,
      unit: '°C',
      min: -50,
      max: 50,
      evidence: 'secondary',
      ref: 'WebHMI Dixell notes: user parameters from HR768 in manual order, written with function 16; SEt first: assumed',
    },
  },
};
