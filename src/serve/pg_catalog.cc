#include "serve/pg_catalog.h"

#include <fmt/format.h>

#include "engine/engine.h"
#include "serve/pg_catalog_keys.h"
#include "serve/pg_types.h"

namespace custlake::serve {

namespace {

using engine::QuoteLiteral;

constexpr int kConstraintOidBase = 3'000'000;  // + key number: pg_constraint.oid
constexpr int kIndexOidBase = 4'000'000;       // + key number: the key's index in pg_class/pg_index

std::string ListLiteral(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const std::string& item : items) out += (out.size() > 1 ? ", " : "") + QuoteLiteral(item);
  return out + "]::VARCHAR[]";
}

/// pg_compat._keys: one row per declared key.
std::string KeysView(const std::vector<TableKey>& keys) {
  std::string rows;
  for (size_t i = 0; i < keys.size(); ++i) {
    const TableKey& k = keys[i];
    rows += fmt::format("{}({}, {}, '{}', {}, {}, {}, {})", i == 0 ? "" : ", ", i + 1, QuoteLiteral(k.name),
                        k.kind, QuoteLiteral(k.table), ListLiteral(k.columns),
                        k.ref_table.empty() ? "NULL" : QuoteLiteral(k.ref_table), ListLiteral(k.ref_columns));
  }
  if (rows.empty()) rows = "(0, '', 'x', '', []::VARCHAR[], NULL, []::VARCHAR[])";
  return "CREATE VIEW pg_compat._keys AS SELECT * FROM (VALUES " + rows +
         ") t(seq, conname, contype, tbl, cols, reftbl, refcols) WHERE seq > 0";
}

/// pg_compat._descriptions: the models' table (attnum 0) and column descriptions.
std::string DescriptionsView(const std::vector<warehouse::Model>& models) {
  std::string rows;
  auto add = [&](const std::string& table, const std::string& column, const std::string& text) {
    if (text.empty()) return;
    rows += fmt::format("{}({}, {}, {})", rows.empty() ? "" : ", ", QuoteLiteral(table), QuoteLiteral(column),
                        QuoteLiteral(text));
  };
  for (const warehouse::Model& model : models) {
    add(model.name, "", model.description);
    for (const warehouse::ModelColumn& column : model.columns) add(model.name, column.name, column.description);
  }
  if (rows.empty()) rows = "('', '', '')";
  return "CREATE VIEW pg_compat._descriptions AS SELECT * FROM (VALUES " + rows + ") t(tbl, col, description)";
}

/// pg_compat.type_oid(duckdb type name): the OID RowDescription gives (pg_types.h).
std::string TypeOidMacro() {
  std::string cases;
  for (const char* name : {"BOOLEAN", "TINYINT", "SMALLINT", "UTINYINT", "INTEGER", "USMALLINT", "BIGINT",
                           "UINTEGER", "HUGEINT", "UBIGINT", "FLOAT", "DOUBLE", "VARCHAR", "DATE", "TIME",
                           "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "INTERVAL", "UUID", "BLOB", "JSON"}) {
    cases += fmt::format(" WHEN {} THEN {}", QuoteLiteral(name), PgTypeFor(name).oid);
  }
  return fmt::format(
      "CREATE MACRO pg_compat.type_oid(t) AS CASE WHEN t LIKE 'DECIMAL%' THEN {} ELSE CASE t{} ELSE {} END END",
      oid::kNumeric, cases, oid::kText);
}

/// json_build_object(k1, v1, ...) for 1 to 8 pairs: DuckDB's json_object.
std::string JsonBuildObjectMacro() {
  std::string overloads, params, args;
  for (int pair = 1; pair <= 8; ++pair) {
    params += fmt::format("{}k{}, v{}", pair == 1 ? "" : ", ", pair, pair);
    args += fmt::format("{}CAST(k{} AS VARCHAR), v{}", pair == 1 ? "" : ", ", pair, pair);
    overloads += fmt::format("{}({}) AS json_object({})", pair == 1 ? "" : ", ", params, args);
  }
  return "CREATE MACRO pg_compat.json_build_object" + overloads;
}

}  // namespace

std::vector<std::string> PgCatalogSetup(const std::vector<warehouse::Model>& models) {
  const std::vector<TableKey> keys = DeclaredKeys(models);
  std::vector<std::string> sql = {
      "CREATE SCHEMA pg_compat",
      "CREATE SCHEMA pg_info",
      "SET search_path = 'main,pg_compat'",
      KeysView(keys),
      DescriptionsView(models),
      TypeOidMacro(),
      // The relations clients see: the warehouse tables (views over the attached version) as tables.
      // _rel, _attr and _key are computed once (the session's relations are made before this runs):
      // as views, every catalog query would list DuckDB's catalog again for each row it looks at.
      R"(CREATE TABLE pg_compat._rel AS
         SELECT v.view_oid AS oid, v.view_name AS relname, v.schema_oid AS relnamespace, v.schema_name AS nspname,
                CASE WHEN v.schema_name = 'main' THEN 'r' ELSE 'v' END AS relkind, v.column_count AS relnatts
         FROM duckdb_views() v
         WHERE v.database_name = 'memory' AND NOT v.internal AND v.schema_name IN ('main', 'raw', 'quarantine'))",
      R"(CREATE TABLE pg_compat._attr AS
         SELECT r.oid AS attrelid, c.column_name AS attname, pg_compat.type_oid(c.data_type) AS atttypid,
                CAST(c.column_index AS SMALLINT) AS attnum,
                CASE WHEN c.data_type LIKE 'DECIMAL%' THEN c.numeric_precision * 65536 + c.numeric_scale + 4
                     ELSE -1 END AS atttypmod,
                r.relname, r.nspname
         FROM duckdb_columns() c JOIN pg_compat._rel r ON r.relname = c.table_name AND r.nspname = c.schema_name
         WHERE c.database_name = 'memory')",
      // The keys with their table's oid and their columns' numbers.
      R"(CREATE TABLE pg_compat._key AS
         SELECT k.*, 3000000 + k.seq AS conoid, CASE WHEN k.contype IN ('p', 'u') THEN 4000000 + k.seq ELSE 0 END AS indoid,
                r.oid AS relid, r.relnamespace,
                (SELECT list(a.attnum ORDER BY list_position(k.cols, a.attname)) FROM pg_compat._attr a
                 WHERE a.attrelid = r.oid AND list_contains(k.cols, a.attname)) AS conkey,
                fr.oid AS frelid,
                (SELECT list(a.attnum ORDER BY list_position(k.refcols, a.attname)) FROM pg_compat._attr a
                 WHERE a.attrelid = fr.oid AND list_contains(k.refcols, a.attname)) AS confkey
         FROM pg_compat._keys k JOIN pg_compat._rel r ON r.relname = k.tbl AND r.nspname = 'main'
              LEFT JOIN pg_compat._rel fr ON fr.relname = k.reftbl AND fr.nspname = 'main'
         WHERE k.contype <> 'f' OR fr.oid IS NOT NULL)",
      R"(CREATE VIEW pg_compat.pg_namespace AS
         SELECT oid,
                CASE schema_name WHEN 'pg_compat' THEN 'pg_catalog' WHEN 'pg_info' THEN 'information_schema' ELSE schema_name END AS nspname,
                10 AS nspowner, NULL::VARCHAR AS nspacl
         FROM duckdb_schemas() WHERE database_name = 'memory' AND schema_name IN ('main', 'raw', 'quarantine', 'pg_compat', 'pg_info'))",
      R"(CREATE VIEW pg_compat.pg_class AS
         SELECT oid, relname, relnamespace, 0 AS reltype, 0 AS reloftype, 10 AS relowner, CASE relkind WHEN 'r' THEN 2 ELSE 0 END AS relam, 0 AS relfilenode,
                0 AS reltablespace, 0 AS relpages, -1.0::FLOAT AS reltuples, 0 AS relallvisible, 0 AS reltoastrelid,
                EXISTS (SELECT 1 FROM pg_compat._key k WHERE k.relid = r.oid AND k.indoid > 0) AS relhasindex,
                false AS relisshared, 'p' AS relpersistence, relkind, relnatts, 0 AS relchecks, false AS relhasrules,
                -- psql lists foreign keys ("Foreign-key constraints", "Referenced by") only when this is set.
                EXISTS (SELECT 1 FROM pg_compat._key k WHERE k.contype = 'f' AND r.oid IN (k.relid, k.frelid)) AS relhastriggers, false AS relhassubclass, false AS relrowsecurity, false AS relforcerowsecurity,
                true AS relispopulated, 'd' AS relreplident, false AS relispartition, 0 AS relrewrite, 0 AS relfrozenxid,
                0 AS relminmxid, NULL::VARCHAR[] AS relacl, NULL::VARCHAR[] AS reloptions, NULL::VARCHAR AS relpartbound
         FROM pg_compat._rel r
         UNION ALL
         SELECT indoid, conname, relnamespace, 0, 0, 10, 403, 0, 0, 0, -1.0, 0, 0, false, false, 'p', 'i',
                len(cols), 0, false, false, false, false, false, true, 'n', false, 0, 0, 0, NULL, NULL, NULL
         FROM pg_compat._key WHERE indoid > 0)",
      R"(CREATE VIEW pg_compat.pg_attribute AS
         SELECT attrelid, attname, atttypid, -1 AS attstattarget,
                CAST(CASE atttypid WHEN 16 THEN 1 WHEN 21 THEN 2 WHEN 23 THEN 4 WHEN 20 THEN 8 WHEN 700 THEN 4
                     WHEN 701 THEN 8 WHEN 1082 THEN 4 WHEN 1114 THEN 8 WHEN 1184 THEN 8 ELSE -1 END AS SMALLINT) AS attlen,
                attnum, 0 AS attndims, -1 AS attcacheoff, atttypmod, true AS attbyval, 'p' AS attstorage,
                'i' AS attalign, '' AS attcompression,
                EXISTS (SELECT 1 FROM pg_compat._key k WHERE k.relid = a.attrelid AND k.contype = 'p' AND list_contains(k.conkey, a.attnum)) AS attnotnull,
                false AS atthasdef, false AS atthasmissing, '' AS attidentity, '' AS attgenerated, false AS attisdropped,
                true AS attislocal, 0 AS attinhcount, 0 AS attcollation, NULL::VARCHAR[] AS attacl,
                NULL::VARCHAR[] AS attoptions, NULL::VARCHAR[] AS attfdwoptions, NULL::VARCHAR AS attmissingval
         FROM pg_compat._attr a)",
      R"(CREATE VIEW pg_compat.pg_constraint AS
         SELECT conoid AS oid, conname, relnamespace AS connamespace, contype, false AS condeferrable,
                false AS condeferred, true AS convalidated, relid AS conrelid, 0 AS contypid,
                -- a foreign key's index is the referenced primary key's (JDBC's getImportedKeys joins it)
                CASE WHEN contype = 'f' THEN coalesce((SELECT p.indoid FROM pg_compat._key p
                                                       WHERE p.tbl = k.reftbl AND p.contype = 'p'), 0)
                     ELSE indoid END AS conindid,
                0 AS conparentid, coalesce(frelid, 0) AS confrelid, CASE WHEN contype = 'f' THEN 'a' ELSE ' ' END AS confupdtype,
                CASE WHEN contype = 'f' THEN 'a' ELSE ' ' END AS confdeltype, CASE WHEN contype = 'f' THEN 's' ELSE ' ' END AS confmatchtype,
                true AS conislocal, 0 AS coninhcount, true AS connoinherit, conkey,
                CASE WHEN contype = 'f' THEN confkey END AS confkey, NULL::BIGINT[] AS conpfeqop, NULL::BIGINT[] AS conppeqop,
                NULL::BIGINT[] AS conffeqop, NULL::BIGINT[] AS confdelsetcols, NULL::BIGINT[] AS conexclop, NULL::VARCHAR AS conbin
         FROM pg_compat._key k)",
      R"(CREATE VIEW pg_compat.pg_index AS
         SELECT indoid AS indexrelid, relid AS indrelid, CAST(len(cols) AS SMALLINT) AS indnatts,
                CAST(len(cols) AS SMALLINT) AS indnkeyatts, true AS indisunique, false AS indnullsnotdistinct,
                contype = 'p' AS indisprimary, false AS indisexclusion, true AS indimmediate, false AS indisclustered,
                true AS indisvalid, false AS indcheckxmin, true AS indisready, true AS indislive, false AS indisreplident,
                conkey AS indkey, list_transform(conkey, x -> 0) AS indcollation, list_transform(conkey, x -> 0) AS indclass,
                list_transform(conkey, x -> 0) AS indoption, NULL::VARCHAR AS indexprs, NULL::VARCHAR AS indpred
         FROM pg_compat._key WHERE indoid > 0)",
      R"(CREATE VIEW pg_compat.pg_description AS
         SELECT r.oid AS objoid, 1259 AS classoid, coalesce(a.attnum, 0) AS objsubid, d.description
         FROM pg_compat._descriptions d JOIN pg_compat._rel r ON r.relname = d.tbl AND r.nspname = 'main'
              LEFT JOIN pg_compat._attr a ON a.attrelid = r.oid AND a.attname = d.col
         WHERE d.col = '' OR a.attnum IS NOT NULL)",
      R"(CREATE VIEW pg_compat.pg_type AS
         SELECT oid, typname, (SELECT oid FROM duckdb_schemas() WHERE database_name = 'memory' AND schema_name = 'pg_compat') AS typnamespace,
                10 AS typowner, typlen, typlen > 0 AS typbyval, 'b' AS typtype, typcategory, false AS typispreferred,
                true AS typisdefined, ',' AS typdelim, 0 AS typrelid, 0 AS typsubscript, typelem, typarray,
                typname || 'in' AS typinput, typname || 'out' AS typoutput,
                -- a regproc: the oid of its row in pg_proc (Npgsql joins them to tell arrays by array_recv)
                CAST(2147483648 + CASE WHEN typcategory = 'A' THEN 2400 ELSE oid END AS BIGINT) AS typreceive,
                typname || 'send' AS typsend, '-' AS typmodin, '-' AS typmodout, '-' AS typanalyze, 'i' AS typalign,
                'p' AS typstorage, false AS typnotnull, 0 AS typbasetype, -1 AS typtypmod, 0 AS typndims,
                0 AS typcollation, NULL::VARCHAR AS typdefaultbin, NULL::VARCHAR AS typdefault, NULL::VARCHAR[] AS typacl
         FROM (VALUES (16, 'bool', 1, 'B', 0, 1000), (17, 'bytea', -1, 'U', 0, 1001), (19, 'name', 64, 'S', 0, 1003),
                      (20, 'int8', 8, 'N', 0, 1016), (21, 'int2', 2, 'N', 0, 1005), (23, 'int4', 4, 'N', 0, 1007),
                      (25, 'text', -1, 'S', 0, 1009), (26, 'oid', 4, 'N', 0, 1028), (114, 'json', -1, 'U', 0, 199),
                      (700, 'float4', 4, 'N', 0, 1021), (701, 'float8', 8, 'N', 0, 1022), (1043, 'varchar', -1, 'S', 0, 1015),
                      (1082, 'date', 4, 'D', 0, 1182), (1083, 'time', 8, 'D', 0, 1183), (1114, 'timestamp', 8, 'D', 0, 1115),
                      (1184, 'timestamptz', 8, 'D', 0, 1185), (1186, 'interval', 16, 'T', 0, 1187),
                      (1700, 'numeric', -1, 'N', 0, 1231), (2950, 'uuid', 16, 'U', 0, 2951),
                      (1000, '_bool', -1, 'A', 16, 0), (1005, '_int2', -1, 'A', 21, 0), (1007, '_int4', -1, 'A', 23, 0),
                      (1016, '_int8', -1, 'A', 20, 0), (1009, '_text', -1, 'A', 25, 0), (1022, '_float8', -1, 'A', 701, 0))
              t(oid, typname, typlen, typcategory, typelem, typarray))",
      // DuckDB's functions and the types' receive functions (typreceive: typname || 'recv', arrays' array_recv).
      "CREATE VIEW pg_compat.pg_proc AS SELECT * FROM pg_catalog.pg_proc UNION ALL BY NAME "
      "SELECT DISTINCT typreceive AS oid, CASE WHEN typcategory = 'A' THEN 'array_recv' ELSE typname || 'recv' END "
      "AS proname FROM pg_compat.pg_type",
      "CREATE VIEW pg_compat.pg_am AS SELECT * FROM (VALUES (2, 'heap', 'heap_tableam_handler', 't'), "
      "(403, 'btree', 'bthandler', 'i')) t(oid, amname, amhandler, amtype)",
      "CREATE VIEW pg_compat.pg_range AS SELECT 0 AS rngtypid, 0 AS rngsubtype, 0 AS rngmultitypid, 0 AS rngcollation, "
      "0 AS rngsubopc, '' AS rngcanonical, '' AS rngsubdiff WHERE false",
      // Empty catalogs psql's \\d reads (no collations, inheritance, policies, triggers, publications here).
      "CREATE VIEW pg_compat.pg_collation AS SELECT 0 AS oid, '' AS collname, 0 AS collnamespace, 'c' AS collprovider, "
      "true AS collisdeterministic, 6 AS collencoding, '' AS collcollate, '' AS collctype WHERE false",
      "CREATE VIEW pg_compat.pg_inherits AS SELECT 0 AS inhrelid, 0 AS inhparent, 0 AS inhseqno, false AS inhdetachpending WHERE false",
      "CREATE VIEW pg_compat.pg_policy AS SELECT 0 AS oid, '' AS polname, 0 AS polrelid, '' AS polcmd, true AS polpermissive, "
      "[]::BIGINT[] AS polroles, '' AS polqual, '' AS polwithcheck WHERE false",
      "CREATE VIEW pg_compat.pg_statistic_ext AS SELECT 0 AS oid, 0 AS stxrelid, '' AS stxname, 0 AS stxnamespace, "
      "0 AS stxowner, -1 AS stxstattarget, []::SMALLINT[] AS stxkeys, []::VARCHAR[] AS stxkind, '' AS stxexprs WHERE false",
      "CREATE VIEW pg_compat.pg_publication AS SELECT 0 AS oid, '' AS pubname, 0 AS pubowner, false AS puballtables, "
      "false AS pubinsert, false AS pubupdate, false AS pubdelete, false AS pubtruncate, false AS pubviaroot WHERE false",
      "CREATE VIEW pg_compat.pg_publication_rel AS SELECT 0 AS oid, 0 AS prpubid, 0 AS prrelid, '' AS prqual, "
      "[]::SMALLINT[] AS prattrs WHERE false",
      "CREATE VIEW pg_compat.pg_publication_namespace AS SELECT 0 AS oid, 0 AS pnpubid, 0 AS pnnspid WHERE false",
      "CREATE VIEW pg_compat.pg_trigger AS SELECT 0 AS oid, 0 AS tgrelid, 0 AS tgparentid, '' AS tgname, 0 AS tgfoid, "
      "0 AS tgtype, 'O' AS tgenabled, false AS tgisinternal, 0 AS tgconstrrelid, 0 AS tgconstrindid, 0 AS tgconstraint, "
      "false AS tgdeferrable, false AS tginitdeferred, 0 AS tgnargs WHERE false",
      "CREATE VIEW pg_compat.pg_rewrite AS SELECT 0 AS oid, '' AS rulename, 0 AS ev_class, '' AS ev_type, "
      "'O' AS ev_enabled, false AS is_instead WHERE false",
      "CREATE VIEW pg_compat.pg_foreign_table AS SELECT 0 AS ftrelid, 0 AS ftserver, []::VARCHAR[] AS ftoptions WHERE false",
      "CREATE VIEW pg_compat.pg_partitioned_table AS SELECT 0 AS partrelid, '' AS partstrat, 0 AS partnatts, "
      "0 AS partdefid WHERE false",
      "CREATE MACRO pg_compat.pg_relation_is_publishable(rel) AS false",
      "CREATE MACRO pg_compat.array_upper(arr, dim) AS len(arr)",
      "CREATE MACRO pg_compat.pg_get_viewdef(rel) AS NULL, (rel, pretty) AS NULL",
      "CREATE MACRO pg_compat.pg_get_partkeydef(rel) AS NULL",
      "CREATE MACRO pg_compat.pg_get_statisticsobjdef_columns(oid) AS NULL",
      "CREATE VIEW pg_compat.pg_enum AS SELECT 0 AS oid, 0 AS enumtypid, 0.0::FLOAT AS enumsortorder, '' AS enumlabel WHERE false",
      "CREATE VIEW pg_compat.pg_database AS SELECT 1 AS oid, 'warehouse' AS datname, 10 AS datdba, 6 AS encoding, "
      "'c' AS datlocprovider, false AS datistemplate, true AS datallowconn, -1 AS datconnlimit, 'C' AS datcollate, "
      "'C' AS datctype, NULL::VARCHAR AS daticulocale, NULL::VARCHAR[] AS datacl",
      "CREATE VIEW pg_compat.pg_roles AS SELECT 10 AS oid, 'custlake' AS rolname, false AS rolsuper, false AS rolinherit, "
      "false AS rolcreaterole, false AS rolcreatedb, true AS rolcanlogin, false AS rolreplication, -1 AS rolconnlimit, "
      "NULL::TIMESTAMP AS rolvaliduntil, false AS rolbypassrls, NULL::VARCHAR[] AS rolconfig",
      "CREATE VIEW pg_compat.pg_user AS SELECT rolname AS usename, oid AS usesysid, false AS usecreatedb, false AS usesuper "
      "FROM pg_compat.pg_roles",
      "CREATE VIEW pg_compat.pg_settings AS SELECT * FROM (VALUES ('server_version_num', '160000'), "
      "('server_version', '16.0 (custlake)'), ('max_identifier_length', '63'), ('max_index_keys', '32'), ('standard_conforming_strings', 'on'), "
      "('search_path', '\"$user\", public'), ('TimeZone', 'UTC'), ('DateStyle', 'ISO, MDY')) t(name, setting)",
      // Functions psql, SQLAlchemy and JDBC call.
      "CREATE MACRO pg_compat.regclass_oid(name) AS CASE WHEN regexp_full_match(name, '[0-9]+') THEN CAST(name AS BIGINT) "
      "ELSE (SELECT min(oid) FROM pg_compat.pg_class c WHERE c.relname = name OR "
      "(SELECT nspname FROM pg_compat.pg_namespace n WHERE n.oid = c.relnamespace) || '.' || c.relname = name) END",
      "CREATE MACRO pg_compat.pg_partition_ancestors(rel) AS pg_compat.regclass_oid(CAST(rel AS VARCHAR))",
      "CREATE MACRO pg_compat.partition_ancestors_table(rel) AS TABLE SELECT rel AS relid, 1 AS depth",
      // (x, n) for each element of an array, as a set: JDBC's getPrimaryKeys reads (f(indkey)).n and .x.
      "CREATE MACRO pg_compat._pg_expandarray(arr) AS "
      "unnest(list_transform(range(1, len(arr) + 1), i -> {'x': arr[i], 'n': i}))",
      "CREATE MACRO pg_compat.pg_get_serial_sequence(tbl, col) AS NULL",
      JsonBuildObjectMacro(),
      "CREATE MACRO pg_compat.pg_get_triggerdef(t) AS NULL, (t, pretty) AS NULL",
      "CREATE MACRO pg_compat.regclass_name(rel) AS (SELECT min(relname) FROM pg_compat.pg_class WHERE oid = rel)",
      "CREATE MACRO pg_compat.pg_table_is_visible(rel) AS EXISTS (SELECT 1 FROM pg_compat.pg_class c JOIN pg_compat.pg_namespace n "
      "ON n.oid = c.relnamespace WHERE c.oid = rel AND n.nspname IN ('main', 'pg_catalog'))",
      "CREATE MACRO pg_compat.pg_type_is_visible(t) AS true",
      "CREATE MACRO pg_compat.pg_get_userbyid(id) AS 'custlake'",
      R"(CREATE MACRO pg_compat.format_type(t, typmod) AS CASE t
           WHEN 16 THEN 'boolean' WHEN 17 THEN 'bytea' WHEN 19 THEN 'name' WHEN 20 THEN 'bigint' WHEN 21 THEN 'smallint'
           WHEN 23 THEN 'integer' WHEN 25 THEN 'text' WHEN 26 THEN 'oid' WHEN 114 THEN 'json' WHEN 700 THEN 'real'
           WHEN 701 THEN 'double precision' WHEN 1043 THEN 'character varying' WHEN 1082 THEN 'date'
           WHEN 1083 THEN 'time without time zone' WHEN 1114 THEN 'timestamp without time zone'
           WHEN 1184 THEN 'timestamp with time zone' WHEN 1186 THEN 'interval' WHEN 2950 THEN 'uuid'
           WHEN 1700 THEN CASE WHEN typmod > 4 THEN 'numeric(' || ((typmod - 4) // 65536) || ',' || ((typmod - 4) % 65536) || ')'
                               ELSE 'numeric' END
           ELSE '???' END)",
      "CREATE MACRO pg_compat.col_description(rel, col) AS (SELECT min(description) FROM pg_compat.pg_description "
      "WHERE objoid = rel AND objsubid = col)",
      "CREATE MACRO pg_compat.obj_description(obj) AS (SELECT min(description) FROM pg_compat.pg_description "
      "WHERE objoid = obj AND objsubid = 0), (obj, catalog) AS (SELECT min(description) FROM pg_compat.pg_description "
      "WHERE objoid = obj AND objsubid = 0)",
      R"(CREATE MACRO pg_compat._constraintdef(con) AS (SELECT CASE k.contype
           WHEN 'p' THEN 'PRIMARY KEY (' || array_to_string(k.cols, ', ') || ')'
           WHEN 'u' THEN 'UNIQUE (' || array_to_string(k.cols, ', ') || ')'
           ELSE 'FOREIGN KEY (' || array_to_string(k.cols, ', ') || ') REFERENCES ' || k.reftbl || '(' || array_to_string(k.refcols, ', ') || ')'
           END FROM pg_compat._key k WHERE k.conoid = con))",
      "CREATE MACRO pg_compat.pg_get_constraintdef(con) AS pg_compat._constraintdef(con), "
      "(con, pretty) AS pg_compat._constraintdef(con)",
      R"(CREATE MACRO pg_compat._indexdef(ind) AS (SELECT 'CREATE UNIQUE INDEX ' || k.conname || ' ON main.' || k.tbl ||
           ' USING btree (' || array_to_string(k.cols, ', ') || ')' FROM pg_compat._key k WHERE k.indoid = ind))",
      R"(CREATE MACRO pg_compat.pg_get_indexdef(ind) AS pg_compat._indexdef(ind),
           (ind, col, pretty) AS CASE WHEN col = 0 THEN pg_compat._indexdef(ind)
           ELSE (SELECT k.cols[col] FROM pg_compat._key k WHERE k.indoid = ind) END)",
      "CREATE MACRO pg_compat.pg_get_expr(expr, rel) AS expr, (expr, rel, pretty) AS expr",
      "CREATE MACRO pg_compat.pg_encoding_to_char(e) AS 'UTF8'",
      "CREATE MACRO pg_compat.pg_backend_pid() AS 0",
      "CREATE MACRO pg_compat.pg_is_in_recovery() AS false",
      "CREATE MACRO pg_compat.set_config(name, value, is_local) AS value",
      "CREATE MACRO pg_compat.has_table_privilege(rel, priv) AS upper(priv) LIKE '%SELECT%', "
      "(u, rel, priv) AS upper(priv) LIKE '%SELECT%'",
      "CREATE MACRO pg_compat.has_schema_privilege(nsp, priv) AS upper(priv) LIKE '%USAGE%', "
      "(u, nsp, priv) AS upper(priv) LIKE '%USAGE%'",
      "CREATE MACRO pg_compat.has_database_privilege(db, priv) AS upper(priv) LIKE '%CONNECT%'",
      "CREATE MACRO pg_compat.pg_relation_size(rel) AS 0",
      "CREATE MACRO pg_compat.pg_total_relation_size(rel) AS 0",
      "CREATE MACRO pg_compat.to_regclass(name) AS pg_compat.regclass_oid(name)",
      "CREATE MACRO pg_compat.current_schemas(implicit) AS CASE WHEN implicit THEN ['pg_catalog', 'main'] ELSE ['main'] END",
      // information_schema with the declared keys.
      R"(CREATE VIEW pg_info.schemata AS SELECT 'warehouse' AS catalog_name, nspname AS schema_name, 'custlake' AS schema_owner
         FROM pg_compat.pg_namespace)",
      R"(CREATE VIEW pg_info.tables AS SELECT 'warehouse' AS table_catalog, nspname AS table_schema, relname AS table_name,
           CASE relkind WHEN 'r' THEN 'BASE TABLE' ELSE 'VIEW' END AS table_type, NULL AS self_referencing_column_name,
           NULL AS reference_generation, NULL AS user_defined_type_catalog, NULL AS user_defined_type_schema,
           NULL AS user_defined_type_name, 'NO' AS is_insertable_into, 'NO' AS is_typed, NULL AS commit_action
         FROM pg_compat._rel)",
      R"(CREATE VIEW pg_info.views AS SELECT 'warehouse' AS table_catalog, nspname AS table_schema, relname AS table_name,
           NULL AS view_definition, 'NONE' AS check_option, 'NO' AS is_updatable, 'NO' AS is_insertable_into
         FROM pg_compat._rel WHERE relkind = 'v')",
      R"(CREATE VIEW pg_info.columns AS SELECT 'warehouse' AS table_catalog, a.nspname AS table_schema, a.relname AS table_name,
           a.attname AS column_name, a.attnum AS ordinal_position, NULL AS column_default,
           CASE WHEN p.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable,
           pg_compat.format_type(a.atttypid, a.atttypmod) AS data_type,
           CASE WHEN a.atttypmod > 4 THEN (a.atttypmod - 4) // 65536 END AS numeric_precision,
           CASE WHEN a.atttypmod > 4 THEN (a.atttypmod - 4) % 65536 END AS numeric_scale,
           t.typname AS udt_name
         FROM pg_compat._attr a JOIN pg_compat.pg_attribute p ON p.attrelid = a.attrelid AND p.attnum = a.attnum
              LEFT JOIN pg_compat.pg_type t ON t.oid = a.atttypid)",
      R"(CREATE VIEW pg_info.table_constraints AS SELECT 'warehouse' AS constraint_catalog, 'main' AS constraint_schema,
           conname AS constraint_name, 'warehouse' AS table_catalog, 'main' AS table_schema, tbl AS table_name,
           CASE contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' ELSE 'FOREIGN KEY' END AS constraint_type,
           'NO' AS is_deferrable, 'NO' AS initially_deferred, 'YES' AS enforced
         FROM pg_compat._key)",
      R"(CREATE VIEW pg_info.key_column_usage AS SELECT 'warehouse' AS constraint_catalog, 'main' AS constraint_schema,
           conname AS constraint_name, 'warehouse' AS table_catalog, 'main' AS table_schema, tbl AS table_name,
           cols[i] AS column_name, i AS ordinal_position, CASE WHEN contype = 'f' THEN i END AS position_in_unique_constraint
         FROM pg_compat._key, range(1, 1 + len(cols)) r(i))",
      R"(CREATE VIEW pg_info.referential_constraints AS SELECT 'warehouse' AS constraint_catalog, 'main' AS constraint_schema,
           f.conname AS constraint_name, 'warehouse' AS unique_constraint_catalog, 'main' AS unique_constraint_schema,
           p.conname AS unique_constraint_name, 'NONE' AS match_option, 'NO ACTION' AS update_rule, 'NO ACTION' AS delete_rule
         FROM pg_compat._key f LEFT JOIN pg_compat._key p ON p.tbl = f.reftbl AND p.contype = 'p' WHERE f.contype = 'f')",
  };
  return sql;
}

}  // namespace custlake::serve
