using System.Security.Claims;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Madoguchi.Web.Features.Audit;

/// <summary>Who did it: a staff user (id and a snapshot of the name), the CLI's OS user, or the system.</summary>
public sealed record AuditActor(string Id, string Name)
{
    public static readonly AuditActor System = new("system", "");
    public static readonly AuditActor Anonymous = new("anonymous", "");
    public static AuditActor Staff(StaffUser user) => new(user.Id, user.DisplayName);
}

/// <summary>What modules hand to <see cref="AuditTrail.AppendAsync"/>. Never put personal data values in <see cref="Detail"/>.</summary>
public sealed record AuditEvent(string Action, string TargetType, string? TargetId)
{
    public string Detail { get; init; } = "";
    public Guid? DepartmentId { get; init; }
    /// <summary>Who acted, when it is not the signed-in user of the request (e.g. during sign-in).</summary>
    public AuditActor? Actor { get; init; }
}

/// <summary>
/// Appends entries to the hash chain. An append joins the context's open transaction, so the entry
/// and the change it records commit or fail together; without one it opens its own. Appends are
/// serialised: PostgreSQL takes a transaction-scoped advisory lock (one chain across app instances);
/// SQLite transactions begin IMMEDIATE (Microsoft.Data.Sqlite's default), which holds the write lock.
/// </summary>
public sealed class AuditTrail(MadoguchiDbContext db, IDbContextFactory<MadoguchiDbContext> contexts, TimeProvider clock, IHttpContextAccessor http,
    IConfiguration configuration, AuditCheckpoints checkpoints)
{
    public const string ActorSetting = "Madoguchi:Audit:Actor";
    // Any fixed 64-bit key; every Madoguchi instance on the database takes the same one.
    private const long ChainLockKey = 0x4D61646F_41756474;

    // Every append reads the chain's end and most read the actor's name: compiled once, they skip EF's
    // per-call expression work, which cost more than the reads themselves on a ledger view (bench/ledger).
    private sealed class Queries
    {
        public readonly Func<MadoguchiDbContext, CancellationToken, Task<ChainEnd?>> LastOf = EF.CompileAsyncQuery(
            (MadoguchiDbContext db, CancellationToken _) => db.AuditEntries.AsNoTracking().OrderByDescending(x => x.Sequence)
                .Select(x => new ChainEnd(x.Sequence, x.Hash)).FirstOrDefault());

        public readonly Func<MadoguchiDbContext, string, CancellationToken, Task<string?>> NameOf = EF.CompileAsyncQuery(
            (MadoguchiDbContext db, string id, CancellationToken _) => db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => u.DisplayName).FirstOrDefault());

        // A view's entry is the only row its transaction writes: a plain insert spares the change tracker.
        // Made from the first context of the model (it reads the model's column mappings).
        public PreparedInsert<AuditEntry>? Insert;
    }

    private sealed record ChainEnd(long Sequence, string Hash);

    /// <summary>
    /// Appends the entry and saves the context's pending changes with it (call it instead of
    /// SaveChangesAsync). Inside the caller's transaction nothing is committed until the caller commits.
    /// </summary>
    public async Task<AuditEntry> AppendAsync(AuditEvent e, CancellationToken ct = default)
    {
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            var entry = await AppendInTransactionAsync(db, e, e.Actor ?? await CurrentActorAsync(ct), ClientAddress(), ct);
            if (own is not null) await own.CommitAsync(ct);
            checkpoints.Appended();
            return entry;
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
    }

    /// <summary>
    /// For personal data: opens a transaction, appends the "viewed" entry, reads, commits. If the entry
    /// cannot be written the read never runs, so the data is not shown.
    /// </summary>
    public async Task<T> ViewAsync<T>(AuditEvent e, Func<CancellationToken, Task<T>> read, CancellationToken ct = default)
    {
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            await AppendInTransactionAsync(db, e, e.Actor ?? await CurrentActorAsync(ct), ClientAddress(), ct, alone: !db.ChangeTracker.HasChanges());
            var result = await read(ct);
            if (own is not null) await own.CommitAsync(ct);
            checkpoints.Appended();
            return result;
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
    }

    /// <summary>
    /// For a read of personal data that writes nothing: the "viewed" entry is appended and committed on
    /// a context (connection) of its own while <paramref name="read"/> runs on the request's, and the
    /// rows are handed back only once the entry is committed. If the entry cannot be written the rows
    /// are dropped and the error propagates, so nothing unaudited is shown, as with
    /// <see cref="ViewAsync"/>; the caller waits for the longer of the two instead of their sum
    /// (the entry's durable commit is about as long as a ledger page's read, bench/ledger).
    /// Inside a caller's transaction the entry must join it: then this is <see cref="ViewAsync"/>.
    /// </summary>
    public async Task<T> ViewAlongsideAsync<T>(AuditEvent e, Func<CancellationToken, Task<T>> read, CancellationToken ct = default)
    {
        if (db.Database.CurrentTransaction is not null) return await ViewAsync(e, read, ct);
        var actor = e.Actor ?? await CurrentActorAsync(ct);
        var client = ClientAddress();
        // On the thread pool: SQLite's async calls complete synchronously, so awaiting the append here
        // would run it to its commit before the read began.
        var entry = Task.Run(async () =>
        {
            await using var own = await contexts.CreateDbContextAsync(ct);
            await using var transaction = await own.Database.BeginTransactionAsync(ct);
            await AppendInTransactionAsync(own, e, actor, client, ct, alone: true);
            await transaction.CommitAsync(ct);
            checkpoints.Appended();
        }, ct);
        T result;
        try
        {
            result = await read(ct);
        }
        catch
        {
            // The attempt is recorded all the same; its own failure must not hide the read's.
            await entry.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
        await entry;
        return result;
    }

    /// <param name="on">The context whose transaction the entry joins.</param>
    /// <param name="alone">
    /// Nothing else is pending in the context: the entry goes in by a plain insert, not SaveChanges
    /// (which would also have saved whatever the caller changed).
    /// </param>
    private async Task<AuditEntry> AppendInTransactionAsync(MadoguchiDbContext on, AuditEvent e, AuditActor actor, string? client, CancellationToken ct, bool alone = false)
    {
        if (!on.Database.IsSqlite())
        {
            // Released at commit or rollback; waits while another instance appends.
            await on.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock({0})", [ChainLockKey], ct);
        }
        var last = await PerModel<Queries>.Of(on).LastOf(on, ct);
        var entry = new AuditEntry
        {
            Sequence = (last?.Sequence ?? 0) + 1,
            At = AuditEntry.Normalize(clock.GetUtcNow()),
            Actor = Clip(actor.Id, 200),
            ActorName = Clip(actor.Name, 200),
            Action = Clip(e.Action, 64),
            TargetType = Clip(e.TargetType, 64),
            TargetId = e.TargetId is null ? null : Clip(e.TargetId, 200),
            DepartmentId = e.DepartmentId,
            Detail = Clip(e.Detail, 1000),
            ClientAddress = client,
            PreviousHash = last?.Hash ?? AuditEntry.Genesis,
        };
        entry.Hash = entry.ComputeHash();
        if (alone)
        {
            var queries = PerModel<Queries>.Of(on);
            await (queries.Insert ??= new PreparedInsert<AuditEntry>(on)).InsertAsync(on, [entry], ct);
            return entry;
        }
        on.AuditEntries.Add(entry);
        await on.SaveChangesAsync(ct);
        return entry;
    }

    private string? ClientAddress() => http.HttpContext?.Connection.RemoteIpAddress?.ToString();

    private async Task<AuditActor> CurrentActorAsync(CancellationToken ct)
    {
        var user = http.HttpContext?.User;
        if (user?.FindFirstValue(ClaimTypes.NameIdentifier) is { } id)
        {
            var name = await PerModel<Queries>.Of(db).NameOf(db, id, ct);
            return new AuditActor(id, name ?? "");
        }
        if (http.HttpContext is not null) return AuditActor.Anonymous;
        // The CLI says who runs it ("cli:<os user>"); the web app's own jobs are "system".
        return configuration[ActorSetting] is { Length: > 0 } configured ? new AuditActor(configured, "") : AuditActor.System;
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max];
}
