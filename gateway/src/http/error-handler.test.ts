import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { ERRORS, formatError, StoregateError } from '../core/errors.js';
import { registerErrorHandler } from './error-handler.js';

function server() {
  const http = Fastify();
  registerErrorHandler(http);
  http.get('/lane', async () => {
    throw new StoregateError('SG_LANE_UNKNOWN', 'no lane x');
  });
  http.get('/own-hint', async () => {
    throw new StoregateError('SG_IO', 'cannot open /dev/ttyUSB0', { hint: 'is the bridge holding it?' });
  });
  http.get('/bug', async () => {
    throw new Error('secret detail');
  });
  http.post('/json', async () => ({ ok: true }));
  return http;
}

describe('the HTTP error handler', () => {
  it("answers a StoregateError with its code's status and hint from the table", async () => {
    const http = server();
    const res = await http.inject({ method: 'GET', url: '/lane' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'SG_LANE_UNKNOWN', message: 'no lane x', hint: ERRORS.SG_LANE_UNKNOWN.hint },
    });
    const own = await http.inject({ method: 'GET', url: '/own-hint' });
    expect(own.statusCode).toBe(502);
    expect(own.json().error.hint).toBe('is the bridge holding it?');
  });

  it('keeps the message of an unexpected error out of the response', async () => {
    const res = await server().inject({ method: 'GET', url: '/bug' });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('SG_INTERNAL');
    expect(res.body).not.toContain('secret detail');
  });

  it("answers Fastify's own request errors (bad JSON) as SG_BAD_ARGUMENT with their 4xx status", async () => {
    const res = await server().inject({
      method: 'POST',
      url: '/json',
      headers: { 'content-type': 'application/json' },
      payload: '{nope',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('SG_BAD_ARGUMENT');
  });

  it('the CLI form carries the same code and hint', () => {
    const err = new StoregateError('SG_DEVICE_UNKNOWN', 'no device ghost');
    expect(formatError(err)).toBe(
      `error [SG_DEVICE_UNKNOWN] no device ghost — ${ERRORS.SG_DEVICE_UNKNOWN.hint}`,
    );
  });
});
