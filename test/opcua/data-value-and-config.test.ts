import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/src/config/load.js';
import { qualityFromStatus, toPlantSample } from '../../gateway/src/connectors/opcua/data-value.js';

describe('OPC UA status → quality', () => {
  it('maps the StatusCode severity bits', () => {
    expect(qualityFromStatus(0)).toBe('good');
    expect(qualityFromStatus(0x00a20000)).toBe('good'); // GoodLocalOverride
    expect(qualityFromStatus(0x40000000)).toBe('uncertain'); // Uncertain
    expect(qualityFromStatus(0x408f0000)).toBe('uncertain'); // UncertainEngineeringUnitsExceeded
    expect(qualityFromStatus(0x808b0000)).toBe('bad'); // BadSensorFailure... (any 10xx)
    expect(qualityFromStatus(0x80340000)).toBe('bad'); // BadNodeIdUnknown
    expect(qualityFromStatus(0xc0000000)).toBe('bad');
  });

  it('keeps values, source time and status; a value-less sample is never good', () => {
    const ts = new Date(Date.UTC(2026, 0, 1));
    expect(
      toPlantSample({ value: { value: 3.5 }, statusCode: { value: 0, name: 'Good' }, sourceTimestamp: ts }),
    ).toEqual({
      value: 3.5,
      quality: 'good',
      deviceTime: ts.getTime(),
      status: 'Good',
    });
    expect(
      toPlantSample({ value: { value: true }, statusCode: { value: 0x40000000, name: 'Uncertain' } }),
    ).toMatchObject({
      value: true,
      quality: 'uncertain',
      deviceTime: null,
    });
    expect(
      toPlantSample({ value: { value: null }, statusCode: { value: 0x808b0000, name: 'BadSensorFailure' } }),
    ).toMatchObject({
      value: 'BadSensorFailure',
      quality: 'bad',
    });
    expect(toPlantSample({ value: { value: null }, statusCode: { value: 0, name: 'Good' } }).quality).toBe(
      'bad',
    );
    expect(toPlantSample({ value: { dataType: 8, value: [0xffffffff, 0xfffffffe] } }).value).toBe(-2);
    expect(toPlantSample({ value: { dataType: 9, value: [1, 5] } }).value).toBe(2 ** 32 + 5);
    expect(toPlantSample({ value: { value: { text: 'Defrost', locale: 'en' } } }).value).toBe('Defrost');
    expect(toPlantSample({ value: { value: new Float32Array([1, 2]) } }).value).toBe('[1,2]');
    expect(toPlantSample({ value: { value: Number.NaN } }).value).toBe('NaN');
  });
});

describe('opcua config section', () => {
  const endpoint = {
    id: 'cold-room',
    url: 'opc.tcp://10.0.0.5:4840',
    points: [{ node_id: 'ns=2;s=Fridge3.Temp', name: 'fridge-3.temp' }],
  };

  function errorOf(opcua: unknown): string {
    try {
      parseConfig({ opcua });
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('expected the config to be rejected');
  }

  it('applies defaults', () => {
    const cfg = parseConfig({ opcua: { endpoints: [endpoint] } });
    const ep = cfg.opcua.endpoints[0]!;
    expect(ep).toMatchObject({
      security_mode: 'None',
      security_policy: 'None',
      publishing_interval_ms: 1000,
    });
    expect(ep.points[0]).toMatchObject({ sampling_interval_ms: 1000 });
    expect(cfg.opcua.reconnect).toEqual({
      initial_delay_ms: 1000,
      max_delay_ms: 30000,
      attempt_timeout_ms: 20000,
    });
    expect(cfg.opcua.max_requests_per_s).toBe(100);
    expect(parseConfig({}).opcua.endpoints).toEqual([]);
  });

  it('rejects bad node ids, URLs, duplicates and mismatched security with their paths', () => {
    expect(
      errorOf({ endpoints: [{ ...endpoint, points: [{ node_id: 'Fridge3.Temp', name: 'x' }] }] }),
    ).toContain('opcua.endpoints.0.points.0.node_id');
    expect(errorOf({ endpoints: [{ ...endpoint, url: 'http://x' }] })).toContain('opcua.endpoints.0.url');
    expect(errorOf({ endpoints: [endpoint, endpoint] })).toContain(
      'opcua.endpoints.1.id: duplicate endpoint id',
    );
    expect(
      errorOf({ endpoints: [{ ...endpoint, points: [endpoint.points[0], endpoint.points[0]] }] }),
    ).toContain('opcua.endpoints.0.points.1.name: duplicate point name');
    expect(errorOf({ endpoints: [{ ...endpoint, security_mode: 'Sign' }] })).toContain(
      'opcua.endpoints.0.security_policy',
    );
    expect(errorOf({ endpoints: [{ ...endpoint, username: 'ops' }] })).toContain(
      'opcua.endpoints.0.password',
    );
    expect(errorOf({ endpoints: [{ ...endpoint, points: [] }] })).toContain('opcua.endpoints.0.points');
    expect(errorOf({ endpoints: [{ ...endpoint, pointz: [] }] })).toContain(
      'opcua.endpoints.0.pointz: unknown key',
    );
    expect(
      errorOf({ endpoints: [endpoint], request_timeout_ms: 5000, reconnect: { attempt_timeout_ms: 2000 } }),
    ).toContain('opcua.reconnect.attempt_timeout_ms: must be at least request_timeout_ms');
  });

  it('takes env overrides: the endpoint list as JSON, section settings by path', () => {
    const cfg = parseConfig(
      {},
      {
        env: {
          STOREGATE_OPCUA__ENDPOINTS: JSON.stringify([endpoint]),
          STOREGATE_OPCUA__RECONNECT__MAX_DELAY_MS: '5000',
        },
      },
    );
    expect(cfg.opcua.endpoints[0]!.id).toBe('cold-room');
    expect(cfg.opcua.reconnect.max_delay_ms).toBe(5000);
  });
});
