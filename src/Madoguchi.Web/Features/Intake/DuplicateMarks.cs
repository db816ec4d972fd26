using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Intake;

/// <summary>Marks for staff: submissions of a form that share a person key with others (any channel).</summary>
public static class DuplicateMarks
{
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ForAsync(MadoguchiDbContext db, Guid formId, IReadOnlyList<Submission> shown, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(shown);
        var keys = shown.Where(s => s.PersonKey is not null).Select(s => s.PersonKey!).Distinct().ToList();
        if (keys.Count == 0) return new Dictionary<string, IReadOnlyList<string>>();
        // Over all the form's submissions, not only those shown: the earlier one may be on no page.
        var sharing = await db.Submissions.AsNoTracking()
            .Where(s => s.FormId == formId && s.PersonKey != null && keys.Contains(s.PersonKey))
            .Select(s => new { s.PersonKey, s.ReceiptNumber }).ToListAsync(ct);
        var byKey = sharing.GroupBy(s => s.PersonKey!).Where(g => g.Count() > 1)
            .ToDictionary(g => g.Key, g => g.Select(s => s.ReceiptNumber).Order(StringComparer.Ordinal).ToList());
        var marks = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var s in shown)
        {
            if (s.PersonKey is not null && byKey.TryGetValue(s.PersonKey, out var all)) marks[s.ReceiptNumber] = [.. all.Where(r => r != s.ReceiptNumber)];
        }
        return marks;
    }
}
