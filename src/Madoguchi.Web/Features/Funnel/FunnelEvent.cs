using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Funnel;

public enum FunnelEventKind
{
    /// <summary>A draft was started (the start page's button).</summary>
    Started = 1,
    /// <summary>A page was sent with "next": checked, and either moved on or shown again with errors.</summary>
    PageSubmitted = 2,
    /// <summary>One field in error in a page submission (at most one row per field and submission).</summary>
    FieldError = 3,
    /// <summary>A save without moving on: "continue later", adding or removing a group item, a file.</summary>
    Saved = 4,
    /// <summary>The draft became a submission (same transaction as the submission).</summary>
    Submitted = 5,
}

/// <summary>
/// One step of a resident's way through a form, appended in the same SaveChanges as the draft change
/// it describes. No personal data: the form, its version, page and field keys, an error code, a
/// random id per draft (<see cref="Draft.FunnelId"/>, not the draft's id, so events cannot be joined
/// to a draft's or a submission's answers) and the time. Kept after the draft is purged or submitted,
/// so abandonment and completion can be counted from these rows alone.
/// </summary>
public sealed class FunnelEvent
{
    public long Id { get; set; }
    public Guid FormId { get; set; }
    public int FormVersionNumber { get; set; }
    public Guid JourneyId { get; set; }
    public FunnelEventKind Kind { get; set; }
    /// <summary>The page sent or saved (PageSubmitted, FieldError, Saved).</summary>
    public string? PageKey { get; set; }
    /// <summary>Where the resident is after this event: a page key, or <see cref="FunnelService.CheckPage"/>.</summary>
    public string? ToPage { get; set; }
    /// <summary>The field in error, with group items folded (<c>children.childName</c>).</summary>
    public string? FieldKey { get; set; }
    public string? ErrorCode { get; set; }
    /// <summary>Submitted only: whole seconds from the draft's start to the submission.</summary>
    public long? Seconds { get; set; }
    public DateTimeOffset At { get; set; }

    internal static void Configure(EntityTypeBuilder<FunnelEvent> e)
    {
        e.Property(x => x.PageKey).HasMaxLength(64);
        e.Property(x => x.ToPage).HasMaxLength(64);
        e.Property(x => x.FieldKey).HasMaxLength(200);
        e.Property(x => x.ErrorCode).HasMaxLength(64);
        e.HasIndex(x => new { x.FormId, x.At });
        // No foreign key to the draft (it goes); the form stays, as submissions keep it too.
        e.HasOne<Form>().WithMany().HasForeignKey(x => x.FormId).OnDelete(Microsoft.EntityFrameworkCore.DeleteBehavior.Restrict);
    }
}

/// <summary>What the resident did on a page, as the form page hands it to <see cref="DraftService.SaveAsync"/>.</summary>
/// <param name="Submitted">True for "next" (a page submission); false for any other save.</param>
/// <param name="Errors">The errors shown for this page submission (answer paths and codes).</param>
/// <param name="ToPage">The page the resident goes to: the next page, <see cref="FunnelService.CheckPage"/>, or this page again.</param>
public sealed record FunnelStep(bool Submitted, IReadOnlyList<AnswerError> Errors, string ToPage);

/// <summary>The hooks the draft and submission code call: each only adds rows to the unit of work at hand.</summary>
public static class FunnelRecorder
{
    public static void Started(MadoguchiDbContext db, Draft draft, FormDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(draft);
        var first = FormFilling.VisiblePages(definition, []).FirstOrDefault()?.Key ?? FunnelService.CheckPage;
        db.FunnelEvents.Add(New(draft, FunnelEventKind.Started, draft.CreatedAt, toPage: first));
    }

    /// <summary>A save of a page; <paramref name="step"/> null is a plain save that stays on the page.</summary>
    public static void Saved(MadoguchiDbContext db, Draft draft, FormDefinition definition, string? page, FunnelStep? step, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(draft);
        // Drafts begun before the funnel existed have no start row: they stay out of it altogether.
        if (draft.FunnelId == Guid.Empty) return;
        if (step is not { Submitted: true })
        {
            db.FunnelEvents.Add(New(draft, FunnelEventKind.Saved, at, page, step?.ToPage ?? page));
            return;
        }
        db.FunnelEvents.Add(New(draft, FunnelEventKind.PageSubmitted, at, page, step.ToPage));
        // One row per field, whatever the number of its parts or group items in error: the rate is
        // "page submissions with this field in error", so a field counts once per submission.
        foreach (var error in step.Errors.DistinctBy(e => FieldKeyOf(definition, e.Field)))
        {
            var row = New(draft, FunnelEventKind.FieldError, at, page, null);
            row.FieldKey = Trim(FieldKeyOf(definition, error.Field), 200);
            row.ErrorCode = Trim(error.Code, 64);
            db.FunnelEvents.Add(row);
        }
    }

    /// <summary>Drafts leaving as submissions, in the submission writer's transaction (no extra query).</summary>
    public static void Submitted(MadoguchiDbContext db, IEnumerable<Draft> drafts, IReadOnlyDictionary<Guid, Submission> byDraft)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(drafts);
        ArgumentNullException.ThrowIfNull(byDraft);
        foreach (var d in drafts)
        {
            if (d.FunnelId == Guid.Empty || !byDraft.TryGetValue(d.Id, out var s)) continue;
            var row = New(d, FunnelEventKind.Submitted, s.SubmittedAt, null, null);
            row.Seconds = (long)Math.Floor((s.SubmittedAt - d.CreatedAt).TotalSeconds);
            db.FunnelEvents.Add(row);
        }
    }

    /// <summary>
    /// The field an answer path belongs to: <c>applicantName.family</c> → <c>applicantName</c>,
    /// <c>children[2].childName</c> → <c>children.childName</c>; an upload's path the same way.
    /// </summary>
    public static string FieldKeyOf(FormDefinition definition, string path)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(path);
        var top = path.Split('[', '.')[0];
        var group = definition.Pages.SelectMany(p => p.Items).OfType<FormGroup>().FirstOrDefault(g => g.Key == top);
        if (group is null) return top;
        var rest = path[top.Length..];
        var close = rest.IndexOf("].", StringComparison.Ordinal);
        if (close < 0) return top;
        var inner = rest[(close + 2)..].Split('[', '.')[0];
        return group.Fields.Any(f => f.Key == inner) ? $"{top}.{inner}" : top;
    }

    private static FunnelEvent New(Draft d, FunnelEventKind kind, DateTimeOffset at, string? page = null, string? toPage = null) => new()
    {
        FormId = d.FormId,
        FormVersionNumber = d.FormVersionNumber,
        JourneyId = d.FunnelId,
        Kind = kind,
        PageKey = page is null ? null : Trim(page, 64),
        ToPage = toPage is null ? null : Trim(toPage, 64),
        At = at,
    };

    private static string Trim(string s, int max) => s.Length <= max ? s : s[..max];
}
