/**
 * The layers of docs/architecture.md ("Layout"), checked in `npm test` (npm run lint:deps):
 *
 *   platform  ←  db  ←  domain  ←  api, workers  ←  app (composition: entry files, dispatcher, demo)
 *   engine: its own program, imports nothing of the app; the app reaches it only through engine/index
 *   test/, bench/: may import anything
 *
 * The layers point one way, so no folder cycle can form between them; `no-circular` refuses file cycles
 * inside a layer too. Type-only imports count: a cycle through types is still a cycle for the reader.
 */
const LAYERS = ['platform', 'db', 'domain', 'api', 'workers', 'app', 'engine', 'processes'];
/** api/'s shared kernel: what every slice may import (the route type, problems, schema builders, auth, the ports) */
const API_KERNEL = [
  'route',
  'problem',
  'schema',
  'common-schemas',
  'auth',
  'services',
  'access',
  'store-kernel',
  'engine-rest',
  'calendar-admin',
  'incident-port',
];
const others = (...allowed) => `^(${LAYERS.filter((l) => !allowed.includes(l)).join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'a file cycle: break it by moving the shared part down a layer',
      from: { pathNot: '^engine/' },
      to: { circular: true },
    },
    // engine/: the element and subsystem modules split out of core.ts (issue #21) still reach back into the
    // Engine class they extend; until they take a narrow context instead, their cycles are reported, not refused
    {
      name: 'no-circular-engine',
      severity: 'warn',
      comment: 'engine module cycle through core.ts (issue #21, to be broken next)',
      from: { path: '^engine/' },
      to: { circular: true },
    },
    { name: 'platform-imports-nothing-of-the-app', severity: 'error', from: { path: '^platform/' }, to: { path: others('platform') } },
    { name: 'db-imports-only-platform', severity: 'error', from: { path: '^db/' }, to: { path: others('db', 'platform') } },
    {
      name: 'domain-imports-only-db-and-platform',
      severity: 'error',
      from: { path: '^domain/' },
      to: { path: others('domain', 'db', 'platform') },
    },
    {
      name: 'api-imports-only-domain-db-platform',
      severity: 'error',
      from: { path: '^api/' },
      to: { path: others('api', 'domain', 'db', 'platform') },
    },
    // api/ in vertical slices (api/<resource>/: routes, schemas, store): a slice reads only the api kernel,
    // never another slice, so a resource can be read and changed in its own folder (CONTRIBUTING.md "Where code goes")
    {
      name: 'api-slice-imports-no-other-slice',
      severity: 'error',
      comment: 'a slice may not import another slice: move what both need into the kernel (api/*.ts listed in API_KERNEL)',
      from: { path: '^api/([^/]+)/' },
      to: { path: '^api/[^/]+/', pathNot: '^api/$1/' },
    },
    {
      name: 'api-slice-imports-only-the-kernel',
      severity: 'error',
      comment: `of api/'s top-level files a slice imports only the kernel: ${API_KERNEL.join(', ')}`,
      from: { path: '^api/[^/]+/', pathNot: '^api/workbench/' },
      to: { path: '^api/[^/]+\\.ts$', pathNot: `^api/(${API_KERNEL.join('|')})\\.ts$` },
    },
    {
      // the workbench's inbox reads the user-task helpers of api/tasks.ts until those become a slice of their own
      name: 'api-workbench-imports-only-the-kernel-and-tasks',
      severity: 'error',
      from: { path: '^api/workbench/' },
      to: { path: '^api/[^/]+\\.ts$', pathNot: `^api/(${[...API_KERNEL, 'tasks'].join('|')})\\.ts$` },
    },
    {
      name: 'api-kernel-imports-no-slice',
      severity: 'error',
      comment: 'the kernel is the bottom of api/: the slices build on it, it knows none of them',
      from: { path: `^api/(${API_KERNEL.join('|')})\\.ts$` },
      // except a slice's port: the interface the composition injects (services.ts lists them)
      to: { path: '^api/[^/]+/', pathNot: '^api/[^/]+/port\\.ts$' },
    },
    {
      name: 'workers-import-only-domain-db-platform',
      severity: 'error',
      from: { path: '^workers/' },
      to: { path: others('workers', 'domain', 'db', 'platform') },
    },
    { name: 'engine-imports-nothing-of-the-app', severity: 'error', from: { path: '^engine/' }, to: { path: others('engine') } },
    {
      name: 'processes-tooling-reads-only-the-vocabulary',
      severity: 'error',
      from: { path: '^processes/' },
      to: { path: others('processes'), pathNot: '^domain/vocabulary\\.ts$' },
    },
    {
      name: 'nobody-imports-app',
      severity: 'error',
      comment: 'app/ wires; only tests and benchmarks start what it wires',
      from: { pathNot: '^(app|test|bench)/' },
      to: { path: '^app/' },
    },
    {
      name: 'the-app-reaches-the-engine-through-its-index',
      severity: 'error',
      from: { path: '^app/' },
      to: { path: '^engine/', pathNot: '^engine/index\\.ts$' },
    },
    { name: 'not-to-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|data)/' },
    parser: 'swc',
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.cjs', '.json', '.d.ts'],
      conditionNames: ['require', 'node', 'default', 'types'],
      exportsFields: ['exports'],
      mainFields: ['main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
