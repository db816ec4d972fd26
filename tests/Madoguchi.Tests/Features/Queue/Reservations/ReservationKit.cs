using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Queue;
using Madoguchi.Web.Features.Queue.Reservations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Queue.Reservations;

public static class ReservationKit
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Japan time on a date of April 2025 (4/1 is a Tuesday).</summary>
    public static DateTimeOffset Jst(int month, int day, int hour, int minute = 0) => new(2025, month, day, hour, minute, 0, TimeSpan.FromHours(9));

    /// <summary>
    /// A plan row for the setup's service; the default gives 5 places per 30-minute slot
    /// (5 counters × 30 min ÷ 30 min × 100 %) from 10:00 to 12:00 on every weekday given.
    /// </summary>
    public static StaffingPlan Plan(QueueSetup q, DayOfWeek weekday, int counters = 5, int minutes = 30, int percent = 100, int from = 10, int to = 12)
        => new()
        {
            OfficeId = q.Office.Id,
            ServiceId = q.Service.Id,
            Weekday = (int)weekday,
            From = new TimeOnly(from, 0),
            To = new TimeOnly(to, 0),
            Counters = counters,
            MinutesPerVisit = minutes,
            BookablePercent = percent,
            SlotMinutes = 30,
        };

    public static async Task<Booked> BookAsync(this MadoguchiFactory app, QueueSetup q, DateOnly date, TimeOnly start, string name = "江東 花子", string email = "hanako@example.jp", string language = "ja")
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<ReservationBook>().BookAsync(new BookRequest(q.Office.Id, q.Service.Id, date, start, name, email, language), Ct);
    }

    public static async Task<T> BookServiceAsync<T>(this MadoguchiFactory app, Func<ReservationBook, Task<T>> action)
    {
        await using var scope = app.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<ReservationBook>());
    }

    public static async Task<(int Released, int Reminded, int Erased)> HousekeepingAsync(this MadoguchiFactory app)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<ReservationHousekeeping>().RunAsync(Ct);
    }

    public static async Task<Reservation> ReservationAsync(this MadoguchiFactory app, Guid id)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Reservations.AsNoTracking().SingleAsync(r => r.Id == id, Ct);
    }

    public static async Task<ReservationSlot> SlotAsync(this MadoguchiFactory app, Guid id)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().ReservationSlots.AsNoTracking().SingleAsync(s => s.Id == id, Ct);
    }
}
