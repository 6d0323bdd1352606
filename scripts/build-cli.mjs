/**
 * Bundles the CLI (cli/main.ts and the lib/ it uses) into dist/sigscope.mjs with esbuild,
 * so `bin/sigscope` runs plain JavaScript: no TypeScript loader thread in the process
 * (about 50 MB less memory, a faster start). Packages stay external (node_modules is
 * resolved at run time as usual), except JSON files, which Node's ESM loader would want
 * an import attribute for. Run by setup (`npm run build:cli`); bin/sigscope falls back to
 * running the sources whenever one is newer than the bundle.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import * as esbuild from 'esbuild';

// Built aside and swapped in, so a CLI running from dist/ meanwhile still finds its chunks
// (their names carry content hashes: the same sources give the same files).
const out = `dist.build-${process.pid}`;
rmSync(out, { recursive: true, force: true });

const externalPackagesExceptJson = {
  name: 'external-packages-except-json',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.endsWith('.json') || args.path.startsWith('@/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

// __SIGSCOPE_BUNDLE__: code that starts a thread starts its bundled entry (lib/verify/verify-thread.ts).
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning', conditions: ['react-server'], define: { __SIGSCOPE_BUNDLE__: 'true' } };
await esbuild.build({
  ...common,
  // Split at the CLI's lazy imports, so `sigscope --help` does not load Prisma and sigstore.
  entryPoints: { sigscope: 'cli/main.ts', 'verify-thread': 'lib/verify/verify-thread-worker.ts' },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [externalPackagesExceptJson],
  sourcemap: 'linked',
  // Bundled CommonJS dependencies of our own modules may call require().
  banner: { js: "import { createRequire as __sigscopeRequire } from 'node:module'; const require = __sigscopeRequire(import.meta.url);" },
});
// Imported first (node --import): @peculiar/x509 needs Reflect metadata before it loads,
// and in an ES module bundle every package import is evaluated before bundled code.
await esbuild.build({ ...common, entryPoints: ['lib/x509/reflect-shim.ts'], outfile: `${out}/reflect-shim.mjs` });
if (existsSync('dist')) renameSync('dist', `${out}.old`);
renameSync(out, 'dist');
rmSync(`${out}.old`, { recursive: true, force: true });
