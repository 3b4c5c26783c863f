#!/usr/bin/env node
import { main } from './index.js';

// Files the CLI creates in data_dir (registry.db on `device add`…) are owner-only, like the gateway's.
process.umask(0o077);
main(process.argv).then((code) => {
  if (code !== 0) process.exitCode = code;
});
