using Madoguchi.Web.Data;
using Madoguchi.Web.Shared.Japanese;
using Madoguchi.Web.Shared.Mail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Madoguchi.Web.Features.Queue.Reservations;

/// <summary>
/// What happens to reservations with time: no-shows are released (their place goes back to walk-ins),
/// reminders go out the day before, and names and e-mail addresses are erased once the day is over. Every step is a conditional UPDATE, so several app instances
/// running this at once never release twice or send a reminder twice.
/// </summary>
public sealed class ReservationHousekeeping(
    MadoguchiDbContext db, TimeProvider clock, ReservationBook book, MailSender mail, IQueueNotifier notifier,
    IOptions<ReservationOptions> options, ILogger<ReservationHousekeeping> log)
{
    public async Task<(int Released, int Reminded, int Erased)> RunAsync(CancellationToken ct)
        => (await ReleaseNoShowsAsync(ct), await SendRemindersAsync(ct), await ErasePersonalDataAsync(ct));

    /// <summary>
    /// A reservation needs its holder's name and address until its day is over (confirmation, reminder,
    /// the counter's list). From the next Japan day both are erased; the rest (times, status, ticket)
    /// stays for the statistics, which hold no personal data. Returns the reservations erased.
    /// </summary>
    public async Task<int> ErasePersonalDataAsync(CancellationToken ct)
    {
        var today = JapanTime.DateOf(clock.GetUtcNow());
        return await db.Reservations.Where(r => r.Date < today && (r.Name != "" || r.Email != ""))
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Name, "").SetProperty(r => r.Email, ""), ct);
    }

    /// <summary>Booked and not checked in by slot start + <see cref="ReservationOptions.NoShowMinutes"/>: 無断キャンセル.</summary>
    public async Task<int> ReleaseNoShowsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var cutoff = now.AddMinutes(-options.Value.NoShowMinutes);
        var late = await db.Reservations.AsNoTracking().Where(r => r.Status == ReservationStatus.Booked && r.StartsAt <= cutoff)
            .OrderBy(r => r.StartsAt).Take(500).Select(r => new { r.Id, r.SlotId, r.OfficeId }).ToListAsync(ct);
        var released = 0;
        foreach (var r in late)
        {
            if (await book.ReleaseAsync(r.Id, r.SlotId, ReservationStatus.NoShow, now, ct)) released++;
        }
        foreach (var office in late.Select(r => r.OfficeId).Distinct()) await notifier.OfficeChangedAsync(office, ct);
        return released;
    }

    /// <summary>
    /// From <see cref="ReservationOptions.ReminderHour"/> (Japan time) the day before: each booked
    /// reservation of tomorrow is claimed by setting ReminderSentAt where it is still null, and only the
    /// claimer sends. A failed send gives the claim back for the next run.
    /// </summary>
    public async Task<int> SendRemindersAsync(CancellationToken ct)
    {
        if (!mail.Configured) return 0;
        var now = clock.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, JapanTime.Zone);
        if (local.Hour < options.Value.ReminderHour) return 0;
        var tomorrow = JapanTime.DateOf(now).AddDays(1);
        var due = await db.Reservations.AsNoTracking()
            .Where(r => r.Date == tomorrow && r.Status == ReservationStatus.Booked && r.ReminderSentAt == null)
            .OrderBy(r => r.Id).Select(r => r.Id).Take(500).ToListAsync(ct);
        var sent = 0;
        foreach (var id in due)
        {
            var claimed = await db.Reservations.Where(r => r.Id == id && r.ReminderSentAt == null && r.Status == ReservationStatus.Booked)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.ReminderSentAt, now), ct);
            if (claimed == 0) continue;
            var r = await db.Reservations.AsNoTracking().FirstAsync(x => x.Id == id, ct);
            var office = await db.Offices.AsNoTracking().FirstAsync(o => o.Id == r.OfficeId, ct);
            var service = await db.QueueServices.AsNoTracking().FirstAsync(s => s.Id == r.ServiceId, ct);
            var message = ReservationMails.Reminder(r, office, service);
            try
            {
                await mail.SendAsync(r.Email, message.Subject, message.Body, ct);
                sent++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Reminder of reservation {Id} not sent; trying again at the next run", id);
                await db.Reservations.Where(x => x.Id == id).ExecuteUpdateAsync(u => u.SetProperty(x => x.ReminderSentAt, (DateTimeOffset?)null), CancellationToken.None);
            }
        }
        return sent;
    }
}

/// <summary>Runs the housekeeping every minute (the injected clock's minutes).</summary>
public sealed class ReservationJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ReservationJob> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ReservationHousekeeping>().RunAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Reservation housekeeping failed; trying again in a minute");
            }
            await Task.Delay(TimeSpan.FromMinutes(1), clock, stoppingToken);
        }
    }
}
