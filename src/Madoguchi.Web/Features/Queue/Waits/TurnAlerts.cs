using System.Globalization;
using System.Threading.RateLimiting;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Protection;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue.Waits;

/// <summary>What a ticket's status page shows about its "your turn is near" mail.</summary>
public sealed record TurnAlertView(string MaskedEmail, int Threshold, bool Sent);

/// <summary>Why an address was not taken, in the resident's three languages, with the field it concerns.</summary>
public sealed class TurnAlertException(string field, FieldMessage message) : Exception(message.Ja)
{
    public string Field { get; } = field;
    public FieldMessage Text { get; } = message;
}

/// <summary>
/// Per client address: at most 10 addresses set in 10 minutes (the page is anonymous; this keeps it
/// from becoming a way to mail strangers). One per app instance, like the other rate limits.
/// </summary>
public sealed class TurnAlertLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(10), QueueLimit = 0 }));

    public bool TryTake(string clientKey)
    {
        using var lease = _limiter.AttemptAcquire(clientKey);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>
/// "Your turn is near" (issue 10): a resident leaves an e-mail address and N on the ticket's status
/// page and gets one mail when N or fewer people are ahead, or when called if that comes first. The
/// instance that commits a counter action checks the office's pending alerts right after; a mail is
/// claimed by a conditional UPDATE (… WHERE SentAt IS NULL), so however many instances check, it goes once.
/// The address is encrypted in the personal-data vault, read once to send (audited), then deleted;
/// alerts of past days are deleted with their addresses.
/// </summary>
public sealed class TurnAlerts(
    MadoguchiDbContext db, PersonalDataVault vault, MailOutbox outbox, TimeProvider clock, IHttpContextAccessor http, IConfiguration configuration)
{
    public const string OwnerType = "queue-turn-alert";
    public const string Field = "email";
    public const int MaxThreshold = 20;
    /// <summary>Addresses a ticket may be given in turn (a typo corrected, not a list of strangers).</summary>
    public const int MaxChanges = 3;

    /// <summary>Mail is possible at all (an SMTP server is configured): otherwise the page offers no form.</summary>
    public bool Enabled => outbox.Enabled;

    public async Task<TurnAlertView?> FindAsync(string token, CancellationToken ct)
        => await (from a in db.TurnAlerts.AsNoTracking()
                  join t in db.Tickets on a.TicketId equals t.Id
                  where t.StatusToken == token
                  select new TurnAlertView(a.MaskedEmail, a.Threshold, a.SentAt != null)).FirstOrDefaultAsync(ct);

    /// <summary>Sets (or replaces) the ticket's alert. Throws <see cref="TurnAlertException"/> for input to correct.</summary>
    public async Task<TurnAlertView> SetAsync(string token, string? email, string? threshold, string language, CancellationToken ct)
    {
        var ticket = await db.Tickets.AsNoTracking().FirstOrDefaultAsync(t => t.StatusToken == token, ct)
            ?? throw new QueueException(404, "ticket-not-found", "その整理券はありません。");
        var today = JapanTime.Today(clock);
        if (ticket.ServiceDate != today || ticket.Status is TicketStatus.Done or TicketStatus.Called || (ticket.Status == TicketStatus.NoShow && ticket.ReturnsAt is null))
        {
            throw new TurnAlertException("email", new FieldMessage(
                "この整理券は今、順番を待っていないため、お知らせメールは登録できません。",
                "This ticket is not waiting now, so no reminder can be set.",
                "この <ruby>番号<rt>ばんごう</rt></ruby>は いま まって いません。メールは おくれません。"));
        }
        var n = ParseThreshold(threshold);
        var address = EmailField.Validate(email);
        if (!address.IsValid) throw new TurnAlertException("email", address.Error.Message);
        var existing = await db.TurnAlerts.FirstOrDefaultAsync(a => a.TicketId == ticket.Id, ct);
        if (existing is { SentAt: not null })
        {
            throw new TurnAlertException("email", new FieldMessage("お知らせメールは既に送りました。", "The reminder has already been sent.", "メールは もう おくりました。"));
        }
        if (existing is { Changes: >= MaxChanges })
        {
            throw new TurnAlertException("email", new FieldMessage(
                $"この整理券のメールアドレスは{MaxChanges}回まで変更できます。窓口の呼出し表示でお待ちください。",
                $"The address of this ticket can be changed {MaxChanges} times at most. Please watch the lobby display.",
                "これ いじょう メールアドレスを かえる ことは できません。よびだしの <ruby>画面<rt>がめん</rt></ruby>を <ruby>見<rt>み</rt></ruby>て ください。"));
        }
        var alert = existing ?? new TurnAlert { TicketId = ticket.Id, OfficeId = ticket.OfficeId, ServiceDate = ticket.ServiceDate };
        alert.Threshold = n;
        alert.MaskedEmail = Mask(address.Value);
        alert.Language = language is "en" or "easy" ? language : "ja";
        alert.CreatedAt = clock.GetUtcNow();
        alert.Changes++;
        var owner = alert.Id.ToString();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (existing is null) db.TurnAlerts.Add(alert);
        await db.ProtectedValues.Where(v => v.OwnerType == OwnerType && v.OwnerId == owner).ExecuteDeleteAsync(ct);
        db.ProtectedValues.Add(await vault.SealAsync(OwnerType, owner, Field, EmailField.ToAscii(address.Value) ?? address.Value, ct));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new TurnAlertView(alert.MaskedEmail, n, false);
    }

    /// <summary>
    /// After a committed change to an office's queue: mails every pending alert whose ticket now has
    /// its threshold or fewer ahead, or has been called; drops alerts whose ticket left the queue.
    /// </summary>
    public async Task QueueMovedAsync(Guid officeId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = JapanTime.DateOf(now);
        await PurgeAsync(today, ct);
        var pending = await db.TurnAlerts.AsNoTracking().Where(a => a.OfficeId == officeId && a.ServiceDate == today && a.SentAt == null)
            .Join(db.Tickets, a => a.TicketId, t => t.Id, (a, t) => new { Alert = a, Ticket = t }).ToListAsync(ct);
        foreach (var p in pending)
        {
            var t = p.Ticket;
            int? ahead = null;
            var gone = t.Status == TicketStatus.Done || (t.Status == TicketStatus.NoShow && t.ReturnsAt is null);
            if (!gone && t.Status != TicketStatus.Called)
            {
                ahead = await QueueQueries.AheadAsync(db, t, now, ct);
                if (ahead > p.Alert.Threshold) continue;
            }
            // The claim: only the instance whose UPDATE changes the row sends.
            var claimed = await db.TurnAlerts.Where(a => a.Id == p.Alert.Id && a.SentAt == null).ExecuteUpdateAsync(u => u.SetProperty(a => a.SentAt, now), ct);
            if (claimed == 0) continue;
            var owner = p.Alert.Id.ToString();
            if (!gone && outbox.Enabled)
            {
                var to = await vault.GetAsync(OwnerType, owner, Field, "順番のお知らせメール送信", ct);
                if (to is not null) outbox.Enqueue(await MailAsync(p.Alert, t, ahead, to, ct));
            }
            // Sent (or no longer needed): the address is not kept.
            await vault.DeleteAsync(OwnerType, owner, Field, ct);
        }
    }

    /// <summary>Alerts of past days go with their addresses, sent or not.</summary>
    private async Task PurgeAsync(DateOnly today, CancellationToken ct)
    {
        var old = await db.TurnAlerts.Where(a => a.ServiceDate < today).OrderBy(a => a.Id).Select(a => a.Id).Take(500).ToListAsync(ct);
        if (old.Count == 0) return;
        var owners = old.Select(id => id.ToString()).ToList();
        await db.ProtectedValues.Where(v => v.OwnerType == OwnerType && owners.Contains(v.OwnerId)).ExecuteDeleteAsync(ct);
        await db.TurnAlerts.Where(a => old.Contains(a.Id)).ExecuteDeleteAsync(ct);
    }

    private static int ParseThreshold(string? text)
    {
        var s = TextNormalizer.Normalize(text);
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxThreshold) return n;
        throw new TurnAlertException("ahead", new FieldMessage(
            $"人数は1から{MaxThreshold}までの数字で入力してください（例: 3）。",
            $"Enter a number from 1 to {MaxThreshold} (for example 3).",
            $"1から{MaxThreshold}までの <ruby>数字<rt>すうじ</rt></ruby>を いれて ください（れい: 3）。"));
    }

    /// <summary>"hanako@example.jp" → "h***@example.jp": enough for the resident to recognise it, not to read it.</summary>
    public static string Mask(string address)
    {
        var at = address.LastIndexOf('@');
        return at <= 0 ? "***" : address[0] + "***" + address[at..];
    }

    private async Task<MailMessageText> MailAsync(TurnAlert alert, Ticket ticket, int? ahead, string to, CancellationToken ct)
    {
        var office = await db.Offices.AsNoTracking().Where(o => o.Id == ticket.OfficeId).Select(o => new { o.Name, o.NameEn }).FirstAsync(ct);
        var counter = ticket.CounterId is { } id ? await db.QueueCounters.AsNoTracking().Where(c => c.Id == id).Select(c => c.Number).FirstOrDefaultAsync(ct) : null;
        var link = Origin() + "/queue/tickets/" + Uri.EscapeDataString(ticket.StatusToken);
        return TurnMails.Near(to, alert.Language, ticket.Number, ahead, counter, office.Name, office.NameEn, link);
    }

    private string Origin()
    {
        if (configuration[Staff.Passkeys.PublicOriginSetting] is { Length: > 0 } configured) return configured.TrimEnd('/');
        var request = http.HttpContext?.Request;
        return request is null ? "" : $"{request.Scheme}://{request.Host}";
    }
}

/// <summary>The "your turn is near" mail in ja / en / やさしい日本語 (plain text, no personal data besides the number).</summary>
public static class TurnMails
{
    public static MailMessageText Near(string to, string language, int number, int? ahead, string? counter, string office, string officeEn, string link)
    {
        var called = ahead is null;
        var n = ahead?.ToString(CultureInfo.InvariantCulture) ?? "0";
        return language switch
        {
            "en" => new(to, called ? $"Number {number}: you are being called" : $"Number {number}: your turn is near",
                $"""
                {(called ? $"Number {number} is being called{(counter is null ? "" : $" to counter {counter}")}. Please go to the counter." : $"{n} people are ahead of number {number}. Please come back to the waiting area.")}

                Office: {(officeEn.Length > 0 ? officeEn : office)}
                Live status: {link}

                This e-mail was sent once, because you asked for it on the ticket's status page. Your address has now been deleted.
                This e-mail was sent automatically; replies are not read.
                """),
            "easy" => new(to, called ? $"{number}ばんの かた、よばれて います" : $"{number}ばんの かた、もうすぐ じゅんばんです",
                $"""
                {(called ? $"{number}ばんの かた、{(counter is null ? "" : $"{counter}ばんの まどぐちに ")}きて ください。" : $"{number}ばんの まえに {n}にん います。まちあいに もどって ください。")}

                ばしょ: {office}
                いまの じょうきょう: {link}

                この メールは 1かいだけ おくります。メールアドレスは けしました。
                この メールに へんじを しないで ください。
                """),
            _ => new(to, called ? $"{number}番の方、呼出し中です" : $"{number}番の方、まもなく順番です",
                $"""
                {(called ? $"{number}番の方を{(counter is null ? "" : $"{counter}番窓口で")}お呼びしています。窓口へお越しください。" : $"{number}番の前の方は、あと{n}人です。待合にお戻りください。")}

                庁舎: {office}
                現在の状況: {link}

                整理券の状況ページでご依頼いただいたお知らせです（1回だけお送りします）。メールアドレスは送信後に削除しました。
                このメールは送信専用です。返信はお受けできません。
                """),
        };
    }
}
