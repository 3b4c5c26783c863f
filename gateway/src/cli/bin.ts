#!/usr/bin/env node
import { main } from './index.js';

main(process.argv).then((code) => {
  if (code !== 0) process.exitCode = code;
});
