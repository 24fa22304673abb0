/**
 * Bundles every action and the CLI into dist/: `dist/<action>/index.js` (what each action.yml
 * runs) and `dist/cli/index.js`, with shared chunks in `dist/chunks/`. Deterministic: the same
 * sources give the same bytes, so `npm run check:dist` can rebuild and compare.
 *
 *   node scripts/build.ts [outdir]   (default: dist)
 */
import { rmSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { ACTION_CATALOG } from '../src/action-catalog.ts';

/**
 * Two modules of @actions/core that no action here uses, loaded at every start-up: the OIDC
 * client for core.getIDToken() (and with it undici, ~800 kB) and core.platform (and with it
 * @actions/exec, @actions/io and child_process). Each is replaced by a stub that throws if
 * ever called; together they take ~55 ms off every action's cold start.
 */
const UNUSED_TOOLKIT_MODULES: Readonly<Record<string, string>> = {
  './oidc-utils.js':
    "export class OidcClient { static async getIDToken() { throw new Error('deploy-actions bundles no OIDC client'); } }",
  './platform.js': [
    'export const platform = process.platform, arch = process.arch;',
    "export const isWindows = platform === 'win32', isMacOS = platform === 'darwin', isLinux = platform === 'linux';",
    "export async function getDetails() { throw new Error('deploy-actions bundles no core.platform'); }",
  ].join('\n'),
};

export const withoutUnusedToolkit: Plugin = {
  name: 'without-unused-toolkit',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/(oidc-utils|platform)\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}@actions${path.sep}core${path.sep}`)
        ? { path: args.path, namespace: 'unused-toolkit' }
        : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'unused-toolkit' }, (args) => ({
      contents: UNUSED_TOOLKIT_MODULES[args.path]!,
      loader: 'js',
    }));
  },
};

const BUILTINS = new Set(builtinModules);

/**
 * In an ES module, `import … from 'node:http'` makes Node build the module's whole namespace,
 * running every lazy getter: http's WebSocket loads undici, fs's promises loads readline,
 * and so on (~40 ms of a cold start). A dynamic `import('node:http')` does the same, lazy or
 * not (it cost a one-URL health check ~45 ms). Reaching built-ins through require() loads only
 * what is used, so each built-in, imported either way, becomes a tiny CommonJS module that
 * requires it.
 */
export const builtinsByRequire: Plugin = {
  name: 'builtins-by-require',
  setup(builder) {
    builder.onResolve({ filter: /^(node:)?[a-z_/0-9]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!BUILTINS.has(name) || args.namespace.startsWith('builtin')) return undefined;
      return { path: name, namespace: args.kind === 'dynamic-import' ? 'builtin-esm' : 'builtin' };
    });
    builder.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require('node:${args.path}');`,
      loader: 'js',
    }));
    // `await import()` expects named exports: the built-in's plain values, named one by one
    // (its lazy getters left out, so that importing still runs none of them).
    builder.onLoad({ filter: /.*/, namespace: 'builtin-esm' }, (args) => ({
      contents: esmFacade(args.path),
      loader: 'js',
    }));
  },
};

function esmFacade(name: string): string {
  const module = createRequire(import.meta.url)(`node:${name}`) as object;
  const plain = Object.keys(module).filter(
    (key) => /^[A-Za-z_$][\w$]*$/.test(key) && !Object.getOwnPropertyDescriptor(module, key)?.get,
  );
  return [
    `const m = require('node:${name}');`,
    'export default m;',
    ...plain.map((key) => `export const ${key} = m.${key};`),
  ].join('\n');
}

export const ACTIONS = Object.keys(ACTION_CATALOG);

export async function buildAll(outdir: string): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  const entryPoints = Object.fromEntries([
    ...ACTIONS.map((name) => [`${name}/index`, `actions/${name}.ts`]),
    ...Object.entries(ACTION_CATALOG)
      .filter(([, entry]) => 'post' in entry && entry.post)
      .map(([name]) => [`${name}/post`, `actions/${name}-post.ts`]),
    ['cli/index', 'cli/main.ts'],
  ]);
  await build({
    entryPoints,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    chunkNames: 'chunks/[name]-[hash]',
    // Every byte is parsed at each cold start; source maps are not worth their size here.
    minify: true,
    keepNames: false,
    legalComments: 'linked',
    // Some dependencies are CommonJS and require() node built-ins; ESM bundles need a require.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    plugins: [withoutUnusedToolkit, builtinsByRequire],
    logLevel: 'warning',
  });
}

if (import.meta.main) await buildAll(process.argv[2] ?? 'dist');
