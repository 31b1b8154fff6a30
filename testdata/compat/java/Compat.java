// Compat exercises what JDBC-based tools (DBeaver, DataGrip, Metabase...)
// do against a PostgreSQL-compatible server: DatabaseMetaData introspection,
// ResultSetMetaData, and a PreparedStatement run often enough for pgjdbc to
// switch to a named server-side statement (prepareThreshold defaults to 5).
//
// Usage: java -cp /usr/share/java/postgresql.jar:. Compat HOST PORT DB USER TABLE MATVIEW FOREIGN
// Each step sets application_name to "jdbc-<step>" first, so that a server
// log (log_statement = 'all', %a in log_line_prefix) can be split per step.
// Exits non-zero on the first failed check.
import java.sql.*;
import java.util.*;

public class Compat {
    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("FAIL: " + what);
            System.exit(1);
        }
    }

    static void step(Connection c, String name) throws SQLException {
        c.setClientInfo("ApplicationName", "jdbc-" + name);
        System.out.println("== " + name);
    }

    public static void main(String[] args) throws Exception {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        String port = args.length > 1 ? args[1] : "5432";
        String db = args.length > 2 ? args[2] : "streamsql";
        String user = args.length > 3 ? args[3] : "postgres";
        String table = args.length > 4 ? args[4] : "orders";
        String matview = args.length > 5 ? args[5] : "order_totals";
        String foreign = args.length > 6 ? args[6] : "clicks";

        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("ApplicationName", "jdbc-connect");
        String url = "jdbc:postgresql://" + host + ":" + port + "/" + db;
        try (Connection c = DriverManager.getConnection(url, p)) {
            DatabaseMetaData md = c.getMetaData();

            step(c, "getDatabaseProductVersion");
            System.out.println(md.getDatabaseProductName() + " " + md.getDatabaseProductVersion());

            step(c, "getSchemas");
            Set<String> schemas = new TreeSet<>();
            try (ResultSet rs = md.getSchemas()) {
                while (rs.next()) schemas.add(rs.getString("TABLE_SCHEM"));
            }
            System.out.println(schemas);
            check(schemas.contains("public"), "getSchemas lists public");

            step(c, "getCatalogs");
            try (ResultSet rs = md.getCatalogs()) {
                while (rs.next()) System.out.println(rs.getString("TABLE_CAT"));
            }

            step(c, "getTableTypes");
            try (ResultSet rs = md.getTableTypes()) {
                while (rs.next()) System.out.println(rs.getString("TABLE_TYPE"));
            }

            step(c, "getTables");
            Map<String, String> tables = new TreeMap<>();
            try (ResultSet rs = md.getTables(null, "public", "%", null)) {
                while (rs.next()) tables.put(rs.getString("TABLE_NAME"), rs.getString("TABLE_TYPE"));
            }
            System.out.println(tables);
            check("TABLE".equals(tables.get(table)), "getTables: " + table + " is a TABLE");
            check("MATERIALIZED VIEW".equals(tables.get(matview)), "getTables: " + matview + " is a MATERIALIZED VIEW");
            check("FOREIGN TABLE".equals(tables.get(foreign)), "getTables: " + foreign + " is a FOREIGN TABLE");

            step(c, "getColumns");
            List<String> cols = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, "public", table, "%")) {
                while (rs.next()) {
                    cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME") + ":" + rs.getInt("DATA_TYPE")
                        + ":" + rs.getInt("COLUMN_SIZE") + ":" + rs.getInt("DECIMAL_DIGITS"));
                }
            }
            System.out.println(cols);
            // The JDBC types tools map columns by: BIGINT, VARCHAR(20),
            // NUMERIC(10,2), TIMESTAMP, ARRAY, BIT.
            check(cols.equals(Arrays.asList("id:int8:-5:19:0", "customer:varchar:12:20:0", "amount:numeric:2:10:2",
                "ts:timestamp:93:29:6", "tags:_text:2003:2147483647:0", "ok:bool:-7:1:0")), "getColumns of " + table + ": " + cols);

            step(c, "getColumns-matview");
            cols.clear();
            try (ResultSet rs = md.getColumns(null, "public", matview, "%")) {
                while (rs.next()) cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME"));
            }
            System.out.println(cols);
            check(cols.equals(Arrays.asList("customer:varchar", "total:numeric", "n:int8")), "getColumns of " + matview + ": " + cols);
            step(c, "getColumns-foreign");
            cols.clear();
            try (ResultSet rs = md.getColumns(null, "public", foreign, "%")) {
                while (rs.next()) cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getInt("DATA_TYPE"));
            }
            System.out.println(cols);
            check(cols.equals(Arrays.asList("user_id:4", "url:12", "ts:93")), "getColumns of " + foreign + ": " + cols);

            step(c, "getPrimaryKeys");
            try (ResultSet rs = md.getPrimaryKeys(null, "public", table)) {
                while (rs.next()) System.out.println(rs.getString("COLUMN_NAME"));
            }

            step(c, "getIndexInfo");
            try (ResultSet rs = md.getIndexInfo(null, "public", table, false, true)) {
                while (rs.next()) System.out.println(rs.getString("INDEX_NAME"));
            }

            step(c, "resultSetMetaData");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                ResultSetMetaData rmd = rs.getMetaData();
                for (int i = 1; i <= rmd.getColumnCount(); i++) {
                    System.out.println(rmd.getColumnName(i) + " " + rmd.getColumnTypeName(i) + " table=" + rmd.getTableName(i)
                        + " nullable=" + rmd.isNullable(i) + " auto=" + rmd.isAutoIncrement(i));
                }
            }

            step(c, "preparedStatement");
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE id > ?")) {
                for (int i = 0; i < 10; i++) {
                    ps.setLong(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        check(rs.next(), "prepared statement returns a row");
                        long want = i == 0 ? 2 : i == 1 ? 1 : 0;
                        check(rs.getLong(1) == want, "count(*) WHERE id > " + i + " is " + want + ", not " + rs.getLong(1));
                    }
                }
            }
            // From the 5th execution pgjdbc uses a named server statement and
            // reads the results in binary: every type below goes through
            // streamsqld's binary encoding.
            step(c, "preparedStatement-binary");
            try (PreparedStatement ps = c.prepareStatement("SELECT id, customer, amount, ts, ok, tags FROM " + table + " WHERE id = ?")) {
                for (int i = 0; i < 10; i++) {
                    ps.setLong(1, 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        check(rs.next(), "prepared statement returns a row");
                        check(rs.getLong("id") == 1, "id");
                        check("ann".equals(rs.getString("customer")), "customer");
                        check(new java.math.BigDecimal("150.50").equals(rs.getBigDecimal("amount")), "amount " + rs.getBigDecimal("amount"));
                        check(Timestamp.valueOf("2024-01-01 10:00:00").equals(rs.getTimestamp("ts")), "ts " + rs.getTimestamp("ts"));
                        check(rs.getBoolean("ok"), "ok");
                        check(Arrays.equals(new String[] {"a", "b"}, (Object[]) rs.getArray("tags").getArray()), "tags");
                        check(!rs.next(), "one row");
                    }
                }
            }

            step(c, "transaction");
            c.setAutoCommit(false);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                check(rs.next() && rs.getInt(1) == 1, "SELECT 1 in a transaction");
            }
            c.commit();
            c.setAutoCommit(true);
        }
        System.out.println("OK");
    }
}
