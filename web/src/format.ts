// Number and date formatting for people.
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const money2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const moneyCompact = new Intl.NumberFormat('en-US', {
  style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1,
});

export const fmt = {
  int: (v: number | null | undefined) => (v === null || v === undefined ? '—' : int.format(v)),
  compact: (v: number | null | undefined) => (v === null || v === undefined ? '—' : compact.format(v)),
  money: (v: number | null | undefined) => (v === null || v === undefined ? '—' : money.format(v)),
  money2: (v: number | null | undefined) => (v === null || v === undefined ? '—' : money2.format(v)),
  moneyCompact: (v: number | null | undefined) => (v === null || v === undefined ? '—' : moneyCompact.format(v)),
  pct: (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(digits)}%`),
  num: (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? '—' : v.toFixed(digits)),
};

/** A JSON value as a number where it is one (DECIMALs come as strings of digits). */
export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return null;
}

/** Milliseconds since the epoch of a DuckDB timestamp text ("2025-12-13 13:16:53.874+00"), or NaN. */
export function parseTimestamp(s: string): number {
  const iso = s.trim().replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  return Date.parse(/T|Z|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}T00:00:00Z`);
}
