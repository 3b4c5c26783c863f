import type { AuthenticateError, Client, ConnectPacket } from 'aedes';
import { CONNACK } from './authenticate.js';

type AuthDone = (error: AuthenticateError | null, success: boolean | null) => void;
type Authenticate = (
  client: Client,
  username: string | undefined,
  password: Buffer | undefined,
  done: AuthDone,
) => void;

/**
 * `broker.limits.max_keepalive_s`, refused with a CONNACK code MQTT 3.1.1 defines. aedes' own `keepaliveLimit`
 * answers with return code 6, which 3.1.1 reserves (§3.2.2.3: 6–255 are reserved), so clients report a protocol
 * error instead of a refusal. 3.1.1 has no code for a keepalive, and no way to tell the client which one to
 * use; like Mosquitto's `max_keepalive` for 3.1.1 clients, this answers 2 "identifier rejected".
 */
export function keepaliveCap(maxKeepaliveS: number, onRefused: (client: Client, keepalive: number) => void) {
  const announced = new WeakMap<Client, number>();
  return {
    preConnect(
      client: Client,
      packet: ConnectPacket,
      callback: (error: Error | null, success: boolean) => void,
    ) {
      announced.set(client, packet.keepalive ?? 0);
      callback(null, true);
    },
    wrap(authenticate: Authenticate): Authenticate {
      return (client, username, password, done) => {
        const keepalive = announced.get(client) ?? 0;
        if (maxKeepaliveS > 0 && (keepalive === 0 || keepalive > maxKeepaliveS)) {
          onRefused(client, keepalive);
          const err = new Error(
            `keepalive ${keepalive}s refused (max ${maxKeepaliveS}s)`,
          ) as AuthenticateError;
          err.returnCode = CONNACK.identifierRejected;
          return done(err, false);
        }
        authenticate(client, username, password, done);
      };
    },
  };
}
