#!/usr/bin/python3
"""Modbus slaves for Storegate's tests: pymodbus (Debian python3-pymodbus 3.0) serving given register tables.

Usage: modbus_slave.py --spec FILE (--tcp PORT | --rtu PATH [--baud B])
Spec: {"slaves": {"1": {"hr": {"256": 45}, "ir": {}, "co": {}, "di": {}}}} (0-based protocol addresses).
Control, one JSON object per stdin line:
  {"op": "set", "slave": 1, "table": "hr", "address": 256, "values": [46]}
  {"op": "get", "slave": 1, "table": "hr", "address": 256, "count": 1}  -> prints {"ok": "get", "get": [...]}
  {"op": "mute", "slave": 1} / {"op": "unmute", "slave": 1}           (no answer at all: the master times out)
  {"op": "fail", "slave": 1, "on": true}                              (answers exception 4, slave device failure)
  {"op": "drop", "slave": 1, "table": "hr", "address": 256}          (address gone: exception 2)
Prints {"ready": true} once serving, {"ok": op} after each command.
"""
import argparse
import asyncio
import json
import logging
import sys
import threading

from pymodbus.datastore import ModbusServerContext, ModbusSlaveContext, ModbusSparseDataBlock
from pymodbus.server.async_io import ModbusSerialServer, ModbusTcpServer
from pymodbus.transaction import ModbusRtuFramer, ModbusSocketFramer

logging.basicConfig(level=logging.CRITICAL)


class FaultySlave(ModbusSlaveContext):
    failing = False

    def getValues(self, fc_as_hex, address, count=1):
        if self.failing:
            raise RuntimeError("injected slave device failure")
        return super().getValues(fc_as_hex, address, count)


def block(table):
    """Like a real controller, every address between the lowest and highest mapped one exists (reads may
    span unmapped holes); an empty table still needs one value (65535 is never mapped by a shipped model)."""
    values = {int(a): v for a, v in table.items()} or {65535: 0}
    for a in range(min(values), max(values) + 1):
        values.setdefault(a, 0)
    return ModbusSparseDataBlock(values)


def build(spec):
    slaves = {}
    for sid, t in spec["slaves"].items():
        slaves[int(sid)] = FaultySlave(
            di=block(t.get("di", {})), co=block(t.get("co", {})),
            hr=block(t.get("hr", {})), ir=block(t.get("ir", {})), zero_mode=True)
    return slaves


FC = {"co": 1, "di": 2, "hr": 3, "ir": 4}


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def control(line, context, all_slaves):
    cmd = json.loads(line)
    op, sid = cmd["op"], int(cmd.get("slave", 0))
    slave = all_slaves[sid]
    if op == "set":
        slave.store[cmd["table"][0]].setValues(cmd["address"], cmd["values"])
    elif op == "get":
        emit({"ok": op, "get": slave.store[cmd["table"][0]].getValues(cmd["address"], cmd.get("count", 1))})
        return
    elif op == "mute":
        context._slaves.pop(sid, None)
    elif op == "unmute":
        context._slaves[sid] = slave
    elif op == "fail":
        slave.failing = bool(cmd.get("on", True))
    elif op == "drop":
        slave.store[cmd["table"][0]].values.pop(cmd["address"], None)
    emit({"ok": op})


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", required=True)
    ap.add_argument("--tcp", type=int)
    ap.add_argument("--rtu")
    ap.add_argument("--baud", type=int, default=19200)
    args = ap.parse_args()
    with open(args.spec, encoding="utf8") as f:
        all_slaves = build(json.load(f))
    context = ModbusServerContext(slaves=dict(all_slaves), single=False)
    loop = asyncio.get_running_loop()

    def read_stdin():
        for line in sys.stdin:
            if line.strip():
                loop.call_soon_threadsafe(control, line, context, all_slaves)
        loop.call_soon_threadsafe(loop.stop)  # parent gone

    threading.Thread(target=read_stdin, daemon=True).start()
    if args.tcp:
        server = ModbusTcpServer(context, ModbusSocketFramer, None, ("127.0.0.1", args.tcp),
                                 ignore_missing_slaves=True, allow_reuse_address=True)
        task = asyncio.ensure_future(server.serve_forever())
        while server.server is None:
            await asyncio.sleep(0.01)
        emit({"ready": True})
        await task
    else:
        server = ModbusSerialServer(context, ModbusRtuFramer, port=args.rtu, baudrate=args.baud,
                                    ignore_missing_slaves=True, auto_reconnect=True, reconnect_delay=0.2)
        await server.start()
        emit({"ready": True})
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except (KeyboardInterrupt, RuntimeError):
        pass
