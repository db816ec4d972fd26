using System.Data.Common;
using Madoguchi.Web.Data;

namespace Madoguchi.Bench;

/// <summary>The KPI baseline: one hand-written GROUP BY over Procedures giving the same counts per plan year and tool.</summary>
internal static class BareKpi
{
    public sealed record Row(int? PlanFiscalYear, string Tool, int Total, int Eligible, int Online);

    // Layout 1 = national, Status 1 = 実施済, 3 = 適用除外 (the enums' stored values).
    private const string Sql = """
        SELECT "PlanFiscalYear", "Tool", COUNT(*),
               SUM(CASE WHEN ("Layout" = 1 AND "Status" <> 3) OR ("Layout" <> 1 AND "OnlineEligible") THEN 1 ELSE 0 END),
               SUM(CASE WHEN (("Layout" = 1 AND "Status" <> 3) OR ("Layout" <> 1 AND "OnlineEligible"))
                         AND "Status" = 1 AND ("Layout" = 1 OR "OnlineSince" IS NULL OR "OnlineSince" <= @asOf) THEN 1 ELSE 0 END)
        FROM "Procedures"
        GROUP BY "PlanFiscalYear", "Tool"
        """;

    /// <summary>Opens a connection on the database and keeps it, as a pooled app connection would be.</summary>
    public static async Task<DbConnection> OpenAsync(Storage storage, CancellationToken ct)
    {
        DbConnection connection = storage.Engine == StorageEngine.Sqlite
            ? new Microsoft.Data.Sqlite.SqliteConnection(storage.ConnectionString)
            : new Npgsql.NpgsqlConnection(storage.ConnectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    public static async Task<List<Row>> RunAsync(DbConnection connection, DateOnly asOf, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = Sql;
        var p = cmd.CreateParameter();
        p.ParameterName = "@asOf";
        // SQLite stores DateOnly as 'yyyy-MM-dd' text, which compares in date order.
        p.Value = connection is Microsoft.Data.Sqlite.SqliteConnection ? asOf.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : asOf;
        cmd.Parameters.Add(p);
        var rows = new List<Row>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            // COUNT and SUM are bigint on PostgreSQL.
            rows.Add(new Row(reader.IsDBNull(0) ? null : reader.GetInt32(0), reader.GetString(1),
                Int(reader.GetValue(2)), Int(reader.GetValue(3)), Int(reader.GetValue(4))));
        }
        return rows;
    }

    private static int Int(object value) => Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
}
