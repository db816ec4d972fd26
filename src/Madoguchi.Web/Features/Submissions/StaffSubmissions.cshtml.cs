using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// The submissions of one form with their answers and attachments, until the back office lands.
/// Answers are personal data: each view and each download is an entry in the audit trail, written
/// before the read (no entry, no data). Another department's form answers 404, like the inventory.
/// </summary>
[Authorize(Policy = Policies.SubmissionsRead)]
public sealed class StaffSubmissionsModel(MadoguchiDbContext db, StaffScope scope, AuditTrail audit, CaseService cases) : PageModel
{
    /// <summary>The newest ones; older submissions wait for the back office's ledger with paging.</summary>
    public const int Shown = 200;

    public sealed record FileLink(Guid Id, string Name, long Size);
    public sealed record AnswerLine(string Label, string Text, IReadOnlyList<FileLink> Files, bool Nested);
    public sealed record Item(string ReceiptNumber, DateTimeOffset SubmittedAt, int Version, string Channel, IReadOnlyList<AnswerLine> Answers);

    public string Slug { get; private set; } = "";
    public string Title { get; private set; } = "";
    public int Total { get; private set; }
    public IReadOnlyList<Item> Items { get; private set; } = [];
    /// <summary>Receipt → the form's other receipts from the same person (intake person key), across channels.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Duplicates { get; private set; } = new Dictionary<string, IReadOnlyList<string>>();
    /// <summary>Winners of the form's lottery, or null before a draw.</summary>
    public IReadOnlySet<string>? Winners { get; private set; }

    private sealed record FormRef(Guid Id, string Title, Guid? DepartmentId);

    private async Task<FormRef?> FormAsync(string slug, CancellationToken ct)
    {
        var visible = await scope.ProceduresAsync(User, ct);
        return await (from f in db.Forms.AsNoTracking()
                      join p in visible on f.ProcedureId equals p.Id
                      where f.Slug == slug
                      select new FormRef(f.Id, f.Title, p.DepartmentId)).FirstOrDefaultAsync(ct);
    }

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        var form = await FormAsync(slug, ct);
        if (form is null) return NotFound();
        Slug = slug;
        Title = form.Title;
        var (total, submissions, files) = await audit.ViewAlongsideAsync(
            new AuditEvent(AuditActions.PersonalDataViewed, "form-submissions", form.Id.ToString()) { DepartmentId = form.DepartmentId, Detail = $"申請一覧 {slug}（新しい{Shown}件まで）" },
            async c =>
            {
                var count = await db.Submissions.CountAsync(s => s.FormId == form.Id, c);
                var list = await db.Submissions.AsNoTracking().Where(s => s.FormId == form.Id)
                    .OrderByDescending(s => s.SubmittedAt).ThenByDescending(s => s.Id).Take(Shown).ToListAsync(c);
                var ids = list.Select(s => s.Id).ToList();
                var attached = await db.Attachments.AsNoTracking().Where(a => a.SubmissionId != null && ids.Contains(a.SubmissionId.Value))
                    .Select(a => new { a.Id, a.OriginalName, a.Size }).ToListAsync(c);
                return (count, list, attached.ToDictionary(a => a.Id, a => new FileLink(a.Id, a.OriginalName, a.Size)));
            }, ct);
        Total = total;
        var items = new List<Item>(submissions.Count);
        foreach (var s in submissions)
        {
            // Each submission is shown against the version it was filled in on.
            var definition = await PublishedDefinitions.GetAsync(db, s.FormVersionId, ct);
            var answers = JsonNode.Parse(s.AnswersJson) as JsonObject ?? [];
            items.Add(new Item(s.ReceiptNumber, s.SubmittedAt, s.FormVersionNumber, s.Channel, SubmissionAnswers.Lines(definition, answers, files)));
        }
        Items = items;
        Duplicates = await Intake.DuplicateMarks.ForAsync(db, form.Id, submissions, ct);
        if (await db.IntakeDraws.AsNoTracking().FirstOrDefaultAsync(d => d.FormId == form.Id, ct) is { } draw) Winners = draw.WinnerReceipts().ToHashSet();
        return Page();
    }

    /// <summary>
    /// Downloads an attachment of this form's submissions through the case's download (each submission
    /// is a case: same file check, audit entry before the read, and answer as on the case page).
    /// </summary>
    public async Task<IActionResult> OnGetFileAsync(string slug, Guid id, CancellationToken ct)
    {
        var form = await FormAsync(slug, ct);
        if (form is null) return NotFound();
        var owner = await db.Cases.AsNoTracking()
            .Where(c => c.FormId == form.Id && db.Attachments.Any(a => a.Id == id && a.SubmissionId == c.Id))
            .FirstOrDefaultAsync(ct);
        if (owner is null) return NotFound();
        if (await cases.OpenFileAsync(owner, id, "submission-attachment", $"添付ファイルのダウンロード（受付一覧 {slug}）", ct) is not { } file) return NotFound();
        // The file is written here; the empty result adds nothing after it.
        await CaseService.Download(Response, file).ExecuteAsync(HttpContext);
        return new EmptyResult();
    }

    public static string Jst(DateTimeOffset at)
    {
        var t = TimeZoneInfo.ConvertTime(at, JapanTime.Zone);
        return $"{Wareki.Format(DateOnly.FromDateTime(t.DateTime))} {t.ToString("H:mm:ss", CultureInfo.InvariantCulture)}（{t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}）";
    }
}

/// <summary>Answers as staff read them: field labels, option labels, 和暦 dates, masked sensitive values.</summary>
public static class SubmissionAnswers
{
    public static IReadOnlyList<StaffSubmissionsModel.AnswerLine> Lines(FormDefinition definition, JsonObject answers, IReadOnlyDictionary<Guid, StaffSubmissionsModel.FileLink> files)
    {
        var lines = new List<StaffSubmissionsModel.AnswerLine>();
        foreach (var item in definition.Pages.SelectMany(p => p.Items))
        {
            switch (item)
            {
                case FormField f when answers[f.Key] is { } node:
                    lines.Add(Line(f, node, files, nested: false));
                    break;
                case FormGroup g when answers[g.Key] is JsonArray rows:
                    var n = 0;
                    foreach (var row in rows.OfType<JsonObject>())
                    {
                        n++;
                        lines.Add(new($"{g.Label.Ja}（{n}）", "", [], false));
                        foreach (var f in g.Fields)
                        {
                            if (row[f.Key] is { } value) lines.Add(Line(f, value, files, nested: true));
                        }
                    }
                    break;
            }
        }
        return lines;
    }

    private static StaffSubmissionsModel.AnswerLine Line(FormField f, JsonNode node, IReadOnlyDictionary<Guid, StaffSubmissionsModel.FileLink> files, bool nested)
    {
        if (f.Type == FieldType.File)
        {
            var links = (node is JsonArray a ? a.Select(Str) : [Str(node)])
                .Select(id => Guid.TryParse(id, out var g) && files.TryGetValue(g, out var link) ? link : null)
                .OfType<StaffSubmissionsModel.FileLink>().ToList();
            return new(f.Label.Ja, links.Count == 0 ? "（ファイルなし）" : "", links, nested);
        }
        return new(f.Label.Ja, Text(f, node), [], nested);
    }

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The answer as one line of text (HTML-encoded by Razor when shown).</summary>
    public static string Text(FormField f, JsonNode node) => Text(f, JsonSerializer.SerializeToElement(node, Relaxed));

    /// <summary>
    /// The answer as one line of text, read straight from the stored JSON: the ledger and its exports
    /// read every row this way without building a node tree per case. JSON null counts as no answer.
    /// </summary>
    public static string Text(FormField f, JsonElement value)
    {
        if (f.Type == FieldType.MyNumber) return MyNumberField.Mask(Str(value));
        // A field the form marks sensitive is not shown in a list; the back office reveals it with its own audit.
        if (f.Sensitive) return "（機微情報のため非表示）";
        var options = f.Settings.Options ?? [];
        string Option(string? v) => options.FirstOrDefault(o => o.Value == v)?.Label.Ja ?? v ?? "";
        var isObject = value.ValueKind == JsonValueKind.Object;
        return f.Type switch
        {
            FieldType.Name when isObject => $"{Part(value, "family")} {Part(value, "given")}"
                + (Part(value, "familyKana") is { } kana ? $"（{kana} {Part(value, "givenKana")}）" : ""),
            FieldType.Date when DateOnly.TryParseExact(Str(value), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                => $"{Wareki.Format(d)}（{Str(value)}）",
            FieldType.Select or FieldType.Radio => Option(Str(value)),
            FieldType.Checkbox when value.ValueKind == JsonValueKind.Array => string.Join("、", value.EnumerateArray().Select(v => Option(Str(v)))),
            FieldType.Consent => "同意する",
            FieldType.BankAccount when isObject => $"金融機関 {Part(value, "bank")} 支店 {Part(value, "branch")} {BankAccountField.TypeNameOf(Part(value, "type"))} {Part(value, "number")} 名義 {Part(value, "holder")}",
            _ => value.ValueKind switch
            {
                JsonValueKind.Object => string.Join(" ", value.EnumerateObject().Select(p => $"{p.Name}: {(p.Value.ValueKind == JsonValueKind.Null ? "" : p.Value.GetRawText())}")),
                JsonValueKind.Array => string.Join("、", value.EnumerateArray().Select(Str)),
                _ => Str(value) ?? "",
            },
        };
    }

    /// <summary>A property of an object answer as text, or null when it is missing or JSON null.</summary>
    public static string? Part(JsonElement o, string name) => o.TryGetProperty(name, out var v) ? Str(v) : null;

    /// <summary>A JSON value as text: strings unescaped, numbers and true/false as written, objects and arrays as JSON; null for null.</summary>
    public static string? Str(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => v.GetRawText(),
    };

    private static string? Str(JsonNode? node) => node is JsonValue v ? v.ToString() : node?.ToJsonString();
}
