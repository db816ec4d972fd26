using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// The back office: every application as a case in its procedure's ledger (台帳), with its workflow,
/// assignee, due date, notes and 補正.
/// </summary>
public static class CasesModule
{
    public static WebApplicationBuilder AddCases(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<CaseService>();
        builder.Services.AddScoped<RetentionService>();
        builder.Services.AddHostedService<RetentionJob>();
        // Staff key paper applications through the residents' own form pages (docs/adr/0011).
        builder.Services.Configure<Microsoft.AspNetCore.Mvc.RazorPages.RazorPagesOptions>(o => o.Conventions.Add(new StaffKeying.Routes()));
        builder.Services.AddScoped<CaseMailer>();
        builder.Services.AddScoped<ICaseObserver>(sp => sp.GetRequiredService<CaseMailer>());
        return builder;
    }

    public static WebApplication MapCases(this WebApplication app)
    {
        app.MapCasesApi();
        app.MapGet("/staff/cases/{id:guid}/files/{fileId:guid}", CaseFileAsync).RequireAuthorization(Policies.Cases);
        return app;
    }

    /// <summary>
    /// An attachment of this case (and only of this case), always as a download; the download is an
    /// entry in the audit trail written before the file is opened. Another department's case is 404.
    /// </summary>
    private static async Task<IResult> CaseFileAsync(Guid id, Guid fileId, HttpContext http, CaseService cases, CancellationToken ct)
    {
        if (await cases.FindAsync(http.User, id, ct) is not { } c) return Results.NotFound();
        if (await cases.OpenFileAsync(c, fileId, "添付ファイルのダウンロード", ct) is not { } file) return Results.NotFound();
        return CaseService.Download(http.Response, file);
    }
}
