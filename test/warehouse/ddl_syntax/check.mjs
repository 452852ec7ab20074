// Syntax check of `custlake export-ddl` output: splits a file into statements and parses each
// with the dialect's grammar (dt-sql-parser: ANTLR4 grammars of Hive, Spark SQL and Trino).
//   node --import ./register.mjs check.mjs hive|spark|trino FILE   (exit 1 on any syntax error)
import { HiveSQL, SparkSQL, TrinoSQL } from 'dt-sql-parser';
import fs from 'fs';
const [dialect, file] = process.argv.slice(2);
const parser = { hive: new HiveSQL(), spark: new SparkSQL(), trino: new TrinoSQL() }[dialect];
const text = fs.readFileSync(file, 'utf8');
// Split on ; at line ends (statements never contain ';\n' inside).
const stmts = text.split(/;\s*\n/).map(s => s.replace(/^(\s*--[^\n]*\n)*/g, '').trim()).filter(s => s.length && !/^--/.test(s));
let bad = 0;
for (const s of stmts) {
  const errors = parser.validate(s);
  if (errors.length) {
    bad++;
    console.log(`--- ${dialect}: ${s.split('\n')[0].slice(0, 100)}`);
    for (const e of errors.slice(0, 3)) console.log(`  line ${e.startLine}:${e.startColumn} ${e.message}`);
  }
}
console.log(`${dialect}: ${stmts.length} statements, ${bad} with syntax errors`);
process.exit(bad ? 1 : 0);
