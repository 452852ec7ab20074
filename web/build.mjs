// Bundles src/main.ts and src/styles.css into dist/assets/ with content hashes and
// writes dist/index.html pointing at them. The custlake binary embeds everything under dist/.
// ES modules split into chunks: the shell (app-*.js) is small, each page is a chunk loaded when it
// is first shown, and the libraries they share (ECharts, CodeMirror) are chunks of their own.
import * as esbuild from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

const result = await esbuild.build({
  entryPoints: { app: path.join(here, 'src/main.ts'), style: path.join(here, 'src/styles.css') },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'esm',
  splitting: true,
  chunkNames: '[name]-[hash]',
  target: ['es2022'],
  outdir: path.join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => path.relative(dist, path.resolve(p)));
const js = outputs.find((p) => /app-.*\.js$/.test(p));
const css = outputs.find((p) => /style-.*\.css$/.test(p));
if (!js || !css) throw new Error(`build: expected app-*.js and style-*.css in ${outputs.join(', ')}`);

// The chunks the shell imports statically, fetched alongside it rather than after it is parsed.
const entry = Object.entries(result.metafile.outputs).find(([p]) => path.relative(dist, path.resolve(p)) === js)[1];
const preloads = entry.imports.filter((i) => i.kind === 'import-statement')
  .map((i) => `<link rel="modulepreload" href="/${path.relative(dist, path.resolve(i.path))}">`).join('\n  ');

const template = await readFile(path.join(here, 'index.html'), 'utf8');
const html = template.replace('%STYLE%', `/${css}`).replace('%SCRIPT%', `/${js}`).replace('%PRELOAD%', preloads);
await writeFile(path.join(dist, 'index.html'), html);
const sizes = outputs.filter((p) => p.endsWith('.js')).length;
console.log(`build: dist/index.html, dist/${js} (+${sizes - 1} chunks), dist/${css}`);
