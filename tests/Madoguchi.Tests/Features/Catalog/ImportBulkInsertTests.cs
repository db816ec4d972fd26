using System.Data.Common;
using System.Globalization;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Platform;
using static Madoguchi.Tests.Features.Catalog.InventoryTestKit;

namespace Madoguchi.Tests.Features.Catalog;

/// <summary>
/// The importer writes new procedures with prepared commands instead of SaveChanges. What it
/// stores must be byte for byte what SaveChanges stores for the same entities, on each engine.
/// </summary>
[Trait(Traits.Storage, "true")]
public sealed class ImportBulkInsertTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Tables = ["Departments", "Procedures", "ProcedureVolumes", "ProcedureLifeEvents", "ProcedureChanges"];

    [Fact]
    public async Task Imported_procedures_are_stored_exactly_as_SaveChanges_stores_them()
    {
        // Both layouts: departments and dates (municipal), life events, fees and extra columns (national).
        await using var imported = await TestDatabase.CreateAsync(ct: Ct);
        Assert.True((await ImportAsync(imported, Fixtures.Path("inventory-koto-2025-03.csv"))).Applied);
        Assert.True((await ImportAsync(imported, Fixtures.Path("procedures-survey-r7-sample.csv"))).Applied);

        List<Department> departments;
        List<Procedure> procedures;
        List<ProcedureChange> history;
        await using (var ctx = imported.CreateContext())
        {
            departments = await ctx.Departments.AsNoTracking().ToListAsync(Ct);
            procedures = await ctx.Procedures.AsNoTracking().Include(p => p.Volumes).Include(p => p.LifeEvents).AsSplitQuery().ToListAsync(Ct);
            history = await ctx.ProcedureChanges.AsNoTracking().ToListAsync(Ct);
        }
        Assert.Equal(5058, procedures.Count);
        Assert.Equal(5058, history.Count);
        Assert.Contains(procedures, p => p.LifeEvents.Count > 0);

        // What EF read back is what the importer meant to write.
        var now = Clock().GetUtcNow();
        Assert.All(procedures, p => Assert.Equal((now, now), (p.CreatedAt, p.UpdatedAt)));
        var byId = procedures.ToDictionary(p => p.Id);
        Assert.All(history, h =>
        {
            Assert.Equal(byId[h.ProcedureId].Code, h.ProcedureCode);
            Assert.Equal((now, "cli"), (h.At, h.Actor));
            Assert.Contains(h.Source, new[] { "import: inventory-koto-2025-03.csv", "import: procedures-survey-r7-sample.csv" });
            Assert.Contains(ProcedureHistory.Read(h), c => c.Field == "Code" && c.Old is null && c.New == h.ProcedureCode);
        });
        var henko = procedures.Single(p => p.Name == "変更届(医療法)");
        Assert.Equal((new DateOnly(2024, 7, 1), "LoGoフォーム", true, OnlineStatus.Done), (henko.OnlineSince, henko.Tool, henko.OnlineEligible, henko.Status));
        Assert.Equal(("健康部", "生活衛生課"), departments.Where(d => d.Id == henko.DepartmentId).Select(d => (d.Bu, d.Ka)).Single());

        // The same entities through SaveChanges, into a database of their own.
        await using var saved = await TestDatabase.CreateAsync(ct: Ct);
        await using (var ctx = saved.CreateContext())
        {
            ctx.Departments.AddRange(departments);
            ctx.Procedures.AddRange(procedures);
            ctx.ProcedureChanges.AddRange(history);
            await ctx.SaveChangesAsync(Ct);
        }

        foreach (var table in Tables)
        {
            var expected = await DumpAsync(saved, table);
            var actual = await DumpAsync(imported, table);
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
        }
    }

    /// <summary>Every row of the table as stored: each column's provider type and value, ordered by the primary key.</summary>
    private static async Task<List<string>> DumpAsync(TestDatabase db, string table)
    {
        await using var ctx = db.CreateContext();
        var entity = ctx.Model.GetEntityTypes().Single(t => t.GetTableName() == table);
        var key = string.Join(", ", entity.FindPrimaryKey()!.Properties.Select(p => $"\"{p.GetColumnName()}\""));
        var connection = ctx.Database.GetDbConnection();
        await connection.OpenAsync(Ct);
        await using DbCommand cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT * FROM \"{table}\" ORDER BY {key}";
        var rows = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            var cells = Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i)
                ? $"{reader.GetName(i)}=NULL"
                : $"{reader.GetName(i)}={reader.GetValue(i).GetType().Name}:{Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)}");
            rows.Add(string.Join(" | ", cells));
        }
        return rows;
    }
}
