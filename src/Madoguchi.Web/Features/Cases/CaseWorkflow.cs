using System.Text.Json;
using System.Text.Json.Serialization;

namespace Madoguchi.Web.Features.Cases;

/// <summary>What a status means for the clock and the ledger.</summary>
public enum StatusKind
{
    /// <summary>Being handled: the 標準処理期間 clock runs.</summary>
    Open,
    /// <summary>Waiting for the applicant's 補正: the clock is stopped.</summary>
    Correction,
    /// <summary>Finished (完了, 却下, 取下げ): no due date applies any more.</summary>
    Closed,
}

public sealed record CaseStatus(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("ja")] string Ja,
    [property: JsonPropertyName("en")] string En,
    [property: JsonPropertyName("easy")] string Easy,
    [property: JsonPropertyName("kind")] StatusKind Kind,
    [property: JsonPropertyName("next")] IReadOnlyList<string> Next)
{
    /// <summary>The name in the applicant's language (ja, en, easy).</summary>
    public string Name(string language) => language switch
    {
        "en" => En,
        "easy" => Easy.Length > 0 ? Easy : Ja,
        _ => Ja,
    };
}

/// <summary>
/// A procedure's statuses and the transitions allowed from each. The default is the issue's
/// 受付 → 審査中 → 補正依頼 → 完了 / 却下 / 取下げ; a procedure may rename, add or drop statuses, but
/// keeps exactly one start status (the first) and at least one closed status.
/// </summary>
public sealed record CaseWorkflow([property: JsonPropertyName("statuses")] IReadOnlyList<CaseStatus> Statuses)
{
    public const string Received = "received";
    public const string Reviewing = "reviewing";
    public const string Correction = "correction";
    public const string Completed = "completed";
    public const string Rejected = "rejected";
    public const string Withdrawn = "withdrawn";

    public static CaseWorkflow Default { get; } = new([
        new(Received, "受付", "Received", "うけつけました", StatusKind.Open, [Reviewing, Correction, Completed, Rejected, Withdrawn]),
        new(Reviewing, "審査中", "Under review", "しらべています", StatusKind.Open, [Correction, Completed, Rejected, Withdrawn]),
        new(Correction, "補正依頼", "Correction requested", "なおしてください", StatusKind.Correction, [Reviewing, Rejected, Withdrawn]),
        new(Completed, "完了", "Completed", "おわりました", StatusKind.Closed, []),
        new(Rejected, "却下", "Rejected", "みとめられませんでした", StatusKind.Closed, []),
        new(Withdrawn, "取下げ", "Withdrawn", "とりさげました", StatusKind.Closed, []),
    ]);

    public string Start => Statuses[0].Code;

    public CaseStatus? Find(string code) => Statuses.FirstOrDefault(s => s.Code == code);

    /// <summary>The status's name, or the code itself for a status the workflow no longer has.</summary>
    public string Name(string code, string language = "ja") => Find(code)?.Name(language) ?? code;

    public bool Allows(string from, string to) => Find(from)?.Next.Contains(to) == true && Find(to) is not null;

    public bool IsClosed(string code) => Find(code)?.Kind == StatusKind.Closed;

    /// <summary>The status a 補正 answered by the applicant returns the case to: the first open status after the start, or the start.</summary>
    public string AfterCorrection => Statuses.Skip(1).FirstOrDefault(s => s.Kind == StatusKind.Open)?.Code ?? Start;

    /// <summary>The status a 補正依頼 puts the case in, or null when the workflow has none.</summary>
    public string? CorrectionStatus => Statuses.FirstOrDefault(s => s.Kind == StatusKind.Correction)?.Code;

    /// <summary>
    /// Why the applicant's 補正 answer could not move a case on in this workflow, or null: the 補正 status
    /// must allow <see cref="AfterCorrection"/>. Checked when staff save a workflow, not by <see cref="Parse"/>,
    /// so that a workflow stored before the check still loads (and <see cref="CaseService"/> checks the move).
    /// </summary>
    public string? CorrectionReturnProblem()
    {
        if (Statuses.FirstOrDefault(s => s.Kind == StatusKind.Correction) is not { } correction || correction.Next.Contains(AfterCorrection)) return null;
        var back = Name(AfterCorrection);
        return $"補正待ちの状態「{correction.Ja}」から「{back}」に移せるようにしてください。申請者が補正に回答すると、申請は「{back}」（受付の次の処理中の状態）に戻ります。";
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The stored workflow, or the default for an empty text.</summary>
    public static CaseWorkflow FromSettings(string? json) => string.IsNullOrWhiteSpace(json) ? Default : Parse(json);

    /// <summary>Reads and checks a workflow; <see cref="ArgumentException"/> with a Japanese message says what is wrong.</summary>
    public static CaseWorkflow Parse(string json)
    {
        CaseWorkflow? workflow;
        try
        {
            workflow = JsonSerializer.Deserialize<CaseWorkflow>(json, Json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"ワークフローを JSON として読めません（{e.Path}: {e.Message}）。");
        }
        if (workflow?.Statuses is not { Count: > 0 } statuses) throw new ArgumentException("ワークフローに状態が1つもありません。statuses に状態を並べてください。");
        var errors = new List<string>();
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (s, i) in statuses.Select((s, i) => (s, i + 1)))
        {
            if (string.IsNullOrWhiteSpace(s.Code) || s.Code.Length > 40 || !s.Code.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
                errors.Add($"{i}番目の状態のコード '{s.Code}' が使えません。英小文字・数字・ハイフンで40文字以内にしてください。");
            else if (!codes.Add(s.Code)) errors.Add($"状態のコード '{s.Code}' が重複しています。");
            if (string.IsNullOrWhiteSpace(s.Ja)) errors.Add($"状態 '{s.Code}' に日本語の名前（ja）がありません。");
            if (s.Next is null) errors.Add($"状態 '{s.Code}' に next（移れる状態の一覧）がありません。終わりの状態は [] にしてください。");
        }
        foreach (var s in statuses.Where(s => s.Next is not null))
        {
            foreach (var n in s.Next.Where(n => !codes.Contains(n))) errors.Add($"状態 '{s.Code}' の移り先 '{n}' はこのワークフローにありません。");
            if (s.Kind == StatusKind.Closed && s.Next.Count > 0) errors.Add($"終わりの状態 '{s.Code}' から移れる状態があります。終わりの状態の next は [] にしてください。");
        }
        if (statuses[0].Kind != StatusKind.Open) errors.Add($"最初の状態 '{statuses[0].Code}' は受付中（kind: open）の状態にしてください。");
        if (!statuses.Any(s => s.Kind == StatusKind.Closed)) errors.Add("終わりの状態（kind: closed、例: 完了）が1つもありません。");
        if (statuses.Count(s => s.Kind == StatusKind.Correction) > 1) errors.Add("補正依頼の状態（kind: correction）は1つまでです。");
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors));
        return workflow;
    }
}
