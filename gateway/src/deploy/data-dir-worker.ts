import { type DataDirTask, runDataDirTask } from './data-dir-owner.js';

// Started by data-dir-owner.ts with data_dir owner's uid/gid: one task as JSON on stdin, its result on stdout.
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
try {
  const task = JSON.parse(Buffer.concat(chunks).toString('utf8')) as DataDirTask;
  process.stdout.write(JSON.stringify(await runDataDirTask(task)));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
}
