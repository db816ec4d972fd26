using System.Text;
using System.Text.Json.Nodes;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// What a submission brings to its case besides its own columns: the channel (online, or counter and
/// mail when staff key a paper application), who keyed it, and the text the ledger searches. Not stored on the submission.
/// </summary>
/// <remarks>
/// <see cref="ReceivedOn"/> is the date of receipt staff give for a paper application received earlier
/// (郵送: the postmark or arrival date); the case counts from it, while the submission keeps the time it was keyed.
/// </remarks>
public sealed record CaseStart(CaseChannel Channel = CaseChannel.Online, string? KeyedById = null, string KeyedByName = "", string SearchText = "", DateOnly? ReceivedOn = null);

/// <summary>
/// Makes the cases of submissions in the submission writer's transaction: a submission is never
/// stored without its case, so the ledger holds every application (no re-keying, no sync job).
/// </summary>
public sealed class CaseIntake(MadoguchiDbContext model, BusinessCalendarCache calendars)
{
    // Any fixed 64-bit key, the same on every instance.
    private const long SequenceLockKey = 0x4D61646F_43617365;
    private readonly PreparedInsert<Case> _cases = new(model);
    private readonly PreparedInsert<CaseEvent> _events = new(model);

    /// <summary>
    /// What storing a submission and making its case needs to know of its form, read in the storing
    /// transaction: whether the version it was checked against is still current, whether staff stopped
    /// new applications, and the procedure's 標準処理期間 and webhook endpoints.
    /// </summary>
    public sealed record FormFacts(int? CurrentVersion, bool Stopped, Guid ProcedureId, int? StandardProcessingDays, bool Hooked);

    // Compiled once per model (PerModel: the backfill of `db migrate` and a restore run on a context of their
    // own): the writer asks this of every batch, and a LINQ query's translation lookup costs more than the read.
    private sealed class Queries
    {
        public readonly Func<MadoguchiDbContext, Guid, CancellationToken, Task<FormFacts?>> FactsOf = EF.CompileAsyncQuery(
            (MadoguchiDbContext db, Guid formId, CancellationToken ct) =>
                (from f in db.Forms
                 join p in db.Procedures on f.ProcedureId equals p.Id
                 where f.Id == formId
                 select new FormFacts(f.CurrentVersion, f.UnpublishedAt != null, p.Id, p.StandardProcessingDays,
                     db.WebhookEndpoints.Any(e => e.Active && e.ProcedureId == p.Id)))
                .FirstOrDefault());

        public readonly Func<MadoguchiDbContext, CancellationToken, Task<long?>> LastSequence = EF.CompileAsyncQuery(
            (MadoguchiDbContext db, CancellationToken ct) => db.Cases.Max(c => (long?)c.Sequence));
    }

    /// <summary>The facts of each form, one read per form (a batch of residents' submissions is nearly always one form).</summary>
    public static async Task<Dictionary<Guid, FormFacts>> FactsAsync(MadoguchiDbContext db, IEnumerable<Guid> formIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var facts = new Dictionary<Guid, FormFacts>();
        foreach (var id in formIds)
        {
            if (facts.ContainsKey(id)) continue;
            facts[id] = await PerModel<Queries>.Of(db).FactsOf(db, id, ct) ?? throw new InvalidOperationException($"form {id} of a submission does not exist");
        }
        return facts;
    }

    /// <param name="outbox">Where <c>case.created</c> webhooks go, in the same transaction; null for cases that are not news (the backfill).</param>
    public async Task InsertAsync(MadoguchiDbContext db, IReadOnlyList<Submission> submissions, Webhooks.WebhookOutbox? outbox, CancellationToken ct)
        => await InsertAsync(db, submissions, await FactsAsync(db, submissions.Select(s => s.FormId), ct), outbox, ct);

    /// <param name="forms">The facts of the submissions' forms, read in this transaction (<see cref="FactsAsync"/>).</param>
    public async Task InsertAsync(MadoguchiDbContext db, IReadOnlyList<Submission> submissions, IReadOnlyDictionary<Guid, FormFacts> forms,
        Webhooks.WebhookOutbox? outbox, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(forms);
        if (submissions.Count == 0) return;
        // From memory, not a query per batch: the writer is the one serial stage every submission passes.
        var calendar = await calendars.GetAsync(db, ct);
        if (!db.Database.IsSqlite())
        {
            // Held to commit: writers on other instances number after this batch is visible, so the
            // sequence is the commit order (SQLite's BEGIN IMMEDIATE already serialises writers).
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock({0})", [SequenceLockKey], ct);
        }
        var next = (await PerModel<Queries>.Of(db).LastSequence(db, ct) ?? 0) + 1;
        var cases = new List<Case>(submissions.Count);
        var events = new List<CaseEvent>(submissions.Count);
        foreach (var s in submissions)
        {
            var p = forms[s.FormId];
            var start = s.Case;
            var (receivedAt, receivedOn) = Received(s.SubmittedAt, start.ReceivedOn);
            cases.Add(new Case
            {
                Id = s.Id,
                Sequence = next++,
                ProcedureId = p.ProcedureId,
                FormId = s.FormId,
                ReceiptNumber = s.ReceiptNumber,
                Channel = start.Channel,
                Status = CaseWorkflow.Received,
                ReceivedAt = receivedAt,
                ReceivedOn = receivedOn,
                DueOn = CaseClock.DueOn(calendar, receivedOn, p.StandardProcessingDays),
                SearchText = start.SearchText,
                UpdatedAt = s.SubmittedAt,
            });
            events.Add(new CaseEvent
            {
                CaseId = s.Id,
                At = s.SubmittedAt,
                Kind = CaseEventKinds.Created,
                ActorId = start.KeyedById,
                ActorName = start.KeyedById is null ? "申請者" : start.KeyedByName,
                ToStatus = CaseWorkflow.Received,
                Text = start.KeyedById is null ? "" : $"{CaseChannels.Label(start.Channel)}の申請を職員が入力（受付日 {receivedOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}）",
                Public = true,
            });
        }
        await _cases.InsertAsync(db, cases, ct);
        await _events.InsertAsync(db, events, ct);
        if (outbox is not null) await AnnounceAsync(db, outbox, forms, cases, ct);
    }

    /// <summary>
    /// The audit entries of the keyed (paper) applications among <paramref name="submissions"/>, appended in
    /// the caller's transaction: keying sets a 受付日 that may lie in the past, which moves due dates and
    /// fiscal-year counts, so who keyed what, by which channel and for which day is on the trail with the case.
    /// </summary>
    public static async Task AuditKeyedAsync(Audit.AuditTrail audit, MadoguchiDbContext db, IReadOnlyList<Submission> submissions, IReadOnlyDictionary<Guid, FormFacts> forms, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(forms);
        var keyed = submissions.Where(s => s.Case.KeyedById is not null).ToList();
        if (keyed.Count == 0) return;
        var procedureIds = keyed.Select(s => forms[s.FormId].ProcedureId).Distinct().ToList();
        var departments = await db.Procedures.AsNoTracking().Where(p => procedureIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.DepartmentId, ct);
        foreach (var s in keyed)
        {
            var start = s.Case;
            var receivedOn = Received(s.SubmittedAt, start.ReceivedOn).On;
            await audit.AppendAsync(new Audit.AuditEvent(Audit.AuditActions.CaseKeyed, "case", s.Id.ToString())
            {
                DepartmentId = departments.GetValueOrDefault(forms[s.FormId].ProcedureId),
                Detail = $"職員入力 経路 {CaseChannels.Code(start.Channel)} 受付日 {receivedOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)} 受付番号 {s.ReceiptNumber}",
                // The writer runs off the request: the member of staff who keyed it is named here.
                Actor = new Audit.AuditActor(start.KeyedById!, start.KeyedByName),
            }, ct);
        }
    }

    /// <summary>Queues case.created for procedures with a webhook endpoint; the forms' facts already say which have one.</summary>
    private static async Task AnnounceAsync(MadoguchiDbContext db, Webhooks.WebhookOutbox outbox, IReadOnlyDictionary<Guid, FormFacts> forms, List<Case> cases, CancellationToken ct)
    {
        var hooked = cases.Where(c => forms[c.FormId].Hooked).ToList();
        if (hooked.Count == 0) return;
        foreach (var c in hooked)
        {
            await outbox.AddAsync(db, c.ProcedureId, Webhooks.WebhookEvents.CaseCreated, CaseWebhooks.Data(c, c.Status), ct);
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// When a case was received: the submission's time, or for a paper application received on an
    /// earlier day the start of that Japan day (the hour is unknown; ReceivedOn stays the Japan date of ReceivedAt).
    /// </summary>
    public static (DateTimeOffset At, DateOnly On) Received(DateTimeOffset submittedAt, DateOnly? receivedOn)
    {
        var keyedOn = JapanTime.DateOf(submittedAt);
        if (receivedOn is not { } day || day >= keyedOn) return (submittedAt, keyedOn);
        return (StartOfDay(day), day);
    }

    /// <summary>00:00 Japan time of a date (Japan has no daylight saving time).</summary>
    public static DateTimeOffset StartOfDay(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(9));

    /// <summary>
    /// The non-sensitive answers as one text for the ledger's text filter: every answer of a field
    /// that is not sensitive (sensitive ones are sealed elsewhere), NFKC-normalised so that full-width
    /// and half-width forms match, file ids left out.
    /// </summary>
    public static string SearchText(FormDefinition definition, JsonObject plain)
    {
        var sb = new StringBuilder();
        void Add(FormField f, JsonNode? node)
        {
            if (node is null || SensitiveAnswers.IsSensitive(f) || f.Type is FieldType.File or FieldType.Consent) return;
            // Choices are searched by the words staff see, not by their stored codes.
            var options = f.Settings.Options ?? [];
            foreach (var v in Leaves(node))
            {
                var text = options.FirstOrDefault(o => o.Value == v)?.Label.Ja ?? v;
                // Lower case: the ledger's text filter lowers the term too (LIKE is case-sensitive on PostgreSQL).
                sb.Append(text.Normalize(NormalizationForm.FormKC).ToLowerInvariant()).Append('\n');
            }
        }
        foreach (var item in definition.Pages.SelectMany(p => p.Items))
        {
            if (item is FormField f) Add(f, plain[f.Key]);
            else if (item is FormGroup g && plain[g.Key] is JsonArray rows)
            {
                foreach (var row in rows.OfType<JsonObject>())
                {
                    foreach (var gf in g.Fields) Add(gf, row[gf.Key]);
                }
            }
        }
        return sb.ToString();
    }

    private static IEnumerable<string> Leaves(JsonNode node) => node switch
    {
        JsonObject o => o.SelectMany(kv => kv.Value is null ? [] : Leaves(kv.Value)),
        JsonArray a => a.SelectMany(v => v is null ? [] : Leaves(v)),
        _ => [node.ToString()],
    };
}

/// <summary>What case webhooks carry: ids, codes and dates — no answers (receivers read those through the API).</summary>
public static class CaseWebhooks
{
    public static object Data(Case c, string previousStatus) => new
    {
        caseId = c.Id,
        receiptNumber = c.ReceiptNumber,
        procedureId = c.ProcedureId,
        channel = CaseChannels.Code(c.Channel),
        status = c.Status,
        previousStatus = previousStatus == c.Status ? null : previousStatus,
        receivedAt = c.ReceivedAt,
        url = $"/api/v1/cases/{c.Id}",
    };
}
