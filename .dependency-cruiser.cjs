/**
 * The house rules (README "How a run works"): which room of src/ may import which. `npm test` runs
 * `depcruise src` with this file first; a rule broken fails the build with the import that breaks it.
 */
/** The protocol folders (src/registry.ts lists their protocol.ts), in the order they may import each other. */
const PROTOCOLS = ['kms', 'pkcs11', 'kmip', 'vault', 'gcp', 'azure'];
const PROTOCOL_FOLDERS = `^src/(${PROTOCOLS.join('|')})/`;

/**
 * The folders from the floor up: each imports only folders before it in this list, so no two of them import each other,
 * however far round (the summary's schema in summary/ is what stats, verdict, report and capacity share). protocols/ is
 * the seam's types and the installed protocols (seam.ts), low enough for cut/errorType.ts to ask; command/ is the
 * command kit the protocols build their commands with; the protocol folders sit above every pipeline folder. Not
 * listed: the composition roots that wire everything (src/registry.ts, cli/, api/, runner/main.ts: rules below);
 * test/house-rules.test.ts checks that the folder graph has no cycle at all.
 */
const LAYERS = [
  'core',
  'protocols',
  'summary',
  'schedule',
  'stats',
  'verdict',
  'cut',
  'transport',
  'output',
  'progress',
  'metrics',
  'report',
  'merge',
  'compare',
  'config',
  'command',
  'controller',
  'capacity',
  'runner',
  'k8s',
  ...PROTOCOLS,
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'an import cycle: split the shared part into a module both import (runner/loops/operate.ts). A cycle ' +
        'closed by an `await import()` (a protocol loads its heavy parts when used) or by a type-only import ' +
        'is no cycle when the modules load',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['dynamic-import', 'type-only', 'type-import'] } },
    },
    ...LAYERS.slice(0, -1).map((folder, i) => ({
      name: 'folders-in-layers',
      severity: 'error',
      comment: `${folder}/ imports no folder above it in LAYERS (${LAYERS.slice(i + 1).join(', ')}): a folder-level cycle starts so`,
      from: { path: `^src/${folder}/` },
      to: { path: `^src/(${LAYERS.slice(i + 1).join('|')})/` },
    })),
    {
      name: 'core-is-the-floor',
      severity: 'error',
      comment: 'core/ (plan, protocol, errors, exit codes, paths, text) imports nothing else of src/',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'kms-server-imports-only-model-and-core',
      severity: 'error',
      comment: 'the embedded server shares only the protocol model (kms/model) and core with the rest',
      from: { path: '^src/kms/server/' },
      to: { path: '^src/', pathNot: ['^src/kms/server/', '^src/kms/model/', '^src/core/'] },
    },
    {
      name: 'only-the-entries-import-kms-server',
      severity: 'error',
      comment:
        'only `kms serve` (kms/serveRun.ts) and `--endpoint local` (kms/localEndpoint.ts) start the server; ' +
        'its pure pieces (digest signatures, the token bucket) are shared with the other embedded servers',
      from: { path: '^src/', pathNot: ['^src/kms/server/', '^src/kms/serveRun\\.ts$', '^src/kms/localEndpoint\\.ts$'] },
      to: { path: '^src/kms/server/', pathNot: '^src/kms/server/(signing/(rsaDigest|ecdsaDigest)|tokenBucket)\\.ts$' },
    },
    {
      name: 'kms-model-is-shared-ground',
      severity: 'error',
      comment: 'kms/model is imported by both sides of the protocol: it imports only core',
      from: { path: '^src/kms/model/' },
      to: { path: '^src/', pathNot: ['^src/kms/model/', '^src/core/'] },
    },
    {
      name: 'transport-is-protocol-free',
      severity: 'error',
      comment: 'transport/ is HTTP only, reused by protocols: it imports only core',
      from: { path: '^src/transport/' },
      to: { path: '^src/', pathNot: ['^src/transport/', '^src/core/'] },
    },
    {
      name: 'stats-never-imports-output',
      severity: 'error',
      comment: 'stats/ aggregates; what is written where is output/ (and the controller that wires them)',
      from: { path: '^src/stats/' },
      to: { path: '^src/output/' },
    },
    {
      name: 'config-never-imports-cli',
      severity: 'error',
      comment: 'config/ builds plans for any front end (command line, scenario lines, profiles, capacity)',
      from: { path: '^src/config/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'runner-never-imports-controller',
      severity: 'error',
      comment: 'a runner knows the main process only through core/protocol.ts',
      from: { path: '^src/runner/' },
      to: { path: '^src/(controller|cli)/' },
    },
    {
      name: 'schedule-is-pure',
      severity: 'error',
      comment: 'schedule/ is arithmetic on rates and instants: no other room of src/',
      from: { path: '^src/schedule/' },
      to: { path: '^src/', pathNot: ['^src/schedule/', '^src/core/'] },
    },
    {
      name: 'observers-are-listed-once',
      severity: 'error',
      comment:
        "progress/ and metrics/ are observers of the run's events (src/stats/runObserver.ts): controller/observers.ts lists " +
        'them, no stage imports them (run.ts only opens the terminal and the metrics endpoint, before the run: docs/internals.md)',
      from: { path: '^src/controller/', pathNot: '^src/controller/observers\\.ts$' },
      to: { path: '^src/(progress|metrics)/', pathNot: '^src/(progress/LiveTerminal|metrics/MetricsServer)\\.ts$' },
    },
    {
      name: 'the-pipeline-names-no-protocol',
      severity: 'error',
      comment:
        'controller, config, runner, stats, cut, output, core, the seam and the command kit ask the installed protocols ' +
        '(src/protocols/seam.ts) and never import a protocol folder (docs/protocols.md)',
      from: { path: '^src/(controller|config|runner|stats|cut|output|core|protocols|command)/' },
      to: { path: PROTOCOL_FOLDERS },
    },
    {
      name: 'only-the-entries-import-the-registry',
      severity: 'error',
      comment:
        'src/registry.ts loads the protocol folders: only the composition roots import it (the command line, the ' +
        'programmatic run, a runner) and hand the protocols to src/protocols/seam.ts, so no pipeline folder imports a ' +
        'protocol folder, however far round (no folder-level cycle)',
      from: { path: '^src/', pathNot: ['^src/cli/', '^src/api/', '^src/runner/main\\.ts$', '^src/registry\\.ts$'] },
      to: { path: '^src/registry\\.ts$' },
    },
    {
      name: 'only-cli-imports-cli',
      severity: 'error',
      comment: 'cli/ is the outermost room: nothing imports it (a protocol builds its commands with the kit of src/command/)',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
