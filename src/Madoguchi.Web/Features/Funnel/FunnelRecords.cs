namespace Madoguchi.Web.Features.Funnel;

// The JSON bodies of GET /api/v1/kpi/forms and `./madoguchi kpi forms` (camelCase through KpiJson),
// and what the staff funnel page shows. Percentages: one decimal from integer counts, null when the
// denominator is 0. Times to complete are seconds (a median of an even count may end in .5).

/// <summary>
/// The figures of a form, or of one of its versions.
/// started: drafts started; submittedWeb: of those, submitted; submittedApi: submissions through the API
/// (they have no draft); abandoned: not submitted and untouched for staleDays (or expired);
/// inProgress: the rest. completionRatePercent = submittedWeb ÷ started; abandonmentRatePercent = abandoned ÷ started.
/// </summary>
public sealed record FunnelFigures(
    int Started,
    int SubmittedWeb,
    int SubmittedApi,
    int Submitted,
    int Abandoned,
    int InProgress,
    decimal? CompletionRatePercent,
    decimal? AbandonmentRatePercent,
    decimal? MedianSecondsToComplete);

/// <summary>GET /api/v1/kpi/forms: every form with a published version, in procedure code order.</summary>
public sealed record FormsKpi(string AsOf, string Rounding, int StaleDays, IReadOnlyList<FormKpi> Forms);

public sealed record FormKpi(
    string Slug,
    string Title,
    string ProcedureCode,
    string Department,
    int Started,
    int SubmittedWeb,
    int SubmittedApi,
    int Submitted,
    int Abandoned,
    int InProgress,
    decimal? CompletionRatePercent,
    decimal? AbandonmentRatePercent,
    decimal? MedianSecondsToComplete,
    IReadOnlyList<FormVersionKpi> Versions)
{
    public FunnelFigures Figures() => new(Started, SubmittedWeb, SubmittedApi, Submitted, Abandoned, InProgress, CompletionRatePercent, AbandonmentRatePercent, MedianSecondsToComplete);
}

public sealed record FormVersionKpi(
    int Version,
    int Started,
    int SubmittedWeb,
    int SubmittedApi,
    int Submitted,
    int Abandoned,
    int InProgress,
    decimal? CompletionRatePercent,
    decimal? AbandonmentRatePercent,
    decimal? MedianSecondsToComplete)
{
    public FunnelFigures Figures() => new(Started, SubmittedWeb, SubmittedApi, Submitted, Abandoned, InProgress, CompletionRatePercent, AbandonmentRatePercent, MedianSecondsToComplete);
}

/// <summary>
/// A page of one version. reached: drafts that were on it; pageSubmissions: "next" pressed on it;
/// abandoned: abandoned drafts whose last page it was; reachedRatePercent = reached ÷ started;
/// abandonedRatePercent = abandoned ÷ reached.
/// </summary>
public sealed record PageFunnel(
    string Key,
    string Title,
    int Reached,
    int PageSubmissions,
    int Abandoned,
    decimal? ReachedRatePercent,
    decimal? AbandonedRatePercent);

/// <summary>A field of one version: page submissions of its page with this field in error ÷ page submissions.</summary>
public sealed record FieldFunnel(
    string PageKey,
    string FieldKey,
    string Label,
    int PageSubmissions,
    int WithErrors,
    decimal? ErrorRatePercent,
    IReadOnlyList<ErrorCodeCount> Codes);

public sealed record ErrorCodeCount(string Code, int Count);

/// <summary>One version of a form in detail, for the department's funnel page and its CSV files.</summary>
public sealed record VersionFunnel(int Version, FunnelFigures Figures, IReadOnlyList<PageFunnel> Pages, IReadOnlyList<FieldFunnel> Fields);
