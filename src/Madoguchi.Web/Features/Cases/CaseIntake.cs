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

    /// <param name="outbox">Where <c>case.created</c> webhooks go, in the same transaction; null for cases that are not news (the backfill).</param>
    public async Task InsertAsync(MadoguchiDbContext db, IReadOnlyList<Submission> submissions, Webhooks.WebhookOutbox? outbox, CancellationToken ct)
    {
        if (submissions.Count == 0) return;
        var formIds = submissions.Select(s => s.FormId).Distinct().ToList();
        // One query per batch: the procedure of each form and its 標準処理期間.
        var procedures = await (from f in db.Forms.AsNoTracking()
                                join p in db.Procedures.AsNoTracking() on f.ProcedureId equals p.Id
                                where formIds.Contains(f.Id)
                                select new { FormId = f.Id, ProcedureId = p.Id, p.StandardProcessingDays })
            .ToDictionaryAsync(x => x.FormId, ct);
        // From memory, not a query per batch: the writer is the one serial stage every submission passes.
        var calendar = await calendars.GetAsync(db, ct);
        if (!db.Database.IsSqlite())
        {
            // Held to commit: writers on other instances number after this batch is visible, so the
            // sequence is the commit order (SQLite's BEGIN IMMEDIATE already serialises writers).
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock({0})", [SequenceLockKey], ct);
        }
        var next = (await db.Cases.MaxAsync(c => (long?)c.Sequence, ct) ?? 0) + 1;
        var cases = new List<Case>(submissions.Count);
        var events = new List<CaseEvent>(submissions.Count);
        foreach (var s in submissions)
        {
            var p = procedures[s.FormId];
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
        if (outbox is not null) await AnnounceAsync(db, outbox, cases, ct);
    }

    /// <summary>Queues case.created for procedures with a webhook endpoint: one query for the batch, nothing more for the rest.</summary>
    private static async Task AnnounceAsync(MadoguchiDbContext db, Webhooks.WebhookOutbox outbox, List<Case> cases, CancellationToken ct)
    {
        var procedureIds = cases.Select(c => c.ProcedureId).Distinct().ToList();
        var hooked = await db.WebhookEndpoints.AsNoTracking().Where(e => e.Active && procedureIds.Contains(e.ProcedureId)).Select(e => e.ProcedureId).Distinct().ToListAsync(ct);
        if (hooked.Count == 0) return;
        foreach (var c in cases.Where(c => hooked.Contains(c.ProcedureId)))
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
