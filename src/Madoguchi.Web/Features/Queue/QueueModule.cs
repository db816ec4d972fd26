using System.Security.Claims;
using System.Text.Json.Serialization;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Madoguchi.Web.Features.Queue;

/// <summary>待たない窓口: offices' sections, services and counters, tickets, counter actions (the live pages are another module's).</summary>
public static class QueueModule
{
    public static WebApplicationBuilder AddQueue(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<QueueOptions>(builder.Configuration.GetSection("Madoguchi:Queue"));
        builder.Services.AddScoped<TicketIssuer>();
        builder.Services.AddScoped<CounterOperations>();
        builder.Services.AddScoped<KioskDevices>();
        builder.Services.AddScoped<ICongestionSource, CongestionSource>();
        builder.Services.AddScoped<Live.ITicketLookup, TicketLookup>();
        // Wait estimates' accuracy and "your turn is near" mails (issue 10).
        builder.Services.AddScoped<Waits.WaitAccuracy>();
        builder.Services.AddScoped<Waits.TurnAlerts>();
        builder.Services.AddSingleton<Waits.TurnAlertLimiter>();
        // Defaults for when no live layer or reservations module is installed; theirs win when registered.
        builder.Services.TryAddSingleton<IQueueNotifier, NoQueueNotifier>();
        builder.Services.TryAddSingleton<IDueReservations, NoReservations>();
        return builder;
    }

    public sealed record IssueBody(string? Language, bool? Priority);
    public sealed record CallBody(Guid? TicketId);
    public sealed record TransferBody(Guid? Service, int? Step);

    public static WebApplication MapQueue(this WebApplication app)
    {
        app.MapGet("/api/v1/offices", async (MadoguchiDbContext db, CancellationToken ct) => Results.Ok(await OfficesAsync(db, ct)))
            .AllowAnonymous().RequireRateLimiting(RateLimits.Public).WithName("QueueOffices");

        app.MapPost("/api/v1/offices/{office:guid}/services/{service:guid}/tickets", async (Guid office, Guid service, IssueBody? body, HttpContext ctx,
            TicketIssuer issuer, KioskDevices kiosks, MadoguchiDbContext db, CancellationToken ct) =>
        {
            if (body?.Language is { } language && Shared.Localization.Lang.Parse(language) is null)
            {
                return Results.Problem(statusCode: 422, title: "入力に誤りがあります。", detail: "language は ja、en、easy のいずれかです。",
                    extensions: new Dictionary<string, object?> { ["errors"] = new[] { new Submissions.SubmissionsModule.ApiFieldError("language", "language-unknown", "ja、en、easy のいずれかを指定してください。") } });
            }
            string? kioskName = null;
            if (!string.IsNullOrEmpty(ctx.Request.Headers.Authorization))
            {
                var device = await kiosks.FromRequestAsync(ctx.Request, ct);
                if (device is null) return Problem(401, "kiosk-token-invalid", "発券機のトークンが無効です（失効したか、誤っています）。");
                if (device.OfficeId != office) return Problem(403, "kiosk-other-office", "この発券機は別の庁舎に登録されています。");
                kioskName = device.Name;
            }
            else if (!await db.QueueServices.AnyAsync(s => s.Id == service && s.OfficeId == office && s.RemoteTickets, ct))
            {
                // Anonymous tickets only where the office allows taking them from a phone; a 404 service stays 404 below.
                if (await db.QueueServices.AnyAsync(s => s.Id == service && s.OfficeId == office, ct))
                {
                    return Problem(401, "kiosk-token-required", "この受付内容の整理券は庁舎の発券機で発行してください（スマートフォンからは発行できません）。");
                }
            }
            try
            {
                var issued = await issuer.IssueAsync(office, service, new IssueRequest(body?.Language ?? "ja", body?.Priority ?? false), kioskName, ct);
                var statusUrl = StatusUrl(ctx.Request, issued.Ticket.StatusToken);
                return Results.Created(statusUrl, new IssuedJson(issued.Ticket.Number, issued.Ahead, statusUrl, issued.Service.Id, issued.Ticket.ArrivedAt, issued.Ticket.Overflow)
                {
                    EstimatedWaitMinutes = issued.Estimate?.Range,
                    EstimateBasis = issued.Estimate is { IsDefault: true } ? "default" : "measured",
                });
            }
            catch (QueueException e)
            {
                return Problem(e);
            }
        }).AllowAnonymous().RequireRateLimiting(RateLimits.Ticket).WithName("QueueIssueTicket");

        var counters = app.MapGroup("/api/v1/counters/{counter:guid}").RequireAuthorization(Policies.QueueWrite).RequireRateLimiting(RateLimits.Token);
        counters.MapPost("/call-next", (Guid counter, CallBody? body, HttpContext ctx, CounterOperations ops, CancellationToken ct)
            => RunAsync(() => ops.CallNextAsync(counter, UserId(ctx), body?.TicketId, ct)));
        counters.MapPost("/recall", (Guid counter, HttpContext ctx, CounterOperations ops, CancellationToken ct) => RunAsync(() => ops.RecallAsync(counter, UserId(ctx), ct)!));
        counters.MapPost("/hold", (Guid counter, HttpContext ctx, CounterOperations ops, CancellationToken ct) => RunAsync(() => ops.HoldAsync(counter, UserId(ctx), ct)!));
        counters.MapPost("/no-show", (Guid counter, HttpContext ctx, CounterOperations ops, CancellationToken ct) => RunAsync(() => ops.NoShowAsync(counter, UserId(ctx), ct)!));
        counters.MapPost("/complete", (Guid counter, HttpContext ctx, CounterOperations ops, CancellationToken ct) => RunAsync(() => ops.CompleteAsync(counter, UserId(ctx), ct)!));
        counters.MapPost("/transfer", (Guid counter, TransferBody? body, HttpContext ctx, CounterOperations ops, CancellationToken ct) =>
        {
            if (body?.Service is not { } target)
            {
                return Task.FromResult(Results.Problem(statusCode: 422, title: "入力に誤りがあります。", detail: "service: 回付先の受付内容の id を指定してください。",
                    extensions: new Dictionary<string, object?> { ["errors"] = new[] { new Submissions.SubmissionsModule.ApiFieldError("service", "required", "回付先の受付内容の id を指定してください。") } }));
            }
            return RunAsync(() => ops.TransferAsync(counter, UserId(ctx), target, body.Step, ct)!);
        });

        // The slip's QR code as an image (CSP allows no inline SVG styles; an <img> is also what printers handle best).
        app.MapGet("/kiosk/qr/{token}", async (string token, HttpContext ctx, MadoguchiDbContext db, CancellationToken ct) =>
        {
            if (!await db.Tickets.AnyAsync(t => t.StatusToken == token, ct)) return Results.NotFound();
            return Results.Text(QrCodes.Svg(StatusUrl(ctx.Request, token)), "image/svg+xml");
        }).AllowAnonymous().RequireRateLimiting(RateLimits.Lookup).WithName("QueueTicketQr");
        return app;
    }

    /// <summary>The resident's live status page (built by the live layer) for a ticket.</summary>
    public static string StatusUrl(HttpRequest request, string token) => $"{request.Scheme}://{request.Host}/queue/tickets/{token}";

    private static string? UserId(HttpContext ctx) => ctx.User.FindFirstValue(ClaimTypes.NameIdentifier);

    private static async Task<IResult> RunAsync(Func<Task<CounterResult?>> action)
    {
        try
        {
            return await action() is { } r ? Results.Ok(ResultJson.From(r)) : Results.NoContent();
        }
        catch (QueueException e)
        {
            return Problem(e);
        }
    }

    public static IResult Problem(QueueException e) => e.Status == 422
        ? Results.Problem(statusCode: 422, title: "入力に誤りがあります。", detail: e.Message,
            extensions: new Dictionary<string, object?> { ["code"] = e.Code, ["errors"] = new[] { new Submissions.SubmissionsModule.ApiFieldError("", e.Code, e.Message) } })
        : Problem(e.Status, e.Code, e.Message);

    private static IResult Problem(int status, string code, string message)
        => Results.Problem(statusCode: status, title: message, extensions: new Dictionary<string, object?> { ["code"] = code });

    public sealed record IssuedJson(
        [property: JsonPropertyName("number")] int Number,
        [property: JsonPropertyName("ahead")] int Ahead,
        [property: JsonPropertyName("statusUrl")] string StatusUrl,
        [property: JsonPropertyName("service")] Guid Service,
        [property: JsonPropertyName("issuedAt")] DateTimeOffset IssuedAt,
        [property: JsonPropertyName("overflow")] bool Overflow)
    {
        /// <summary>The estimate shown at issue (the one the accuracy report measures).</summary>
        [JsonPropertyName("estimatedWaitMinutes")]
        public WaitRange? EstimatedWaitMinutes { get; init; }

        /// <summary>"measured", or "default" when no service times were measured yet.</summary>
        [JsonPropertyName("estimateBasis")]
        public string EstimateBasis { get; init; } = "measured";
    }

    public sealed record ResultJson(string Action, int Number, Guid Service, string ServiceName, int Step, string StepName, string Status, DateTimeOffset ArrivedAt, string Counter)
    {
        public static ResultJson From(CounterResult r) => new(r.Action.ToString(), r.Ticket.Number, r.Service.Id, r.Service.Name, r.Ticket.Step, r.StepName,
            r.Ticket.Status.ToString(), r.Ticket.ArrivedAt, r.Counter.Number);
    }

    public static async Task<IReadOnlyList<object>> OfficesAsync(MadoguchiDbContext db, CancellationToken ct)
    {
        var offices = await db.Offices.AsNoTracking().OrderBy(o => o.SortOrder).ThenBy(o => o.Name).ToListAsync(ct);
        var sections = await db.QueueSections.AsNoTracking().OrderBy(s => s.SortOrder).ThenBy(s => s.Name).ToListAsync(ct);
        var services = await db.QueueServices.AsNoTracking().OrderBy(s => s.SortOrder).ThenBy(s => s.RangeFrom).ToListAsync(ct);
        var counters = await db.QueueCounters.AsNoTracking().OrderBy(c => c.SortOrder).ThenBy(c => c.Number).ToListAsync(ct);
        return offices.Select(o => (object)new
        {
            id = o.Id,
            name = o.Name,
            nameEn = o.NameEn,
            kind = o.Kind.ToString(),
            address = o.Address,
            hours = o.Hours,
            opensAt = o.OpensAt.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture),
            closesAt = o.ClosesAt.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture),
            ticketsAnyHour = o.TicketsAnyHour,
            overflow = o.OverflowFrom is int f && o.OverflowTo is int t ? new { from = f, to = t } : null,
            sections = sections.Where(s => s.OfficeId == o.Id).Select(s => new
            {
                id = s.Id,
                name = s.Name,
                nameEn = s.NameEn,
                colour = s.Colour,
                services = services.Where(x => x.SectionId == s.Id).Select(x => new
                {
                    id = x.Id,
                    name = x.Name,
                    nameEn = x.NameEn,
                    range = new { from = x.RangeFrom, to = x.RangeTo },
                    steps = x.StepNames,
                    remoteTickets = x.RemoteTickets,
                }),
            }),
            counters = counters.Where(c => c.OfficeId == o.Id).Select(c => new { id = c.Id, number = c.Number, name = c.Name }),
        }).ToList();
    }
}
