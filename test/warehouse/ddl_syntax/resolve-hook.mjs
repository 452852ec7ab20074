// Node resolve hook: dt-sql-parser's ESM build imports directories and extensionless files (bundler style).
import fs from 'fs';
import { fileURLToPath, pathToFileURL } from 'url';
import path from 'path';
export async function resolve(specifier, context, next) {
  if ((specifier.startsWith('.') || specifier.startsWith('/')) && context.parentURL) {
    const base = path.resolve(path.dirname(fileURLToPath(context.parentURL)), specifier);
    for (const candidate of [base, base + '.js', path.join(base, 'index.js')]) {
      if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return next(pathToFileURL(candidate).href, context);
    }
  }
  return next(specifier, context);
}
