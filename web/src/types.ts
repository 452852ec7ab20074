// The JSON API's shapes (the server's contract; see docs/serve.md).

export interface Missing { what: string; run: string }
export type Cell = string | number | boolean | null;

export interface Me { user: string | null; auth_required: boolean; csrf: string }

export interface Column { name: string; type: string }
export interface QueryResult {
  columns: Column[];
  rows: Cell[][];
  page: number;
  page_size: number;
  total_rows: number;
  truncated: boolean;
  elapsed_ms: number;
}

export interface FilterOptions {
  segments: string[];
  regions: string[];
  plans: string[];
  date_min: string | null;
  date_max: string | null;
}

export interface Kpis {
  active_customers: number | null;
  monthly_churn_rate: number | null;
  revenue: number | null;
  avg_clv: number | null;
  value_at_risk: number | null;
}

export interface Dashboard {
  warehouse_version: string | number;
  kpis: Kpis;
  churn_by_month: { month: string; segment: string; churn_rate: number; customers: number }[];
  cohort_retention: { cohort: string; month_offset: number; retention: number }[];
  clv_distribution: { bucket_low: number; bucket_high: number; customers: number }[];
  usage_trend: { month: string; avg_usage: number }[];
  tickets_vs_churn: { tickets: number; churn_rate: number; customers: number }[];
  missing: Missing[];
}

export interface AtRiskRow {
  customer_id: string | number;
  name: string;
  segment: string;
  plan: string;
  p_churn: number;
  clv: number;
  value_at_risk: number;
  reasons: string[];
}
export interface AtRisk { rows: AtRiskRow[]; missing: Missing[] }

export interface Drilldown { columns: (Column | string)[]; rows: Cell[][]; truncated?: boolean }

export interface Influencer {
  feature: string;
  condition: string;
  text: string;
  ratio: number | null;
  customers: number;
  value?: string;
  /** The customer attributes (column = value) that pick the customers the factor describes. */
  filter?: Record<string, string>;
}
/** How often the churn model gave a reason (from SHAP contributions) among customers' top reasons. */
export interface ModelReason { reason: string; customers: number; mean_p_churn: number }
export interface Influencers { factors: Influencer[]; model_reasons?: ModelReason[] | null; missing: Missing[] }

export interface Customer360 {
  attributes: Record<string, Cell>;
  versions: Record<string, Cell>[];
  timeline: { date: string; kind: string; detail: string }[];
  churn: { p_churn: number; reasons: string[] } | null;
  clv: { p_alive: number; clv_12m: number; expected_purchases_12m: number } | null;
}

export interface CatalogTable {
  schema: string;
  name: string;
  rows: number | null;
  description: string | null;
  columns: { name: string; type: string; description: string | null }[];
}
export interface Catalog { tables: CatalogTable[] }

/** Sample rows and column statistics of one table; each may come as rows of objects or as columns + rows. */
export interface TableDetail { sample: unknown; stats: unknown }

export interface Lineage {
  nodes: { id: string; kind: string; label: string }[];
  edges: { from: string; to: string }[];
}

export interface Pipeline {
  runs: unknown;
  batches: unknown;
  quarantine: unknown;
  checks: unknown;
  freshness: unknown;
}

/** GET /api/retention: the plan `custlake retention plan` published (summary null until then). */
export interface RetentionSummary {
  plan_date: string | null;
  budget: number;
  active_customers: number;
  targeted: number;
  offer_cost: number;
  expected_saved_customers: number;
  expected_saved_value: number;
  saved_value_low: number;
  saved_value_high: number;
  model_version: string | null;
}
export interface RetentionRow {
  rank: number;
  customer_id: number | string;
  name: string | null;
  segment: string | null;
  uplift: number;
  p_churn: number;
  clv: number;
  expected_saved_value: number;
}
export interface Retention { summary: RetentionSummary | null; rows: RetentionRow[]; missing: Missing[] }
