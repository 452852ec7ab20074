// The SQL editor's history and saved queries, kept in the browser's localStorage.

export interface HistoryEntry { sql: string; at: string; ok: boolean; rows?: number; ms?: number }
export interface SavedQuery { name: string; sql: string }

const HISTORY = 'custlake.sql.history';
const SAVED = 'custlake.sql.saved';
const DRAFT = 'custlake.sql.draft';
const MAX_HISTORY = 100;

function read<T>(key: string): T[] {
  try { const v = JSON.parse(localStorage.getItem(key) ?? '[]'); return Array.isArray(v) ? v as T[] : []; } catch { return []; }
}
function write(key: string, v: unknown): void { localStorage.setItem(key, JSON.stringify(v)); }

export const history = {
  list: () => read<HistoryEntry>(HISTORY),
  add(e: HistoryEntry) {
    const list = read<HistoryEntry>(HISTORY).filter((x) => x.sql !== e.sql);
    write(HISTORY, [e, ...list].slice(0, MAX_HISTORY));
  },
  clear: () => write(HISTORY, []),
};

export const saved = {
  list: () => read<SavedQuery>(SAVED),
  save(q: SavedQuery) { write(SAVED, [...read<SavedQuery>(SAVED).filter((x) => x.name !== q.name), q].sort((a, b) => a.name.localeCompare(b.name))); },
  remove(name: string) { write(SAVED, read<SavedQuery>(SAVED).filter((x) => x.name !== name)); },
};

export const draft = {
  get: () => localStorage.getItem(DRAFT),
  set: (s: string) => localStorage.setItem(DRAFT, s),
};
