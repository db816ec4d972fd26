using System.Globalization;
using System.Security.Claims;
using System.Text;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Catalog;

/// <summary>
/// Staff API over the inventory, for personal access tokens (inventory:read / inventory:write).
/// Department-scoped like the pages; another department's procedure answers 404.
/// </summary>
public static class ProceduresApi
{
    public sealed record Item(Guid Id, string Code, string Name, string? Department, string Status, string Tool);
    public sealed record Page(IReadOnlyList<Item> Items, string? NextCursor);
    /// <summary>Fields an API client may change; null leaves a field as it is.</summary>
    public sealed record Patch(string? Tool);

    public static void MapProceduresApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1/procedures").RequireRateLimiting(RateLimits.Token);
        api.MapGet("", async (string? cursor, string? limit, ClaimsPrincipal user, StaffScope scope, CancellationToken ct) =>
        {
            var errors = new List<KpiError>();
            var size = 50;
            if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > 200))
            {
                errors.Add(new("limit", "invalid_limit", $"limit '{limit}' は使えません。1から200までの整数を指定してください。"));
            }
            var offset = 0;
            if (cursor is not null && !TryReadCursor(cursor, out offset))
            {
                errors.Add(new("cursor", "invalid_cursor", "cursor が正しくありません。前の応答の nextCursor をそのまま指定してください。"));
            }
            if (errors.Count > 0) return InsightModule.Invalid(errors);
            var visible = await scope.ProceduresAsync(user, ct);
            var rows = await visible.AsNoTracking().OrderBy(p => p.Code).ThenBy(p => p.Id).Skip(offset).Take(size + 1)
                .Select(p => new { p.Id, p.Code, p.Name, p.Department, p.Status, p.Tool }).ToListAsync(ct);
            var items = rows.Take(size).Select(p => new Item(p.Id, p.Code, p.Name, p.Department?.DisplayName, p.Status.ToString(), p.Tool)).ToList();
            return Results.Ok(new Page(items, rows.Count > size ? WriteCursor(offset + size) : null));
        }).RequireAuthorization(Policies.InventoryRead);

        api.MapPatch("/{id:guid}", async (Guid id, Patch body, ClaimsPrincipal user, StaffScope scope, MadoguchiDbContext db, TimeProvider clock, AuditTrail audit, CancellationToken ct) =>
        {
            var visible = await scope.ProceduresAsync(user, ct);
            var p = await visible.FirstOrDefaultAsync(x => x.Id == id, ct);
            if (p is null) return Results.Problem(statusCode: 404, title: "手続が見つかりません。");
            if (body.Tool is { } tool && tool.Length > 0 && !Procedure.KnownTools.Contains(tool))
            {
                return InsightModule.Invalid([new("tool", "unknown_tool", $"tool '{tool}' は使えません。{string.Join("、", Procedure.KnownTools)} または空文字を指定してください。")]);
            }
            var before = ProcedureHistory.Snapshot(p);
            if (body.Tool is not null) p.Tool = body.Tool;
            if (ProcedureHistory.Record(db, p, before, user.Identity?.Name ?? "", "api", clock.GetUtcNow()))
            {
                // The change and its audit entry commit together, so an acknowledged PATCH is always in the trail.
                await audit.AppendAsync(new AuditEvent(AuditActions.InventoryPatched, "procedure", p.Id.ToString())
                {
                    DepartmentId = p.DepartmentId,
                    Detail = EditModel.AuditDetail(before, p) + $" token={user.FindFirstValue(ApiTokens.TokenClaim)}",
                }, ct);
            }
            return Results.Ok(new Item(p.Id, p.Code, p.Name, null, p.Status.ToString(), p.Tool));
        }).RequireAuthorization(Policies.InventoryWrite);
    }

    private static string WriteCursor(int offset) => Convert.ToBase64String(Encoding.ASCII.GetBytes("o:" + offset.ToString(CultureInfo.InvariantCulture)));

    private static bool TryReadCursor(string cursor, out int offset)
    {
        offset = 0;
        try
        {
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(cursor));
            return text.StartsWith("o:", StringComparison.Ordinal) && int.TryParse(text[2..], NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
