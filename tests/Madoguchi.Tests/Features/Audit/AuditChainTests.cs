using FsCheck;
using FsCheck.Fluent;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Tests.Features.Audit;

/// <summary>DESIGN.md §4.10: any single edit, deletion, swap or truncation of the trail is detected.</summary>
public sealed class AuditChainTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public enum TamperKind { Edit, Delete, Swap, Truncate }

    /// <summary>Fields an attacker with database access might change.</summary>
    public static readonly string[] Fields =
        ["Sequence", "At", "Actor", "ActorName", "Action", "TargetType", "TargetId", "DepartmentId", "Detail", "ClientAddress", "PreviousHash", "Hash"];

    public sealed record EntrySpec(string Action, string Detail, string? TargetId, bool HasDepartment, int MillisecondsLater);
    public sealed record Tamper(TamperKind Kind, int I, int J, string Field, string Value);
    public sealed record Case(IReadOnlyList<EntrySpec> Entries, Tamper Tamper);

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.Elements("", "x", "手続を変更", "𠮷野家", "a\nb", "5:abc\n", "-", "fields=Name,Tool"),
        ArbMap.Default.GeneratorFor<string>().Where(s => s is not null).Select(s => s.Replace("\0", "", StringComparison.Ordinal)));

    private static readonly Gen<EntrySpec> Entry =
        from action in Gen.Elements(AuditActions.All)
        from detail in Text
        from target in Gen.OneOf(Gen.Constant<string?>(null), Gen.Elements<string?>("p-1", "2f1c", "トークン"))
        from dept in ArbMap.Default.GeneratorFor<bool>()
        from later in Gen.Choose(0, 5000)
        select new EntrySpec(action, detail, target, dept, later);

    private static readonly Gen<Case> Cases =
        from n in Gen.Choose(2, 7)
        from entries in Entry.ListOf(n)
        from kind in Gen.Elements(Enum.GetValues<TamperKind>())
        from i in Gen.Choose(1, n)
        from j in Gen.Choose(1, n).Where(j => j != i)
        from field in Gen.Elements(Fields)
        from value in Text
        select new Case([.. entries], new Tamper(kind, i, j, field, value));

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task Any_single_edit_deletion_swap_or_truncation_is_detected_by_verify()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var file = Path.Combine(db.Folder, "checkpoints.txt");
        var clock = new FakeClock(new DateTimeOffset(2025, 4, 1, 9, 0, 0, TimeSpan.FromHours(9)));
        // Generated cases run one after another on one database (a chain each); every eighth goes through the CLI.
        var cases = Cases.Sample(60, 40);
        var number = 0;
        // The tamperer has the schema owner's rights: the database's own refusal is gone, verify remains.
        await using (var owner = db.CreateContext()) await AuditKit.DropAppendOnlyGuardAsync(db, owner, Ct);
        foreach (var c in cases)
        {
            number++;
            await using var ctx = db.CreateContext();
            await ctx.AuditEntries.ExecuteDeleteAsync(Ct);
            File.Delete(file);
            var checkpoints = AuditKit.Checkpoints(db, clock, file);
            var trail = AuditKit.Trail(db, ctx, clock, checkpoints);
            foreach (var e in c.Entries)
            {
                clock.Advance(TimeSpan.FromMilliseconds(e.MillisecondsLater));
                await trail.AppendAsync(new AuditEvent(e.Action, "procedure", e.TargetId) { Detail = e.Detail, DepartmentId = e.HasDepartment ? Guid.NewGuid() : null }, Ct);
            }
            await checkpoints.WriteAsync(ctx, Ct);
            var read = await AuditCheckpoints.ReadAsync(file, Ct);
            var intact = await AuditVerifier.VerifyAsync(ctx, read, Ct);
            Assert.True(intact.Ok, $"case {number}: {intact.Message}");
            Assert.Equal(c.Entries.Count, intact.Count);

            var (bad, damage) = await ApplyAsync(ctx, c);
            ctx.ChangeTracker.Clear();
            var outcome = await AuditVerifier.VerifyAsync(ctx, read, Ct);
            Assert.False(outcome.Ok, $"case {number} ({c.Tamper}) went unnoticed");
            Assert.Equal((bad, damage), (outcome.BadSequence!.Value, outcome.Damage!.Value));

            if (number % 8 == 0)
            {
                var cli = await CliRunner.RunAsync(db, "audit", "verify", "--checkpoints", file);
                Assert.NotEqual(0, cli.ExitCode);
                Assert.Contains($"番号 {bad}", cli.Stderr);
                Assert.Contains(AuditVerifier.DamageName(damage), cli.Stderr);
            }
        }
    }

    /// <summary>Damages the chain as the case says; returns the first bad sequence number and the kind verify must report.</summary>
    private static async Task<(long, AuditDamage)> ApplyAsync(MadoguchiDbContext ctx, Case c)
    {
        var n = c.Entries.Count;
        var t = c.Tamper;
        var rows = ctx.AuditEntries.Where(x => x.Sequence == t.I);
        switch (t.Kind)
        {
            case TamperKind.Delete:
                await rows.ExecuteDeleteAsync(Ct);
                return t.I == n ? (n, AuditDamage.Truncated) : (t.I, AuditDamage.Missing);
            case TamperKind.Truncate:
                // The last n - i + 1 entries go, as a restore of an older copy would lose them.
                await ctx.AuditEntries.Where(x => x.Sequence >= t.I).ExecuteDeleteAsync(Ct);
                return (t.I, AuditDamage.Truncated);
            case TamperKind.Swap:
                await Renumber(ctx, t.I, -1);
                await Renumber(ctx, t.J, t.I);
                await Renumber(ctx, -1, t.J);
                return (Math.Min(t.I, t.J), AuditDamage.Reordered);
        }
        var entry = await ctx.AuditEntries.AsNoTracking().SingleAsync(x => x.Sequence == t.I, Ct);
        string Other(string? old) => t.Value != (old ?? "") ? t.Value : t.Value + "x";
        switch (t.Field)
        {
            case "Sequence":
                // Renumbered past the end: the chain now has a gap where it was.
                await Renumber(ctx, t.I, n + 1 + t.J);
                return (t.I, AuditDamage.Missing);
            case "At": await rows.ExecuteUpdateAsync(u => u.SetProperty(x => x.At, entry.At.AddMilliseconds(1 + t.J)), Ct); break;
            case "Actor": await rows.ExecuteUpdateAsync(u => u.SetProperty(x => x.Actor, Other(entry.Actor)), Ct); break;
            case "ActorName": await rows.ExecuteUpdateAsync(u => u.SetProperty(x => x.ActorName, Other(entry.ActorName)), Ct); break;
            case "Action": await rows.ExecuteUpdateAsync(u => u.SetProperty(x => x.Action, Other(entry.Action)[..Math.Min(64, Other(entry.Action).Length)]), Ct); break;
            case "TargetType": await rows.ExecuteUpdateAsync(u => u.SetProperty(x => x.TargetType, Other(entry.TargetType)[..Math.Min(64, Other(entry.TargetType).Length)]), Ct); break;
            case "TargetId": await rows.ExecuteUpdateAsync(u => u.SetProperty(x => x.TargetId, entry.TargetId is null ? "x" : (string?)null), Ct); break;
            case "DepartmentId": await rows.ExecuteUpdateAsync(u => u.SetProperty(x => x.DepartmentId, entry.DepartmentId is null ? Guid.NewGuid() : null), Ct); break;
            case "Detail": await rows.ExecuteUpdateAsync(u => u.SetProperty(x => x.Detail, Other(entry.Detail)), Ct); break;
            case "ClientAddress": await rows.ExecuteUpdateAsync(u => u.SetProperty(x => x.ClientAddress, entry.ClientAddress is null ? "203.0.113.9" : null), Ct); break;
            case "PreviousHash": await rows.ExecuteUpdateAsync(u => u.SetProperty(x => x.PreviousHash, Flip(entry.PreviousHash)), Ct); break;
            case "Hash": await rows.ExecuteUpdateAsync(u => u.SetProperty(x => x.Hash, Flip(entry.Hash)), Ct); break;
        }
        return (t.I, AuditDamage.Edited);
    }

    private static string Flip(string hex) => (hex[0] == '0' ? "1" : "0") + hex[1..];

    private static Task<int> Renumber(MadoguchiDbContext ctx, long from, long to)
        => ctx.Database.ExecuteSqlRawAsync("UPDATE \"AuditEntries\" SET \"Sequence\" = {0} WHERE \"Sequence\" = {1}", [to, from], Ct);

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task The_database_itself_refuses_to_change_delete_or_empty_the_entries()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var clock = new FakeClock(new DateTimeOffset(2025, 4, 1, 0, 0, 0, TimeSpan.Zero));
        await using (var ctx = db.CreateContext())
        {
            var trail = AuditKit.Trail(db, ctx, clock, AuditKit.Checkpoints(db, clock));
            for (var i = 0; i < 3; i++) await trail.AppendAsync(new AuditEvent(AuditActions.InventoryEdited, "procedure", $"p{i}") { Detail = "台帳を編集" }, Ct);
        }

        await using (var ctx = db.CreateContext())
        {
            // Whatever sends the statement (a bug, an injected query, a hand edit with the app's account).
            var edit = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() =>
                ctx.AuditEntries.Where(e => e.Sequence == 2).ExecuteUpdateAsync(u => u.SetProperty(e => e.Detail, "消された操作"), Ct));
            Assert.Contains("append-only", edit.Message, StringComparison.Ordinal);
            var delete = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => ctx.AuditEntries.Where(e => e.Sequence == 3).ExecuteDeleteAsync(Ct));
            Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
            if (db.IsPostgres)
            {
                await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => ctx.Database.ExecuteSqlRawAsync("TRUNCATE \"AuditEntries\"", Ct));
            }
            // Appending goes on as before.
            await AuditKit.Trail(db, ctx, clock, AuditKit.Checkpoints(db, clock)).AppendAsync(new AuditEvent(AuditActions.InventoryEdited, "procedure", "p3"), Ct);
        }

        await using (var check = db.CreateContext())
        {
            var entries = await check.AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync(Ct);
            Assert.Equal([1L, 2L, 3L, 4L], entries.Select(e => e.Sequence));
            Assert.Equal("台帳を編集", entries[1].Detail);
            Assert.True((await AuditVerifier.VerifyAsync(check, [], Ct)).Ok);
        }
    }

    [Fact]
    public async Task An_intact_chain_verifies_through_the_cli_with_a_one_line_summary_and_a_rebuilt_chain_fails_its_checkpoint()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var clock = new FakeClock(new DateTimeOffset(2025, 4, 1, 0, 0, 0, TimeSpan.Zero));
        await using (var ctx = db.CreateContext())
        {
            var trail = AuditKit.Trail(db, ctx, clock, AuditKit.Checkpoints(db, clock));
            for (var i = 0; i < 3; i++) await trail.AppendAsync(new AuditEvent(AuditActions.InventoryEdited, "procedure", $"p{i}"), Ct);
        }
        var checkpoint = await CliRunner.RunAsync(db, "audit", "checkpoint");
        Assert.Equal(0, checkpoint.ExitCode);
        var ok = await CliRunner.RunAsync(db, "audit", "verify");
        Assert.Equal(0, ok.ExitCode);
        Assert.Single(ok.Stdout.Trim().Split('\n'));
        Assert.StartsWith("OK: 監査ログ 3 件", ok.Stdout);

        // Someone with the database rewrites entry 2 and recomputes every hash after it: the chain
        // is self-consistent again, but no longer matches the checkpoint kept outside the database.
        await using (var ctx = db.CreateContext())
        {
            await AuditKit.DropAppendOnlyGuardAsync(db, ctx, Ct);
            var all = await ctx.AuditEntries.OrderBy(e => e.Sequence).ToListAsync(Ct);
            all[1].Detail = "消された操作";
            var previous = AuditEntry.Genesis;
            foreach (var e in all)
            {
                e.PreviousHash = previous;
                e.Hash = e.ComputeHash();
                previous = e.Hash;
            }
            await ctx.SaveChangesAsync(Ct);
        }
        var bad = await CliRunner.RunAsync(db, "audit", "verify");
        Assert.Equal(4, bad.ExitCode);
        Assert.Contains("番号 3", bad.Stderr);
        Assert.Contains("edited", bad.Stderr);
    }
}
