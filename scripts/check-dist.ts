/**
 * Rebuilds dist/ into a temporary folder and compares it, file by file and byte by byte,
 * with the committed one. Fails on any drift: actions run dist/, so it must be what the
 * sources build.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildAll } from './build.ts';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

const fresh = mkdtempSync(path.join(tmpdir(), 'dist-check-'));
try {
  await buildAll(fresh);
  const committed = listFiles('dist');
  const built = listFiles(fresh);
  const problems = [
    ...built.filter((file) => !committed.includes(file)).map((file) => `missing from dist/: ${file}`),
    ...committed.filter((file) => !built.includes(file)).map((file) => `stale in dist/: ${file}`),
    ...built
      .filter((file) => committed.includes(file))
      .filter((file) => !readFileSync(path.join('dist', file)).equals(readFileSync(path.join(fresh, file))))
      .map((file) => `differs from a fresh build: dist/${file}`),
  ];
  if (problems.length > 0) {
    console.error(
      `dist/ is not what the sources build. Run \`npm run build\` and commit dist/.\n  ${problems.join('\n  ')}`,
    );
    process.exitCode = 1;
  } else {
    console.log(`dist/ matches a fresh build (${built.length} files).`);
  }
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
