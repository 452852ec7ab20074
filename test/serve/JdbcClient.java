// The PostgreSQL JDBC driver (Debian's libpostgresql-jdbc-java) against a running
// `custlake serve --pg` on 127.0.0.1:PORT, run as a single-file program by
// serve_e2e_test: DatabaseMetaData's tables, columns, primary and imported keys
// of the star schema, and a PreparedStatement with a DATE and a NUMERIC (sent
// in binary) parameter. Prints "ok", or exits 1 with the failing check.
import java.math.BigDecimal;
import java.sql.*;
import java.util.*;

public class JdbcClient {
  static void check(boolean condition, String what) {
    if (!condition) {
      System.err.println("FAILED: " + what);
      System.exit(1);
    }
  }

  public static void main(String[] args) throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + args[0] + "/warehouse?user=analyst&sslmode=disable";
    try (Connection c = DriverManager.getConnection(url)) {
      DatabaseMetaData md = c.getMetaData();
      check(md.getDatabaseMajorVersion() == 16, "server version 16: " + md.getDatabaseProductVersion());

      List<String> tables = new ArrayList<>();
      try (ResultSet rs = md.getTables(null, "main", "%", new String[] {"TABLE"})) {
        while (rs.next()) tables.add(rs.getString("TABLE_NAME"));
      }
      check(tables.contains("fact_customer_metrics") && tables.contains("dim_customer"), "getTables: " + tables);

      Map<String, String> columns = new HashMap<>();
      try (ResultSet rs = md.getColumns(null, "main", "fact_customer_metrics", "%")) {
        while (rs.next()) columns.put(rs.getString("COLUMN_NAME"), rs.getString("TYPE_NAME") + "/" + rs.getInt("DATA_TYPE"));
      }
      check(("numeric/" + Types.NUMERIC).equals(columns.get("revenue")), "getColumns revenue: " + columns.get("revenue"));
      check(("date/" + Types.DATE).equals(columns.get("month_start")), "getColumns month_start: " + columns.get("month_start"));

      List<String> pk = new ArrayList<>();
      try (ResultSet rs = md.getPrimaryKeys(null, "main", "fact_customer_metrics")) {
        while (rs.next()) pk.add(rs.getString("COLUMN_NAME") + ":" + rs.getInt("KEY_SEQ"));
      }
      check(pk.equals(List.of("customer_id:1", "month_start:2")), "getPrimaryKeys: " + pk);

      List<String> fks = new ArrayList<>();
      try (ResultSet rs = md.getImportedKeys(null, "main", "fact_customer_metrics")) {
        while (rs.next()) fks.add(rs.getString("FKCOLUMN_NAME") + "->" + rs.getString("PKTABLE_NAME") + "." + rs.getString("PKCOLUMN_NAME"));
      }
      check(fks.contains("customer_key->dim_customer.customer_key") && fks.contains("date_key->dim_date.date_key"),
            "getImportedKeys: " + fks);

      long all;
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM fact_customer_metrics WHERE revenue >= 0.5")) {
        rs.next();
        all = rs.getLong(1);
      }
      try (PreparedStatement ps = c.prepareStatement(
               "SELECT count(*) FROM fact_customer_metrics WHERE month_start >= ? AND revenue >= ?")) {
        ps.setDate(1, java.sql.Date.valueOf("1900-01-01"));
        ps.setBigDecimal(2, new BigDecimal("0.50"));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          check(rs.getLong(1) == all && all > 0, "a PreparedStatement counts as the literal query: " + rs.getLong(1) + " vs " + all);
        }
      }
    }
    System.out.println("ok");
  }
}
