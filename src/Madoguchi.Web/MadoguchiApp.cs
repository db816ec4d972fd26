using Madoguchi.Web.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Madoguchi.Web.Features.Applicants;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Designer;
using Madoguchi.Web.Features.Exports;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Funnel;
using Madoguchi.Web.Features.Home;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Features.Intake;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Postcodes;
using Madoguchi.Web.Features.Protection;
using Madoguchi.Web.Features.Queue;
using Madoguchi.Web.Features.Queue.Live;
using Madoguchi.Web.Features.Queue.OpenData;
using Madoguchi.Web.Features.Queue.Reservations;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Features.Webhooks;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Files;
using Madoguchi.Web.Shared.Localization;
using Madoguchi.Web.Shared.Mail;

namespace Madoguchi.Web;

/// <summary>Composes the web app from its features: one AddX()/MapX() pair per module.</summary>
public static class MadoguchiApp
{
    public const string DbSetting = "Madoguchi:Db";
    public const string FilesSetting = "Madoguchi:Files";

    /// <param name="quiet">For CLI commands: only warnings and errors are logged.</param>
    public static WebApplication Create(string[] args, Storage? storage = null, bool quiet = false)
    {
        // ApplicationName pins Razor Pages discovery to this assembly whichever program (CLI, tests) hosts it.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(MadoguchiApp).Assembly.GetName().Name,
        });
        if (quiet) builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddMadoguchi(storage);
        var app = builder.Build();
        app.MapMadoguchi();
        return app;
    }

    public static WebApplicationBuilder AddMadoguchi(this WebApplicationBuilder builder, Storage? storage = null)
    {
        storage ??= Storage.Parse(
            builder.Configuration[DbSetting] ?? Environment.GetEnvironmentVariable(Storage.EnvironmentVariable),
            builder.Configuration[FilesSetting] ?? Environment.GetEnvironmentVariable(Storage.FilesEnvironmentVariable));
        builder.Services.AddMadoguchiData(storage);
        // Logs go to stderr: stdout belongs to data a command prints (e.g. --format json).
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Warning);
        // The framework's request lines hold whole URLs, secrets included; Shared/RequestLog writes them blanked.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        // Japanese text is written as is, not as numeric character references.
        builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        // Keys that protect cookies and antiforgery tokens belong to this database's files, so they
        // survive restarts and two databases never share them.
        builder.Services.AddDataProtection().SetApplicationName("Madoguchi");
        builder.Services.AddOptions<KeyManagementOptions>().Configure<Storage, ILoggerFactory>((o, s, logs) =>
            o.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(s.FilesPath("keys", "data-protection")), logs));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddRazorPages(o => o.RootDirectory = "/Features");
        builder.Services.AddProblemDetails();
        // Every time the API writes is in Japan time (DESIGN.md §3); the database keeps UTC.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new Shared.Japanese.JapanTimeJsonConverter()));
        builder.AddPlatform();
        builder.AddLocalizationTexts();
        builder.AddFileChecks();
        builder.AddStaff();
        builder.AddCatalog();
        builder.AddInsight();
        builder.AddPostcodes();
        builder.AddForms();
        builder.AddProtection();
        builder.AddSubmissions();
        builder.AddApplicants();
        builder.AddMail();
        builder.AddAudit();
        builder.AddFunnel();
        builder.AddCases();
        builder.AddIntake();
        builder.AddDesigner();
        builder.AddExports();
        builder.AddWebhooks();
        builder.AddQueue();
        builder.AddQueueLive();
        builder.AddQueueStatistics();
        builder.AddReservations();
        return builder;
    }

    public static WebApplication MapMadoguchi(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseRequestLog();
        app.UseSecurityHeaders();
        app.UseExceptionHandler("/error");
        app.UseStatusCodePagesWithReExecute("/error", "?status={0}");
        app.UseEmbeddedStaticFiles();
        // Routing after the status-code pages so that a re-executed /error is routed again.
        app.UseRouting();
        // An address that matches nothing is 404 for everyone, not a sign-in prompt from the fallback policy.
        app.Use((ctx, next) =>
        {
            if (ctx.GetEndpoint() is not { } endpoint)
            {
                ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            // Likewise a known address with the wrong method is 405 (with Allow), not a sign-in prompt.
            if (endpoint.DisplayName == "405 HTTP Method Not Supported" && endpoint.RequestDelegate is { } methodNotAllowed) return methodNotAllowed(ctx);
            return next(ctx);
        });
        app.UseLanguage();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapRazorPages();
        app.MapHome();
        app.MapStaff();
        app.MapCatalog();
        app.MapInsight();
        app.MapPostcodes();
        app.MapForms();
        app.MapSubmissions();
        app.MapApplicants();
        app.MapFunnel();
        app.MapCases();
        app.MapExports();
        Features.Api.OpenApi.MapOpenApi(app);
        app.MapQueue();
        app.MapQueueLive();
        app.MapQueueOpenData();
        app.MapReservations();
        return app;
    }
}
