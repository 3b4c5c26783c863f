import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../shared/src/clock.js';
import { CommandRegistry } from './commands.js';

describe('CommandRegistry timeout', () => {
  it('answers `timeout` on virtual time when a handler never settles, and leaves no timer behind', async () => {
    const clock = new FakeClock(0);
    const registry = new CommandRegistry(1_000, null, clock);
    registry.register('never.answers', () => new Promise(() => {}), { readOnly: true });
    registry.register('quick', () => ({ fine: true }), { readOnly: true });
    const slow = registry.execute('never.answers', Buffer.from('{"id":"a"}'));
    await Promise.resolve();
    clock.advance(999);
    const quick = await registry.execute('quick', Buffer.from('{"id":"b"}'));
    expect(quick).toEqual({ id: 'b', status: 'ok', data: { fine: true } });
    clock.advance(1);
    expect(await slow).toEqual({
      id: 'a',
      status: 'error',
      error: { code: 'timeout', message: 'no answer within 1000 ms' },
    });
    expect(clock.pendingTimers()).toBe(0);
  });
});
