using System.Text.Json.Nodes;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// Gives submissions stored before the ledger existed their cases, once, when the database is
/// migrated: the ledger then holds every application, old ones included. New submissions get theirs
/// from the writer, in their own transaction, so this finds nothing on a current database.
/// </summary>
public static class CaseBackfill
{
    private const int Batch = 500;

    /// <returns>How many cases were made.</returns>
    public static async Task<int> RunAsync(MadoguchiDbContext db, CancellationToken ct)
    {
        // A cache of its own: the closures are read once for the whole backfill.
        var intake = new CaseIntake(db, new BusinessCalendarCache(TimeProvider.System));
        var made = 0;
        while (true)
        {
            var missing = await db.Submissions.AsNoTracking()
                .Where(s => !db.Cases.Any(c => c.Id == s.Id))
                .OrderBy(s => s.SubmittedAt).ThenBy(s => s.Id).Take(Batch).ToListAsync(ct);
            if (missing.Count == 0) return made;
            foreach (var s in missing)
            {
                var definition = await PublishedDefinitions.GetAsync(db, s.FormVersionId, ct);
                var answers = JsonNode.Parse(s.AnswersJson) as JsonObject ?? [];
                s.Case = new CaseStart(SearchText: CaseIntake.SearchText(definition, answers));
            }
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await intake.InsertAsync(db, missing, null, ct);
            await transaction.CommitAsync(ct);
            made += missing.Count;
        }
    }
}
