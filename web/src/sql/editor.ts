// The SQL editor: CodeMirror 6 with SQL highlighting, completion of the catalog's tables and
// columns, Ctrl/Cmd-Enter to run, and the server's error position marked in the text.
import { basicSetup, EditorView } from 'codemirror';
import { sql, PostgreSQL } from '@codemirror/lang-sql';
import type { SQLNamespace } from '@codemirror/lang-sql';
import { Compartment, EditorState, Prec, StateEffect, StateField } from '@codemirror/state';
import { Decoration, keymap } from '@codemirror/view';
import type { DecorationSet } from '@codemirror/view';
import type { Catalog } from '../types';

const setErrorMark = StateEffect.define<{ from: number; to: number } | null>();
const errorMark = Decoration.mark({ class: 'cm-sql-error', attributes: { title: 'The error is here' } });
const errorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const e of tr.effects) {
      if (e.is(setErrorMark)) return e.value ? Decoration.set([errorMark.range(e.value.from, e.value.to)]) : Decoration.none;
    }
    return tr.docChanged ? Decoration.none : marks;
  },
  provide: (f) => EditorView.decorations.from(f),
});

export interface SqlEditor {
  view: EditorView;
  text(): string;
  setText(s: string): void;
  /** Marks the word at character offset `position` (null clears the mark). */
  markError(position: number | null): void;
  /** "line L, column C" of a character offset. */
  where(position: number): string;
  setCatalog(c: Catalog): void;
}

/** The catalog as CodeMirror's completion namespace: schema → table → columns (with types). */
export function completionSchema(c: Catalog): { schema: SQLNamespace; defaultSchema?: string } {
  const schema: Record<string, Record<string, SQLNamespace>> = {};
  for (const t of c.tables) {
    schema[t.schema] ??= {};
    schema[t.schema]![t.name] = {
      self: { label: t.name, type: 'type', detail: t.rows === null ? t.schema : `${t.schema} · ${t.rows.toLocaleString('en-US')} rows`, info: t.description ?? undefined },
      children: t.columns.map((col) => ({ label: col.name, type: 'property', detail: col.type, info: col.description ?? undefined })),
    };
  }
  const counts = Object.entries(schema).map(([s, tables]) => [s, Object.keys(tables).length] as const);
  const preferred = counts.find(([s]) => s === 'main') ?? counts.filter(([s]) => s !== 'raw' && s !== 'quarantine').sort((a, b) => b[1] - a[1])[0];
  return { schema: schema as SQLNamespace, defaultSchema: preferred?.[0] };
}

export function sqlEditor(parent: HTMLElement, initial: string, onRun: () => void): SqlEditor {
  const language = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: initial,
      extensions: [
        Prec.highest(keymap.of([
          { key: 'Mod-Enter', run: () => { onRun(); return true; } },
          { key: 'Shift-Enter', run: () => { onRun(); return true; } },
        ])),
        basicSetup,
        language.of(sql({ dialect: PostgreSQL, upperCaseKeywords: true })),
        errorField,
        EditorView.lineWrapping,
        EditorView.theme({ '&': { height: '100%' }, '.cm-scroller': { fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace' } }),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText: (s) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: s } }),
    markError(position) {
      if (position === null || position < 0) { view.dispatch({ effects: setErrorMark.of(null) }); return; }
      const doc = view.state.doc;
      let from = Math.min(position, doc.length);
      const line = doc.lineAt(from);
      const word = /^[\w."']+/.exec(doc.sliceString(from, line.to))?.[0].length ?? 0;
      const to = Math.min(doc.length, from + Math.max(word, 1));
      if (to === from && from > 0) from -= 1; // an error at the very end: mark the last character
      view.dispatch({ effects: setErrorMark.of({ from, to: Math.max(to, from + 1) }), selection: { anchor: from }, scrollIntoView: true });
    },
    where(position) {
      const line = view.state.doc.lineAt(Math.min(position, view.state.doc.length));
      return `line ${line.number}, column ${Math.min(position, view.state.doc.length) - line.from + 1}`;
    },
    setCatalog(c) {
      const { schema, defaultSchema } = completionSchema(c);
      view.dispatch({ effects: language.reconfigure(sql({ dialect: PostgreSQL, upperCaseKeywords: true, schema, defaultSchema })) });
    },
  };
}
