"""A stand-in for systemd's notify socket: binds a unix datagram socket and prints each message received as
one line `<monotonic seconds> <message with newlines as |>`, flushed, so a test can follow sd_notify traffic."""
import socket
import sys
import time

path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print("listening", flush=True)
while True:
    data = s.recv(65536)
    print(f"{time.monotonic():.3f} {data.decode('utf-8', 'replace').replace(chr(10), '|')}", flush=True)
