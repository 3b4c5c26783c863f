import { Duplex } from 'node:stream';

/** Two in-memory Duplex ends wired back to back: what one writes, the other reads (an ideal null-modem). */
export function createLinkPair(): [Duplex, Duplex] {
  let a: Duplex | null = null;
  let b: Duplex | null = null;
  const make = (peer: () => Duplex | null) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, done) {
        peer()?.push(chunk);
        done();
      },
      final(done) {
        peer()?.push(null);
        done();
      },
    });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}
