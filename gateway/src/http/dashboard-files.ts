import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { Role } from '../core/identity.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The charting library, from the installed npm package: the screens work with no internet. */
const VENDOR: Record<string, string> = {
  'vendor/uplot.js': 'uplot/dist/uPlot.iife.min.js',
  'vendor/uplot.css': 'uplot/dist/uPlot.min.css',
};

export interface DashboardFile {
  body: Buffer;
  type: string;
  /** Pages are served only to this role and above; scripts and styles to any viewer. */
  role: Role;
}

/** dashboards/web, found from both the TypeScript sources and the compiled dist/ tree. */
export function findDashboardDir(start = import.meta.dirname): string | null {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'dashboards', 'web');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return null;
}

/** A screen's role from its file name: `attendant*.html` attendant, `installer*.html` installer, else viewer. */
export function pageRole(name: string): Role {
  if (!name.endsWith('.html')) return 'viewer';
  if (name.startsWith('attendant')) return 'attendant';
  if (name.startsWith('installer')) return 'installer';
  return 'viewer';
}

/**
 * Every servable file of the dashboard folder (flat, known extensions) plus the vendored library, read once:
 * nothing from a request path ever reaches the file system.
 */
export function loadDashboardFiles(dir: string): Map<string, DashboardFile> {
  const files = new Map<string, DashboardFile>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const type = TYPES[extname(entry.name)];
    if (!entry.isFile() || !type || entry.name.includes('.test.')) continue;
    files.set(entry.name, { body: readFileSync(join(dir, entry.name)), type, role: pageRole(entry.name) });
  }
  const require = createRequire(import.meta.url);
  for (const [name, module] of Object.entries(VENDOR)) {
    files.set(name, {
      body: readFileSync(require.resolve(module)),
      type: TYPES[extname(name)]!,
      role: 'viewer',
    });
  }
  return files;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** What a logged-in person sees on a screen their role does not allow. */
export function deniedPage(screen: string, needs: Role, who: string, has: Role): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Storegate — not allowed</title><link rel="stylesheet" href="/dashboard/style.css"></head>
<body class="denied"><main><h1>Not allowed</h1>
<p id="denied">The ${escapeHtml(screen)} screen needs the <strong>${needs}</strong> role. You are logged in as
<strong>${escapeHtml(who)}</strong> with the <strong>${has}</strong> role.</p>
<p>Ask an admin for a login with that role, or
<button id="switch" type="button">log in as someone else</button>. <a href="/dashboard/">Ops dashboard</a></p>
<script type="module" src="/dashboard/denied.js"></script></main></body></html>
`;
}
