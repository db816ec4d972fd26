using System.Net.Mail;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Madoguchi.Web.Features.Queue.Reservations;

public sealed class ReservationOptions
{
    /// <summary>How many days ahead residents may book (today included).</summary>
    public int BookingDays { get; set; } = 30;
    /// <summary>Booking a slot closes this many minutes before it starts.</summary>
    public int BookingClosesMinutes { get; set; } = 30;
    /// <summary>The kiosk accepts a reservation from this many minutes before its slot.</summary>
    public int CheckInOpensMinutes { get; set; } = 60;
    /// <summary>A checked-in reservation is called before walk-ins from this many minutes before its slot.</summary>
    public int DueMinutesBefore { get; set; } = 5;
    /// <summary>Not checked in by slot start + this many minutes: released (無断キャンセル), its place back to walk-ins.</summary>
    public int NoShowMinutes { get; set; } = 15;
    /// <summary>Japan hour of the day before a reservation from which its reminder is sent.</summary>
    public int ReminderHour { get; set; } = 9;
}

public sealed record BookRequest(Guid OfficeId, Guid ServiceId, DateOnly Date, TimeOnly Start, string? Name, string? Email, string Language = "ja");

public sealed record Booked(Reservation Reservation, string Token, Office Office, QueueService Service);

/// <summary>A slot as residents see it: its time and the places left.</summary>
public sealed record OpenSlot(PlannedSlot Slot, int Left);

/// <summary>
/// Residents' bookings: the slots the staffing plan offers, booking (the database refuses the place
/// after the last), cancelling, and the kiosk check-in that turns a booking into a ticket.
/// </summary>
public sealed class ReservationBook(
    MadoguchiDbContext db, TimeProvider clock, BusinessCalendarService calendar, TicketIssuer issuer, IQueueNotifier notifier, IOptions<ReservationOptions> options)
{
    public ReservationOptions Options => options.Value;

    /// <summary>Offices with a staffing plan (something bookable), in the usual order.</summary>
    public async Task<IReadOnlyList<Office>> OfficesAsync(CancellationToken ct)
    {
        var planned = await db.StaffingPlans.AsNoTracking().Select(p => p.OfficeId).Distinct().ToListAsync(ct);
        return await db.Offices.AsNoTracking().Where(o => planned.Contains(o.Id)).OrderBy(o => o.SortOrder).ThenBy(o => o.Name).ToListAsync(ct);
    }

    /// <summary>The office's services with a staffing plan.</summary>
    public async Task<IReadOnlyList<QueueService>> ServicesAsync(Guid officeId, CancellationToken ct)
    {
        var planned = await db.StaffingPlans.AsNoTracking().Where(p => p.OfficeId == officeId).Select(p => p.ServiceId).Distinct().ToListAsync(ct);
        return await db.QueueServices.AsNoTracking().Where(s => s.OfficeId == officeId && planned.Contains(s.Id)).OrderBy(s => s.SortOrder).ToListAsync(ct);
    }

    /// <summary>The service's bookable slots on a date with the places left (none on closed days, in the past or beyond the booking horizon).</summary>
    public async Task<IReadOnlyList<OpenSlot>> AvailableAsync(Office office, Guid serviceId, DateOnly date, CancellationToken ct)
        => (await AvailableAsync(office, serviceId, date, date, ct)).GetValueOrDefault(date) ?? [];

    /// <summary>Per date from <paramref name="from"/> to <paramref name="to"/>: the open slots with places left.</summary>
    public async Task<Dictionary<DateOnly, IReadOnlyList<OpenSlot>>> AvailableAsync(Office office, Guid serviceId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = JapanTime.DateOf(now);
        if (from < today) from = today;
        var last = today.AddDays(Options.BookingDays - 1);
        if (to > last) to = last;
        var result = new Dictionary<DateOnly, IReadOnlyList<OpenSlot>>();
        if (to < from) return result;
        var plans = await db.StaffingPlans.AsNoTracking().Where(p => p.ServiceId == serviceId && p.OfficeId == office.Id).ToListAsync(ct);
        var business = await calendar.LoadAsync(ct);
        var rows = await db.ReservationSlots.AsNoTracking().Where(s => s.ServiceId == serviceId && s.Date >= from && s.Date <= to).ToListAsync(ct);
        var closes = now.AddMinutes(Options.BookingClosesMinutes);
        for (var d = from; d <= to; d = d.AddDays(1))
        {
            var open = SlotPlanner.Slots(office, plans, business, d).Where(s => s.StartsAt > closes)
                .Select(s => rows.FirstOrDefault(r => r.Date == d && r.Start == s.Start) is { } row
                    ? new OpenSlot(s with { Capacity = row.Capacity }, Math.Max(0, row.Capacity - row.Booked))
                    : new OpenSlot(s, s.Capacity))
                .ToList();
            if (open.Count > 0) result[d] = open;
        }
        return result;
    }

    /// <summary>Name and e-mail checks shared by the page (in its language) and <see cref="BookAsync"/>: field → message.</summary>
    public static Dictionary<string, FieldMessage> Check(string? name, string? email)
    {
        var errors = new Dictionary<string, FieldMessage>();
        var n = name?.Trim() ?? "";
        if (n.Length == 0)
        {
            errors["name"] = new("お名前を入力してください。", "Enter your name.", "<ruby>名前<rt>なまえ</rt></ruby>を <ruby>書<rt>か</rt></ruby>いて ください。");
        }
        else if (n.Length > 100)
        {
            errors["name"] = new($"お名前は100文字以内で入力してください（今は{n.Length}文字です）。", $"Enter a name of 100 characters or fewer (it has {n.Length} now).",
                $"<ruby>名前<rt>なまえ</rt></ruby>は 100<ruby>文字<rt>もじ</rt></ruby>までです（いまは {n.Length}<ruby>文字<rt>もじ</rt></ruby>）。");
        }
        var e = email?.Trim() ?? "";
        if (e.Length == 0)
        {
            errors["email"] = new("メールアドレスを入力してください。予約番号とQRコードをお送りします。", "Enter your email address. We send the reservation number and QR code to it.",
                "メールアドレスを <ruby>書<rt>か</rt></ruby>いて ください。<ruby>予約<rt>よやく</rt></ruby>の <ruby>番号<rt>ばんごう</rt></ruby>と QRコードを おくります。");
        }
        else if (e.Length > 254 || !MailAddress.TryCreate(e, out var parsed) || parsed.Address != e || !e.Contains('.', StringComparison.Ordinal))
        {
            errors["email"] = new($"メールアドレス「{e}」の形式が正しくありません。例: taro@example.jp", $"\"{e}\" is not an email address. For example: taro@example.jp",
                $"「{System.Net.WebUtility.HtmlEncode(e)}」は メールアドレスの かたちでは ありません。れい: taro@example.jp");
        }
        return errors;
    }

    /// <summary>
    /// Books a place: the slot's row is created on its first booking, then one conditional UPDATE takes
    /// a place only while Booked &lt; Capacity, in the same transaction as the reservation's insert.
    /// </summary>
    public async Task<Booked> BookAsync(BookRequest request, CancellationToken ct)
    {
        if (Check(request.Name, request.Email).FirstOrDefault() is { Key: { } field, Value: { } message })
        {
            throw new QueueException(422, field + "-invalid", message.Ja);
        }
        var office = await db.Offices.AsNoTracking().FirstOrDefaultAsync(o => o.Id == request.OfficeId, ct)
            ?? throw new QueueException(404, "office-not-found", "その庁舎はありません。");
        var service = await db.QueueServices.AsNoTracking().FirstOrDefaultAsync(s => s.Id == request.ServiceId && s.OfficeId == office.Id, ct)
            ?? throw new QueueException(404, "service-not-found", "この庁舎にその受付内容はありません。");
        var planned = (await AvailableAsync(office, service.Id, request.Date, ct)).FirstOrDefault(s => s.Slot.Start == request.Start)
            ?? throw new QueueException(409, "slot-unavailable", $"{Wareki.Format(request.Date)} {request.Start:H:mm} の予約枠はありません（閉庁日、受付終了、または計画にない時間です）。別の時間を選んでください。");
        var slot = await SlotRowAsync(office, service, request.Date, planned.Slot, ct);
        var token = ReceiptNumbers.NewSecret();
        var now = clock.GetUtcNow();
        var reservation = new Reservation
        {
            Number = ReceiptNumbers.NewReceiptNumber(),
            SlotId = slot.Id,
            OfficeId = office.Id,
            ServiceId = service.Id,
            Date = slot.Date,
            StartsAt = slot.StartsAt,
            Name = request.Name!.Trim(),
            Email = request.Email!.Trim(),
            Language = Shared.Localization.Lang.Parse(request.Language) is { } l ? Shared.Localization.Lang.Code(l) : "ja",
            TokenHash = ReceiptNumbers.Hash(token),
            Status = ReservationStatus.Booked,
            BookedAt = now,
        };
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            // The write comes first: SQLite takes its write lock here (waiting its turn), PostgreSQL
            // locks the row and re-checks Booked < Capacity after a concurrent booking commits.
            var taken = await db.ReservationSlots.Where(s => s.Id == slot.Id && s.Booked < s.Capacity)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.Booked, s => s.Booked + 1), ct);
            if (taken == 0)
            {
                throw new QueueException(409, "slot-full", $"{Wareki.Format(slot.Date)} {slot.Start:H:mm} の予約枠は満員になりました。別の時間を選んでください。");
            }
            db.Reservations.Add(reservation);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        db.Entry(reservation).State = EntityState.Detached;
        return new Booked(reservation, token, office, service);
    }

    private async Task<ReservationSlot> SlotRowAsync(Office office, QueueService service, DateOnly date, PlannedSlot planned, CancellationToken ct)
    {
        var existing = await db.ReservationSlots.AsNoTracking().FirstOrDefaultAsync(s => s.ServiceId == service.Id && s.Date == date && s.Start == planned.Start, ct);
        if (existing is not null) return existing;
        var slot = new ReservationSlot { OfficeId = office.Id, ServiceId = service.Id, Date = date, Start = planned.Start, StartsAt = planned.StartsAt, Capacity = planned.Capacity };
        db.ReservationSlots.Add(slot);
        try
        {
            await db.SaveChangesAsync(ct);
            db.Entry(slot).State = EntityState.Detached;
            return slot;
        }
        catch (DbUpdateException)
        {
            // Another booking wrote the row first (unique service, date, start): use theirs.
            db.ChangeTracker.Clear();
            return await db.ReservationSlots.AsNoTracking().FirstAsync(s => s.ServiceId == service.Id && s.Date == date && s.Start == planned.Start, ct);
        }
    }

    /// <summary>The reservation a link's secret opens, or null (an unknown or wrong secret looks the same).</summary>
    public async Task<Reservation?> FindAsync(string? token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100) return null;
        var hash = ReceiptNumbers.Hash(token.Trim().ToLowerInvariant());
        return await db.Reservations.AsNoTracking().FirstOrDefaultAsync(r => r.TokenHash == hash, ct);
    }

    /// <summary>The resident cancels before the slot starts; the place is free again at once.</summary>
    public async Task<Reservation> CancelAsync(string token, CancellationToken ct)
    {
        var r = await FindAsync(token, ct) ?? throw new QueueException(404, "reservation-not-found", "予約が見つかりません。");
        var now = clock.GetUtcNow();
        if (r.Status != ReservationStatus.Booked) throw new QueueException(409, "not-cancellable", "この予約は既に受付済み、または取り消し済みです。");
        if (now >= r.StartsAt) throw new QueueException(409, "too-late", "予約時刻を過ぎたため、取り消しはできません。");
        if (!await ReleaseAsync(r.Id, r.SlotId, ReservationStatus.Cancelled, now, ct))
        {
            throw new QueueException(409, "not-cancellable", "この予約は既に受付済み、または取り消し済みです。");
        }
        return (await db.Reservations.AsNoTracking().FirstAsync(x => x.Id == r.Id, ct));
    }

    /// <summary>Moves a booked reservation to Cancelled or NoShow and gives its place back, in one transaction; false when it was no longer booked.</summary>
    internal async Task<bool> ReleaseAsync(Guid id, Guid slotId, ReservationStatus to, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var changed = to == ReservationStatus.Cancelled
            ? await db.Reservations.Where(x => x.Id == id && x.Status == ReservationStatus.Booked)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, to).SetProperty(x => x.CancelledAt, now), ct)
            : await db.Reservations.Where(x => x.Id == id && x.Status == ReservationStatus.Booked)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, to).SetProperty(x => x.ReleasedAt, now), ct);
        if (changed == 0) return false;
        await db.ReservationSlots.Where(s => s.Id == slotId && s.Booked > 0).ExecuteUpdateAsync(u => u.SetProperty(s => s.Booked, s => s.Booked - 1), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// The kiosk reads the reservation number (from the QR code or typed): the reservation is claimed
    /// (Booked → CheckedIn, once), then a ticket is issued for its service and linked to it.
    /// </summary>
    public async Task<IssuedTicket> CheckInAsync(Guid officeId, string? code, string? kioskName, CancellationToken ct)
    {
        var number = ReceiptNumbers.Normalise(code)
            ?? throw new QueueException(422, "number-invalid", "予約番号を読み取れませんでした。QRコードをもう一度かざすか、予約番号（12桁の英数字）を入力してください。");
        var r = await db.Reservations.AsNoTracking().FirstOrDefaultAsync(x => x.Number == number && x.OfficeId == officeId, ct)
            ?? throw new QueueException(404, "reservation-not-found", $"予約番号 {number} の予約はこの庁舎にありません。予約した庁舎をご確認ください。");
        var now = clock.GetUtcNow();
        var today = JapanTime.DateOf(now);
        switch (r.Status)
        {
            case ReservationStatus.Cancelled:
                throw new QueueException(409, "reservation-cancelled", "この予約は取り消されています。整理券をお取りください。");
            case ReservationStatus.NoShow:
                throw new QueueException(409, "reservation-released", "予約時刻を過ぎたため、この予約は取り消されました。整理券をお取りください。");
            case ReservationStatus.CheckedIn:
                return await TicketOfAsync(r, ct);
        }
        if (r.Date != today) throw new QueueException(409, "other-day", $"この予約は {Wareki.Format(r.Date)} です。当日にお越しください。");
        var local = TimeZoneInfo.ConvertTime(r.StartsAt, JapanTime.Zone);
        if (now < r.StartsAt.AddMinutes(-Options.CheckInOpensMinutes))
        {
            throw new QueueException(409, "too-early", $"予約時刻は {local:H:mm} です。{local.AddMinutes(-Options.CheckInOpensMinutes):H:mm} から受付できます。");
        }
        if (now >= r.StartsAt.AddMinutes(Options.NoShowMinutes))
        {
            throw new QueueException(409, "reservation-released", "予約時刻を過ぎたため、この予約は取り消されました。整理券をお取りください。");
        }
        var claimed = await db.Reservations.Where(x => x.Id == r.Id && x.Status == ReservationStatus.Booked)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, ReservationStatus.CheckedIn).SetProperty(x => x.CheckedInAt, now), ct);
        if (claimed == 0) return await TicketOfAsync(await db.Reservations.AsNoTracking().FirstAsync(x => x.Id == r.Id, ct), ct);
        IssuedTicket issued;
        try
        {
            issued = await issuer.IssueAsync(officeId, r.ServiceId, new IssueRequest(r.Language), kioskName, ct);
        }
        catch
        {
            // No ticket, no check-in: the resident can scan again (or take a walk-in ticket).
            await db.Reservations.Where(x => x.Id == r.Id && x.Status == ReservationStatus.CheckedIn && x.TicketId == null)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, ReservationStatus.Booked).SetProperty(x => x.CheckedInAt, (DateTimeOffset?)null), CancellationToken.None);
            throw;
        }
        await db.Reservations.Where(x => x.Id == r.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.TicketId, issued.Ticket.Id), ct);
        // The ticket changes the calling order once due: the live layer re-reads the office.
        await notifier.OfficeChangedAsync(officeId, ct);
        return issued;
    }

    private async Task<IssuedTicket> TicketOfAsync(Reservation r, CancellationToken ct)
    {
        if (r.TicketId is not { } id) throw new QueueException(409, "checking-in", "この予約は受付処理中です。少し待ってからもう一度かざしてください。");
        var ticket = await db.Tickets.AsNoTracking().FirstAsync(t => t.Id == id, ct);
        var service = await db.QueueServices.AsNoTracking().FirstAsync(s => s.Id == ticket.ServiceId, ct);
        var office = await db.Offices.AsNoTracking().FirstAsync(o => o.Id == ticket.OfficeId, ct);
        return new IssuedTicket(ticket, service, office, await QueueQueries.AheadAsync(db, ticket, clock.GetUtcNow(), ct));
    }

    /// <summary>
    /// After the plan of a service changed: slots already written from today on take the new capacity
    /// (bookings made stay; a smaller capacity only stops new ones).
    /// </summary>
    public async Task RecomputeAsync(Guid serviceId, CancellationToken ct)
    {
        var service = await db.QueueServices.AsNoTracking().FirstAsync(s => s.Id == serviceId, ct);
        var office = await db.Offices.AsNoTracking().FirstAsync(o => o.Id == service.OfficeId, ct);
        var plans = await db.StaffingPlans.AsNoTracking().Where(p => p.ServiceId == serviceId).ToListAsync(ct);
        var business = await calendar.LoadAsync(ct);
        var today = JapanTime.Today(clock);
        var rows = await db.ReservationSlots.Where(s => s.ServiceId == serviceId && s.Date >= today).ToListAsync(ct);
        foreach (var row in rows)
        {
            row.Capacity = SlotPlanner.Slots(office, plans, business, row.Date).FirstOrDefault(s => s.Start == row.Start)?.Capacity ?? 0;
        }
        await db.SaveChangesAsync(ct);
    }
}
