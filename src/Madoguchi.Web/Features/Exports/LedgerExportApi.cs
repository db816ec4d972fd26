using System.Globalization;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Exports;

/// <summary>
/// The ledger export for systems (token with cases:read): the same rows, formats and audit as the page.
/// cp932 with characters Shift_JIS lacks answers 422 listing them, unless the caller accepts the
/// replacement with replace=true — a system never gets 〓 it did not ask for.
/// </summary>
public static class LedgerExportApi
{
    public const string Route = "/api/v1/procedures/{procedureId:guid}/cases/export";

    public static void MapLedgerExportApi(this WebApplication app)
    {
        app.MapGet(Route, ExportAsync).RequireAuthorization(Policies.Cases).RequireRateLimiting(RateLimits.Token);
    }

    private static async Task<IResult> ExportAsync(Guid procedureId, string? format, string? status, string? channel, string? receivedFrom, string? receivedTo, string? replace,
        HttpContext http, MadoguchiDbContext db, CaseService caseService, LedgerExportService exports, TimeProvider clock, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        var errors = new List<KpiError>();
        var chosen = format is null ? ExportFormat.Csv : LedgerExportSource.ParseFormat(format);
        if (chosen is null) errors.Add(new("format", "invalid_format", $"format '{format}' は使えません。xlsx、csv（UTF-8、BOM付き）、csv-cp932（Shift_JIS）のいずれかです。"));
        if (channel is not null && CaseChannels.Parse(channel) is null) errors.Add(new("channel", "invalid_channel", $"channel '{channel}' は使えません。online、counter、mail のいずれかです。"));
        var accept = replace switch
        {
            null or "false" => false,
            "true" => true,
            _ => (bool?)null,
        };
        if (accept is null) errors.Add(new("replace", "invalid_replace", $"replace '{replace}' は使えません。true か false を指定してください。"));
        foreach (var (name, value) in new[] { ("receivedFrom", receivedFrom), ("receivedTo", receivedTo) })
        {
            if (value is not null && !DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                errors.Add(new(name, "invalid_date", $"{name} '{value}' は日付として読めません。yyyy-MM-dd（例: 2026-04-01）で指定してください。"));
            }
        }
        if (errors.Count > 0) return InsightModule.Invalid(errors);
        // One department check (CaseService), then the procedure's layout for a caller already checked.
        if (await caseService.VisibleAsync(http.User, procedureId, ct) is not { } visible)
        {
            return Results.Problem(statusCode: 404, title: "手続が見つかりません。", detail: "id と、トークンの持ち主の所属課が扱う手続かどうかを確かめてください。");
        }
        var procedure = await LedgerSource.LoadAsync(db, procedureId, ct);

        var filter = new LedgerFilter { Status = status, Channel = channel, From = receivedFrom, To = receivedTo, Sort = "old" };
        var (from, to, dateErrors) = LedgerQuery.Dates(filter);
        if (dateErrors.Count > 0) return InsightModule.Invalid([.. dateErrors.Select(e => new KpiError(e.Field == "Filter.From" ? "receivedFrom" : "receivedTo", "invalid_date", e.Message))]);
        var filtered = status is not null || channel is not null || receivedFrom is not null || receivedTo is not null;
        var cases = LedgerQuery.Where(visible, filter, null, JapanTime.Today(clock), from, to);
        LedgerExportResult result;
        try
        {
            result = await exports.ExportAsync(procedure, cases, LedgerSort.Oldest, chosen!.Value,
                "api " + LedgerExportService.Describe(filtered ? ExportScope.Filter : ExportScope.All, filter, 0), ct);
        }
        catch (Exception e) when (e is InvalidOperationException or TemplateRefusedException)
        {
            return InsightModule.Invalid([new("format", "export_failed", e.Message)]);
        }
        if (result.UnmappedCount > 0 && accept != true)
        {
            result.File.Dispose();
            var listed = result.Unmapped.Select(u => new KpiError(u.Receipt is null ? "heading" : $"rows[{u.Row.ToString(CultureInfo.InvariantCulture)}]", "unmappable_character", u.Message)).ToList();
            return Results.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "Shift_JIS（cp932）にない文字があります。",
                detail: $"{result.UnmappedCount:N0} か所の文字を Shift_JIS で表せません。replace=true で「{Replacement.Mark}」に置き換えて受け取るか、format=csv（UTF-8）か xlsx で受け取ってください。",
                extensions: new Dictionary<string, object?>
                {
                    ["errors"] = listed,
                    ["unmapped"] = result.Unmapped.Select(u => new { row = u.Row, receiptNumber = u.Receipt, column = u.Column, character = u.Character, codePoint = u.CodePoint }).ToList(),
                    ["unmappedCount"] = result.UnmappedCount,
                });
        }
        return Results.File(result.File.OpenRead(), result.File.ContentType, result.DownloadName);
    }
}
