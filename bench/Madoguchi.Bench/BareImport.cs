using System.Data.Common;
using System.Globalization;
using System.Text;
using CsvHelper;
using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Madoguchi.Bench;

/// <summary>
/// The baseline the importer is measured against: the same CSV read with the bare CsvHelper
/// parser and the same rows (department, procedure, volume, history entry) inserted with one
/// prepared INSERT per table, values re-bound per row, in one transaction. No validation, no
/// diff, no comparison with existing rows: the least work that stores the same columns.
/// </summary>
internal static class BareImport
{
    private static readonly string[] ProcedureColumns =
    [
        "Id", "Code", "Name", "Layout", "DepartmentId", "Ministry", "LawName", "LawArticle", "ProcedureType", "Actor", "Recipient",
        "AffairCategory", "OnlineEligible", "IneligibleReason", "Status", "OnlineSince", "PlanFiscalYear", "PlanYearBound", "PlanNote",
        "Tool", "FeeRequired", "FeePaymentMethods", "Attachments", "IdentityVerification", "StandardProcessingDays", "ExtraJson",
        "CreatedAt", "UpdatedAt",
    ];
    private static readonly string[] VolumeColumns = ["ProcedureId", "FiscalYear", "Total", "Online", "NonOnline"];
    private static readonly string[] ChangeColumns = ["Id", "ProcedureId", "ProcedureCode", "At", "Actor", "Source", "ChangesJson"];
    private static readonly string[] DepartmentColumns = ["Id", "Bu", "Ka", "Kakari"];

    /// <summary>Imports the file into an empty, migrated database; returns the rows written (procedures, volumes, history).</summary>
    public static async Task<int> RunAsync(Storage storage, string csvPath, int fiscalYear, CancellationToken ct)
    {
        var sqlite = storage.Engine == StorageEngine.Sqlite;
        await using DbConnection connection = sqlite
            ? new Microsoft.Data.Sqlite.SqliteConnection(storage.ConnectionString)
            // Npgsql prepares a statement once its parameter types are known, from the second use on.
            : new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(storage.ConnectionString) { MaxAutoPrepare = 16, AutoPrepareMinUsages = 2 }.ConnectionString);
        await connection.OpenAsync(ct);
        // The same pragmas as production (WAL, synchronous=FULL, foreign keys on).
        if (connection is Microsoft.Data.Sqlite.SqliteConnection s) SqlitePragmas.Apply(s);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var departments = Prepare(connection, tx, "Departments", DepartmentColumns);
        await using var procedures = Prepare(connection, tx, "Procedures", ProcedureColumns);
        await using var volumes = Prepare(connection, tx, "ProcedureVolumes", VolumeColumns);
        await using var changes = Prepare(connection, tx, "ProcedureChanges", ChangeColumns);

        // Values as each engine stores them: SQLite keeps GUIDs as upper-case text and times as binary longs.
        var now = DateTimeOffset.UtcNow;
        object at = sqlite ? new DateTimeOffsetToBinaryConverter().ConvertToProvider(now)! : now;
        object Id(Guid g) => sqlite ? g.ToString().ToUpperInvariant() : g;
        var source = "import: " + Path.GetFileName(csvPath);

        var departmentIds = new Dictionary<string, object>(StringComparer.Ordinal);
        var written = 0;
        using var csv = CsvReader.FromFile(csvPath);
        var json = new StringBuilder(512);
        var f = new string[InventoryGenerator.Header.Split(',').Length];
        while (csv.Read()) // the first call reads the header
        {
            for (var i = 0; i < f.Length; i++) f[i] = csv.GetString(i);
            var deptKey = f[2] + "\u001f" + f[3];
            if (!departmentIds.TryGetValue(deptKey, out var deptId))
            {
                deptId = Id(Guid.CreateVersion7());
                departmentIds[deptKey] = deptId;
                Bind(departments, deptId, f[2], f[3], "");
                await departments.ExecuteNonQueryAsync(ct);
            }
            var id = Id(Guid.CreateVersion7());
            var eligible = f[7] == "可";
            var done = f[11] == "済";
            object? since = f[12].Length == 0 ? null : DateOnly.ParseExact(f[12] + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (since is DateOnly d && sqlite) since = d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var (planYear, bound) = PlanYear(f[9]);
            Bind(procedures, id, f[0], f[1], 0, deptId, "", f[4], "", f[5], f[6], "", "", eligible, f[8], done ? 1 : 2, since,
                planYear, bound, "", f[10], null, "", "", "", null, "{}", at, at);
            await procedures.ExecuteNonQueryAsync(ct);
            written++;

            int? total = Int(f[13]), online = Int(f[14]);
            if (total is not null || online is not null)
            {
                Bind(volumes, id, fiscalYear, total, online, total - online);
                await volumes.ExecuteNonQueryAsync(ct);
                written++;
            }

            // A history entry of the same shape as the importer's: every non-empty field, old null.
            json.Clear().Append('[');
            for (var i = 0; i < f.Length; i++)
            {
                if (f[i].Length == 0) continue;
                if (json.Length > 1) json.Append(',');
                json.Append("{\"field\":\"").Append(i).Append("\",\"old\":null,\"new\":\"").Append(f[i]).Append("\"}");
            }
            json.Append(']');
            Bind(changes, Id(Guid.CreateVersion7()), id, f[0], at, "cli", source, json.ToString());
            await changes.ExecuteNonQueryAsync(ct);
            written++;
        }
        await tx.CommitAsync(ct);
        return written;
    }

    private static (int? Year, int Bound) PlanYear(string text)
    {
        if (text.Length == 0) return (null, 0);
        // "令和7年度", "令和5年度まで": the generator writes no other forms.
        var digits = text.AsSpan(2, text.IndexOf('年', StringComparison.Ordinal) - 2);
        return (2018 + int.Parse(digits, CultureInfo.InvariantCulture), text.EndsWith("まで", StringComparison.Ordinal) ? 1 : 0);
    }

    private static int? Int(string s) => s.Length == 0 ? null : int.Parse(s, CultureInfo.InvariantCulture);

    private static DbCommand Prepare(DbConnection connection, DbTransaction tx, string table, string[] columns)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i.ToString(CultureInfo.InvariantCulture)))})";
        for (var i = 0; i < columns.Length; i++)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture);
            cmd.Parameters.Add(p);
        }
        // SQLite prepares here; PostgreSQL cannot before it knows the parameter types (auto-prepare above).
        if (connection is Microsoft.Data.Sqlite.SqliteConnection) cmd.Prepare();
        return cmd;
    }

    private static void Bind(DbCommand cmd, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++) cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
    }
}
