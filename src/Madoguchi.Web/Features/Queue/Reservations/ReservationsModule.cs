using Madoguchi.Web.Shared;

namespace Madoguchi.Web.Features.Queue.Reservations;

/// <summary>オンライン予約: staffing plans, residents' bookings, kiosk check-in, the due-first calling order, reminders and no-shows.</summary>
public static class ReservationsModule
{
    public static WebApplicationBuilder AddReservations(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<ReservationOptions>(builder.Configuration.GetSection("Madoguchi:Reservations"));
        builder.Services.AddScoped<ReservationBook>();
        builder.Services.AddScoped<ReservationHousekeeping>();
        // Replaces the queue's NoReservations default (the last registration wins).
        builder.Services.AddScoped<IDueReservations, DueReservations>();
        builder.Services.AddHostedService<ReservationJob>();
        // Fills the statistics' "reservations kept" column (the statistics default reports none).
        builder.Services.AddScoped<Statistics.IReservationStatistics, ReservationStatistics>();
        return builder;
    }

    public static WebApplication MapReservations(this WebApplication app)
    {
        // The QR code of the reservation number, for the reservation page's <img> (CSP: no inline SVG styles).
        app.MapGet("/reservations/r/{token}/qr", async (string token, ReservationBook book, CancellationToken ct) =>
            await book.FindAsync(token, ct) is { } r ? Results.Text(QrCodes.Svg(r.Number), "image/svg+xml") : Results.NotFound())
            .AllowAnonymous().RequireRateLimiting(RateLimits.Public).WithName("ReservationQr");
        return app;
    }

    /// <summary>Madoguchi:PublicOrigin when set (behind a proxy), else the request's origin.</summary>
    public static string PageUrl(HttpRequest request, IConfiguration configuration, string token)
    {
        var origin = configuration[Staff.Passkeys.PublicOriginSetting] is { Length: > 0 } o ? o.TrimEnd('/') : $"{request.Scheme}://{request.Host}";
        return $"{origin}/reservations/r/{token}";
    }
}
