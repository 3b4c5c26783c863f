import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_MODULES, commandName, modulesFor } from './command-modules.js';

describe('CLI command modules (lazy loading)', () => {
  it('each module registers exactly the top-level commands the table names for it', async () => {
    for (const m of COMMAND_MODULES) {
      const program = new Command('storegate');
      (await m.load())(program);
      expect(program.commands.map((c) => c.name())).toEqual(m.names);
    }
    const all = COMMAND_MODULES.flatMap((m) => m.names);
    expect(new Set(all).size).toBe(all.length);
  });

  it('finds the command after the global options, skipping the config path', () => {
    expect(commandName(['device', 'list'])).toBe('device');
    expect(commandName(['--config', 'device', 'doctor'])).toBe('doctor');
    expect(commandName(['-c', 'x.yaml', 'lane', 'status'])).toBe('lane');
    expect(commandName(['--config=x.yaml', 'start'])).toBe('start');
    expect(commandName(['--', 'haccp'])).toBe('haccp');
    expect(commandName(['--version'])).toBeUndefined();
    expect(commandName([])).toBeUndefined();
  });

  it('loads one module for a known command, all of them for help, --version or a typo', () => {
    expect(modulesFor(['-c', 'x.yaml', 'token', 'add']).map((m) => m.names)).toEqual([
      ['user', 'token', 'audit'],
    ]);
    expect(modulesFor(['--help'])).toBe(COMMAND_MODULES);
    expect(modulesFor(['devcie', 'list'])).toBe(COMMAND_MODULES);
  });
});
