/**
 * The layering of the house (README "Architecture"), checked by `npm run lint:deps` inside `npm test`.
 * Data flows one way: connectors → pipeline → processors → sinks; features/ is the only place where a domain's
 * processor, connectors, sinks and HTTP meet. Type-only imports count: a type is a dependency too.
 */
const gw = '^gateway/src/';
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Import cycles.', from: {}, to: { circular: true } },
    {
      name: 'processors-are-pure',
      severity: 'error',
      comment: 'Processors import only core/, ports/ and their own models (no I/O, no storage, no wiring).',
      from: { path: `${gw}processors/` },
      to: { pathNot: [`${gw}(core|ports|processors)/`, '^shared/src/(clock|readings|device-contract|devices/)'] },
    },
    {
      name: 'core-is-the-bottom',
      severity: 'error',
      comment: 'core/ (types, contract, clock, errors, pipeline) imports nothing above it and does no I/O.',
      from: { path: `${gw}core/` },
      to: {
        path: [
          `${gw}(?!core/)`,
          '^(node:)?(fs|net|http|https|child_process|dgram|tls)$',
          'better-sqlite3|fastify|prom-client|aedes|mqtt|node-opcua|serialport|influx',
        ],
      },
    },
    {
      name: 'ports-are-interfaces',
      severity: 'error',
      from: { path: `${gw}ports/` },
      to: { path: `${gw}(?!core/|ports/)` },
    },
    {
      name: 'only-the-app-wires-features',
      severity: 'error',
      comment: 'features/ are composition roots: http/, processors/, sinks/, connectors/ never import them.',
      from: { path: gw, pathNot: [`${gw}(features/|app\\.ts|cli/|demo/|replay/)`] },
      to: { path: `${gw}features/` },
    },
    {
      name: 'http-is-only-the-server',
      severity: 'error',
      comment: 'http/ keeps the server, auth and core routes; domain routes live in features/<domain>/routes.ts.',
      from: { path: `${gw}http/` },
      to: { path: `${gw}(processors|registry|sinks|connectors|broker)/` },
    },
    {
      name: 'adapters-stay-in-their-lane',
      severity: 'error',
      comment: 'Connectors, sinks and storage do not reach into processors, HTTP or each other.',
      from: { path: `${gw}(connectors|sinks|registry)/` },
      to: { path: `${gw}(processors|http|cli|demo)/` },
    },
    {
      name: 'sinks-not-connectors',
      severity: 'error',
      from: { path: `${gw}sinks/` },
      to: { path: `${gw}(connectors|broker)/` },
    },
    {
      name: 'connectors-not-sinks',
      severity: 'error',
      from: { path: `${gw}connectors/` },
      to: { path: `${gw}(sinks|registry)/` },
    },
    {
      name: 'shared-is-shared',
      severity: 'error',
      comment: 'shared/ (clock, logger, readings, device contract, waitress) serves gateway and bridge alike.',
      from: { path: '^shared/src/' },
      to: { path: '^(gateway|firmware-bridge|test)/' },
    },
    {
      name: 'bridge-stands-alone',
      severity: 'error',
      comment: 'firmware-bridge runs without the gateway (storegate-bridge): it uses shared/, never gateway/.',
      from: { path: '^firmware-bridge/src/' },
      to: { path: '^gateway/' },
    },
    {
      name: 'config-above-core-only',
      severity: 'error',
      from: { path: `${gw}config/` },
      to: { path: [`${gw}(?!config/|core/)`, '^firmware-bridge/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/|\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
