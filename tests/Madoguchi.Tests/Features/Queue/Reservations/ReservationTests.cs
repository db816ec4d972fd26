using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Queue;
using Madoguchi.Web.Features.Queue.Reservations;
using Madoguchi.Web.Features.Queue.Statistics;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Madoguchi.Tests.Features.Queue.Reservations.ReservationKit;

namespace Madoguchi.Tests.Features.Queue.Reservations;

public sealed class ReservationTests
{
    private static readonly DateOnly Wednesday = new(2025, 4, 2);
    private static readonly TimeOnly Ten = new(10, 0);

    [Fact]
    [Trait("storage", "true")]
    public async Task A_hundred_concurrent_bookings_of_a_slot_for_five_confirm_exactly_five()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync();
        await app.SaveAsync(Plan(q, DayOfWeek.Wednesday));

        var attempts = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            try
            {
                // Each in its own scope, so its own DbContext and connection: as separate requests would be.
                var booked = await app.BookAsync(q, Wednesday, Ten, name: $"区民 {i}", email: $"r{i}@example.jp");
                return (Booked: booked, Refusal: (QueueException?)null);
            }
            catch (QueueException e)
            {
                return (Booked: (Booked?)null, Refusal: e);
            }
        }, Ct)));

        Assert.Equal(5, attempts.Count(a => a.Booked is not null));
        Assert.All(attempts.Where(a => a.Booked is null), a => Assert.Equal("slot-full", a.Refusal!.Code));
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var slot = await db.ReservationSlots.AsNoTracking().SingleAsync(s => s.ServiceId == q.Service.Id, Ct);
        Assert.Equal((5, 5), (slot.Capacity, slot.Booked));
        Assert.Equal(5, await db.Reservations.CountAsync(r => r.SlotId == slot.Id && r.Status == ReservationStatus.Booked, Ct));
        // The page shows the time as full, not bookable.
        var open = await app.BookServiceAsync(b => b.AvailableAsync(q.Office, q.Service.Id, Wednesday, Ct));
        Assert.Equal(0, open.Single(s => s.Slot.Start == Ten).Left);
    }

    [Fact]
    public async Task A_cancelled_place_can_be_booked_again_and_a_cancelled_reservation_stays_cancelled()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync();
        await app.SaveAsync(Plan(q, DayOfWeek.Wednesday, counters: 2));
        var first = await app.BookAsync(q, Wednesday, Ten);
        await app.BookAsync(q, Wednesday, Ten);
        var full = await Assert.ThrowsAsync<QueueException>(() => app.BookAsync(q, Wednesday, Ten));
        Assert.Equal("slot-full", full.Code);

        var cancelled = await app.BookServiceAsync(b => b.CancelAsync(first.Token, Ct));

        Assert.Equal(ReservationStatus.Cancelled, cancelled.Status);
        var again = await app.BookAsync(q, Wednesday, Ten, name: "亀戸 太郎");
        Assert.Equal(2, (await app.SlotAsync(again.Reservation.SlotId)).Booked);
        var twice = await Assert.ThrowsAsync<QueueException>(() => app.BookServiceAsync(b => b.CancelAsync(first.Token, Ct)));
        Assert.Equal("not-cancellable", twice.Code);
        Assert.Equal(2, (await app.SlotAsync(again.Reservation.SlotId)).Booked);
    }

    [Fact]
    public async Task Capacity_comes_from_the_staffing_plan_inside_opening_hours_and_closed_days_have_no_slots()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync();
        // 2 counters, 15 minutes a visit, half for bookings: 2 per 30-minute slot; 8:00–18:00 is cut to the office's 8:30–17:00.
        var plans = Enum.GetValues<DayOfWeek>().Select(d => Plan(q, d, counters: 2, minutes: 15, percent: 50, from: 8, to: 18)).ToArray();
        await app.SaveAsync([.. plans.Cast<object>(), new Closure { Date = new DateOnly(2025, 5, 1), Reason = "システム更新" }]);
        app.Clock.Set(Jst(4, 25, 10));

        var days = await app.BookServiceAsync(b => b.AvailableAsync(q.Office, q.Service.Id, new DateOnly(2025, 4, 26), new DateOnly(2025, 5, 7), Ct));

        // Weekends, 昭和の日 (4/29), the closure (5/1) and 憲法記念日〜振替休日 (5/3–5/6) are left out.
        Assert.Equal([new DateOnly(2025, 4, 28), new DateOnly(2025, 4, 30), new DateOnly(2025, 5, 2), new DateOnly(2025, 5, 7)], days.Keys.Order());
        var monday = days[new DateOnly(2025, 4, 28)];
        Assert.Equal(new TimeOnly(8, 30), monday[0].Slot.Start);
        Assert.Equal(new TimeOnly(16, 30), monday[^1].Slot.Start);
        Assert.All(monday, s => Assert.Equal(2, s.Left));
        var holiday = await Assert.ThrowsAsync<QueueException>(() => app.BookAsync(q, new DateOnly(2025, 4, 29), Ten));
        Assert.Equal("slot-unavailable", holiday.Code);
        Assert.Contains("閉庁日", holiday.Message);
    }

    [Fact]
    public async Task A_reservation_checked_in_at_the_kiosk_is_called_before_older_walk_ins_once_due_and_not_before()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(counters: 1);
        await app.SaveAsync(Plan(q, DayOfWeek.Tuesday, from: 10, to: 12));
        app.Clock.Set(Jst(3, 31, 15));
        var booked = await app.BookAsync(q, new DateOnly(2025, 4, 1), new TimeOnly(11, 0));

        app.Clock.Set(Jst(4, 1, 10, 40));
        var a = await app.IssueAsync(q);
        app.Clock.Set(Jst(4, 1, 10, 41));
        var b = await app.IssueAsync(q);
        app.Clock.Set(Jst(4, 1, 10, 45));
        // The kiosk's form: the scanner types the number, lower case and without dashes is read as well.
        var kiosk = app.CreatePlainClient();
        var token = await app.KioskTokenAsync(q.Office);
        await MadoguchiFactory.PostFormAsync(kiosk, "/kiosk?handler=Register", new() { ["token"] = token }, "/kiosk");
        Assert.Contains("予約の方", await kiosk.GetStringAsync("/kiosk", Ct));
        var checkIn = await MadoguchiFactory.PostFormAsync(kiosk, "/kiosk?handler=CheckIn", new() { ["reservation"] = booked.Reservation.Number.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant() }, "/kiosk");
        Assert.Equal(System.Net.HttpStatusCode.Redirect, checkIn.StatusCode);
        var slip = await kiosk.GetStringAsync(checkIn.Headers.Location!.OriginalString, Ct);
        var reservation = await app.ReservationAsync(booked.Reservation.Id);
        Assert.Equal(ReservationStatus.CheckedIn, reservation.Status);
        Assert.NotNull(reservation.TicketId);
        await using (var scope = app.Scope())
        {
            var ticket = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Tickets.SingleAsync(t => t.Id == reservation.TicketId, Ct);
            Assert.Contains($">{ticket.Number}<", slip);
        }
        // Scanning again gives the same ticket, not a second one.
        var again = await MadoguchiFactory.PostFormAsync(kiosk, "/kiosk?handler=CheckIn", new() { ["reservation"] = booked.Reservation.Number }, "/kiosk");
        Assert.Equal(checkIn.Headers.Location, again.Headers.Location);

        await app.AssignAsync(q.Counters[0], q.Service);
        // 10:50: the 11:00 reservation is not due (from 10:55): the oldest walk-in first.
        app.Clock.Set(Jst(4, 1, 10, 50));
        var first = await app.OpsAsync(o => o.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        Assert.Equal(a.Id, first!.Ticket.Id);
        await app.OpsAsync(o => o.CompleteAsync(q.Counters[0].Id, "test", Ct));
        // 10:55: due, so before b, who arrived earlier than the reservation's check-in.
        app.Clock.Set(Jst(4, 1, 10, 55));
        var second = await app.OpsAsync(o => o.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        Assert.Equal(reservation.TicketId, second!.Ticket.Id);
        await app.OpsAsync(o => o.CompleteAsync(q.Counters[0].Id, "test", Ct));
        var third = await app.OpsAsync(o => o.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        Assert.Equal(b.Id, third!.Ticket.Id);

        // The office's statistics count the kept reservation under its slot's hour (11時), not under the check-in's.
        await using (var scope = app.Scope())
        {
            var stats = await scope.ServiceProvider.GetRequiredService<QueueStatistics>()
                .ComputeAsync(q.Office.Id, new DateOnly(2025, 4, 1), new DateOnly(2025, 4, 1), StatisticsBy.Hour, Ct);
            Assert.True(stats!.HasReservations);
            Assert.Equal(1, stats.Groups.Single(g => g.Key.Hour == 11).Group.ReservationsKept);
            Assert.Equal(0, stats.Groups.Single(g => g.Key.Hour == 10).Group.ReservationsKept);
        }
    }

    [Fact]
    public async Task A_reservation_not_checked_in_by_slot_start_plus_the_grace_is_released_and_its_place_returns()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync();
        await app.SaveAsync(Plan(q, DayOfWeek.Tuesday, counters: 1));
        app.Clock.Set(Jst(3, 31, 15));
        var booked = await app.BookAsync(q, new DateOnly(2025, 4, 1), new TimeOnly(11, 0));
        Assert.Equal(1, (await app.SlotAsync(booked.Reservation.SlotId)).Booked);

        app.Clock.Set(Jst(4, 1, 11, 14));
        Assert.Equal(0, (await app.HousekeepingAsync()).Released);
        Assert.Equal(ReservationStatus.Booked, (await app.ReservationAsync(booked.Reservation.Id)).Status);

        app.Clock.Set(Jst(4, 1, 11, 15));
        await Task.WhenAll(app.HousekeepingAsync(), app.HousekeepingAsync());

        var released = await app.ReservationAsync(booked.Reservation.Id);
        Assert.Equal(ReservationStatus.NoShow, released.Status);
        Assert.Equal(Jst(4, 1, 11, 15), released.ReleasedAt);
        // Released once, even with two runs at the same time.
        Assert.Equal(0, (await app.SlotAsync(booked.Reservation.SlotId)).Booked);
        var late = await Assert.ThrowsAsync<QueueException>(() => app.BookServiceAsync(b => b.CheckInAsync(q.Office.Id, booked.Reservation.Number, "発券機A", Ct)));
        Assert.Equal("reservation-released", late.Code);
        Assert.Contains("整理券をお取りください", late.Message);
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task Names_and_addresses_are_erased_once_the_reservations_day_is_over_and_the_reservation_itself_stays()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync();
        await app.SaveAsync(Plan(q, DayOfWeek.Tuesday, counters: 1), Plan(q, DayOfWeek.Wednesday, counters: 1));
        app.Clock.Set(Jst(3, 31, 15));
        var today = await app.BookAsync(q, new DateOnly(2025, 4, 1), new TimeOnly(11, 0), email: "today@example.jp");
        var tomorrow = await app.BookAsync(q, new DateOnly(2025, 4, 2), new TimeOnly(11, 0), email: "tomorrow@example.jp");

        // Late on the day itself the counter still has them.
        app.Clock.Set(Jst(4, 1, 23, 59));
        Assert.Equal(0, (await app.HousekeepingAsync()).Erased);
        Assert.Equal("today@example.jp", (await app.ReservationAsync(today.Reservation.Id)).Email);

        app.Clock.Set(Jst(4, 2, 0, 0));
        var runs = await Task.WhenAll(app.HousekeepingAsync(), app.HousekeepingAsync());
        Assert.Equal(1, runs.Sum(r => r.Erased));
        var erased = await app.ReservationAsync(today.Reservation.Id);
        Assert.Equal(("", ""), (erased.Name, erased.Email));
        Assert.Equal(ReservationStatus.NoShow, erased.Status);
        var kept = await app.ReservationAsync(tomorrow.Reservation.Id);
        Assert.Equal("tomorrow@example.jp", kept.Email);
        Assert.NotEmpty(kept.Name);
    }

    [Fact]
    public async Task The_reminder_goes_out_once_the_day_before_from_nine_even_with_several_instances()
    {
        await using var smtp = await Submissions.MailTests.Smtp.StartAsync();
        await using var app = await MadoguchiFactory.CreateAsync(smtp.Settings("https://madoguchi.city.example.jp"));
        var q = await app.SetupAsync();
        await app.SaveAsync(Plan(q, DayOfWeek.Wednesday));
        app.Clock.Set(Jst(4, 1, 8, 30));
        var booked = await app.BookAsync(q, Wednesday, Ten, email: "remind@example.jp");
        var cancelled = await app.BookAsync(q, Wednesday, Ten, email: "cancelled@example.jp");
        await app.BookServiceAsync(b => b.CancelAsync(cancelled.Token, Ct));

        Assert.Equal(0, (await app.HousekeepingAsync()).Reminded);
        app.Clock.Set(Jst(4, 1, 9, 0));
        using var other = app.AnotherInstance();
        await using var otherScope = other.Services.CreateAsyncScope();
        var runs = await Task.WhenAll(app.HousekeepingAsync(), app.HousekeepingAsync(),
            otherScope.ServiceProvider.GetRequiredService<ReservationHousekeeping>().RunAsync(Ct));

        var mail = await smtp.NextAsync();
        Assert.Equal("remind@example.jp", mail.To.ToString());
        Assert.Contains(booked.Reservation.Number, mail.Subject);
        Assert.Contains("令和7年4月2日（水）10:00", mail.TextBody);
        Assert.Contains(q.Office.Name, mail.TextBody);
        // Whichever instance claimed it (the other one's own job may have, at its start), it was sent once.
        Assert.InRange(runs.Sum(r => r.Reminded), 0, 1);
        app.Clock.Set(Jst(4, 1, 18, 0));
        Assert.Equal(0, (await app.HousekeepingAsync()).Reminded);
        await Task.Delay(500, Ct);
        Assert.Equal(0, smtp.Pending);
        Assert.NotNull((await app.ReservationAsync(booked.Reservation.Id)).ReminderSentAt);
    }

    [Fact]
    public async Task A_walk_ins_wait_estimate_counts_the_reservations_booked_for_before_it_would_be_called()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(counters: 1);
        await app.SaveAsync(Plan(q, DayOfWeek.Tuesday, from: 10, to: 12));
        // The day before, three residents book 10:00 and one 11:30.
        app.Clock.Set(Jst(3, 31, 15));
        for (var i = 0; i < 3; i++) await app.BookAsync(q, new DateOnly(2025, 4, 1), new TimeOnly(10, 0), email: $"r{i}@example.jp");
        await app.BookAsync(q, new DateOnly(2025, 4, 1), new TimeOnly(11, 30), email: "late@example.jp");
        app.Clock.Set(Jst(4, 1, 9, 40));
        for (var i = 0; i < 3; i++) await app.IssueAsync(q);
        var shared = (await app.SnapshotAsync(q)).Sections[0].Services[0].EstimatedWaitMinutes;

        // The same office without reservations: three walk-ins, then six.
        await using var other = await MadoguchiFactory.CreateAsync();
        var q2 = await other.SetupAsync(counters: 1);
        other.Clock.Set(Jst(4, 1, 9, 40));
        for (var i = 0; i < 3; i++) await other.IssueAsync(q2);
        var walkInsOnly = (await other.SnapshotAsync(q2)).Sections[0].Services[0].EstimatedWaitMinutes;
        for (var i = 0; i < 3; i++) await other.IssueAsync(q2);
        var six = (await other.SnapshotAsync(q2)).Sections[0].Services[0].EstimatedWaitMinutes;

        // The 10:00 reservations are called first when due, inside a new walk-in's wait, so they count as
        // three more ahead; the 11:30 one comes after the estimate's upper end and does not.
        Assert.True(shared.Low > walkInsOnly.Low && shared.High > walkInsOnly.High, $"{shared} should be later than {walkInsOnly}");
        Assert.Equal(six, shared);
    }
}
