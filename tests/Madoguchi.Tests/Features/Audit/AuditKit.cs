using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Shared.Mail;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Madoguchi.Tests.Features.Audit;

/// <summary>An <see cref="AuditTrail"/> on a context of the test's own, outside any web host.</summary>
internal static class AuditKit
{
    public static AuditCheckpoints Checkpoints(TestDatabase db, TimeProvider clock, string? file = null, AuditOptions? options = null)
    {
        options ??= new AuditOptions();
        options.CheckpointFile = file ?? options.CheckpointFile;
        return new AuditCheckpoints(Options.Create(options), db.Storage, clock, new MailSender(Options.Create(new SmtpOptions())), NullLogger<AuditCheckpoints>.Instance);
    }

    public static AuditTrail Trail(TestDatabase db, MadoguchiDbContext ctx, TimeProvider clock, AuditCheckpoints checkpoints)
        => new(ctx, new Contexts(db), clock, new HttpContextAccessor(), new ConfigurationBuilder().Build(), checkpoints);

    /// <summary>
    /// Drops the database's append-only guard on the entries, as someone with the schema owner's rights
    /// could: what <c>audit verify</c> must still catch.
    /// </summary>
    public static async Task DropAppendOnlyGuardAsync(TestDatabase db, MadoguchiDbContext ctx, CancellationToken ct)
    {
        string[] statements = db.IsPostgres
            ? ["DROP TRIGGER \"AuditEntries_no_change\" ON \"AuditEntries\"", "DROP TRIGGER \"AuditEntries_no_truncate\" ON \"AuditEntries\""]
            : ["DROP TRIGGER \"AuditEntries_no_update\"", "DROP TRIGGER \"AuditEntries_no_delete\""];
        foreach (var sql in statements) await ctx.Database.ExecuteSqlRawAsync(sql, ct);
    }

    /// <summary>New contexts on the test's database, for appends made on a connection of their own.</summary>
    private sealed class Contexts(TestDatabase db) : Microsoft.EntityFrameworkCore.IDbContextFactory<MadoguchiDbContext>
    {
        public MadoguchiDbContext CreateDbContext() => db.CreateContext();
    }
}
