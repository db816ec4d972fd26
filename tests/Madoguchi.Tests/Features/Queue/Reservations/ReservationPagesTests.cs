using System.Net;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Queue;
using Madoguchi.Web.Features.Queue.Reservations;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Madoguchi.Tests.Features.Queue.Reservations.ReservationKit;

namespace Madoguchi.Tests.Features.Queue.Reservations;

public sealed partial class ReservationPagesTests
{
    private const string Origin = "https://madoguchi.city.example.jp";

    [Fact]
    public async Task A_resident_books_through_the_pages_gets_the_mail_and_cancels_from_the_link_and_no_other_secret_opens_it()
    {
        await using var smtp = await Submissions.MailTests.Smtp.StartAsync();
        await using var app = await MadoguchiFactory.CreateAsync(smtp.Settings(Origin));
        var q = await app.SetupAsync();
        await app.SaveAsync(Plan(q, DayOfWeek.Wednesday, counters: 1));
        using var resident = app.CreatePlainClient();

        var start = await resident.GetStringAsync("/reservations", Ct);
        Assert.Contains($"href=\"/reservations/{q.Office.Id}\"", start);
        var services = await resident.GetStringAsync($"/reservations/{q.Office.Id}", Ct);
        Assert.Contains($"?service={q.Service.Id}", services);
        Assert.DoesNotContain($"?service={q.Other.Id}", services);
        var dates = await resident.GetStringAsync($"/reservations/{q.Office.Id}?service={q.Service.Id}", Ct);
        Assert.Contains("date=2025-04-02", dates);
        // 4/1 10:00 now: today's slots close 30 minutes ahead and there is no Tuesday plan; weekends never show.
        Assert.DoesNotContain("date=2025-04-01", dates);
        Assert.DoesNotContain("date=2025-04-05", dates);
        var times = await resident.GetStringAsync($"/reservations/{q.Office.Id}?service={q.Service.Id}&date=2025-04-02", Ct);
        var bookUrl = $"/reservations/{q.Office.Id}/book?service={q.Service.Id}&date=2025-04-02&time=10:30";
        Assert.Contains(bookUrl.Replace("&", "&amp;", StringComparison.Ordinal), times);

        var wrong = await MadoguchiFactory.PostFormAsync(resident, bookUrl, new() { ["Input.Name"] = "", ["Input.Email"] = "hanako@" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.StatusCode);
        var wrongPage = await wrong.Content.ReadAsStringAsync(Ct);
        Assert.Contains("お名前を入力してください。", wrongPage);
        Assert.Contains("メールアドレス「hanako@」の形式が正しくありません。", wrongPage);

        var booked = await MadoguchiFactory.PostFormAsync(resident, bookUrl, new() { ["Input.Name"] = "江東 花子", ["Input.Email"] = "hanako@example.jp" });
        Assert.Equal(HttpStatusCode.Redirect, booked.StatusCode);
        var mail = await smtp.NextAsync();
        Assert.Equal("hanako@example.jp", mail.To.ToString());
        var text = mail.TextBody ?? "";
        var number = NumberPattern().Match(text).Groups[1].Value;
        Assert.Contains(number, mail.Subject);
        Assert.Contains("令和7年4月2日（水）10:30", text);
        var link = Regex.Match(text, $@"{Regex.Escape(Origin)}(/reservations/r/[0-9a-f]+)").Groups[1].Value;
        Assert.NotEmpty(link);
        Assert.StartsWith(link, booked.Headers.Location!.OriginalString);

        Assert.Contains("予約しました。確認メールをお送りしました。", await resident.GetStringAsync(booked.Headers.Location!.OriginalString, Ct));
        var page = await resident.GetStringAsync(link, Ct);
        Assert.Contains(number, page);
        Assert.Contains("予約済", page);
        Assert.Contains($"<img src=\"{link}/qr\"", page);
        var qr = await resident.GetAsync(link + "/qr", Ct);
        Assert.Equal("image/svg+xml", qr.Content.Headers.ContentType?.MediaType);
        // A secret that is not this reservation's opens nothing, nor its QR code.
        var other = await app.BookAsync(q, new DateOnly(2025, 4, 2), new TimeOnly(11, 0), name: "別の 人");
        Assert.Equal(HttpStatusCode.NotFound, (await resident.GetAsync(link[..^2] + (link.EndsWith("00", StringComparison.Ordinal) ? "11" : "00"), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await resident.GetAsync(link + "x/qr", Ct)).StatusCode);
        Assert.DoesNotContain(number, await resident.GetStringAsync($"/reservations/r/{other.Token}", Ct));
        // The only place of 10:30 is taken: shown as full.
        Assert.Contains("満員", await resident.GetStringAsync($"/reservations/{q.Office.Id}?service={q.Service.Id}&date=2025-04-02", Ct));

        var cancel = await MadoguchiFactory.PostFormAsync(resident, link + "?handler=Cancel", [], link);
        Assert.Equal(HttpStatusCode.Redirect, cancel.StatusCode);
        var after = await resident.GetStringAsync(cancel.Headers.Location!.OriginalString, Ct);
        Assert.Contains("予約を取り消しました。", after);
        Assert.Contains("取消", after);
        Assert.DoesNotContain("/qr\"", after);
        Assert.Contains(bookUrl.Replace("&", "&amp;", StringComparison.Ordinal), await resident.GetStringAsync($"/reservations/{q.Office.Id}?service={q.Service.Id}&date=2025-04-02", Ct));
    }

    [Fact]
    public async Task A_resident_reading_in_english_is_told_in_english_why_a_booking_is_refused()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync();
        await app.SaveAsync(Plan(q, DayOfWeek.Wednesday, counters: 1));
        using var resident = app.CreateEnglishClient();
        var bookUrl = $"/reservations/{q.Office.Id}/book?service={q.Service.Id}&date=2025-04-02&time=10:30";

        var empty = await MadoguchiFactory.PostFormAsync(resident, bookUrl, new() { ["Input.Name"] = "", ["Input.Email"] = "hanako@" });
        var emptyPage = WebUtility.HtmlDecode(await empty.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.Contains("Enter your name.", emptyPage);
        Assert.Contains("\"hanako@\" is not an email address.", emptyPage);
        Assert.DoesNotContain("お名前を入力してください。", emptyPage);

        // 7:00 is before the plan of this office: the booking itself is refused, not the details.
        var unplanned = await MadoguchiFactory.PostFormAsync(resident, bookUrl.Replace("10:30", "07:00", StringComparison.Ordinal),
            new() { ["Input.Name"] = "Anna Smith", ["Input.Email"] = "anna@example.jp" });
        var unplannedPage = WebUtility.HtmlDecode(await unplanned.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Conflict, unplanned.StatusCode);
        Assert.Contains("That time cannot be booked", unplannedPage);
        Assert.DoesNotContain("予約枠はありません", unplannedPage);
    }

    [Fact]
    public async Task Staff_plan_the_counters_on_a_page_and_see_the_days_reservations_with_an_audit_entry()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync();
        var admin = await app.SignedInClientAsync(Roles.Admin);
        var url = $"/staff/queue/staffing?office={q.Office.Id}";
        var fields = new Dictionary<string, string>
        {
            ["Input.Service"] = q.Service.Id.ToString(),
            ["Input.Weekday"] = "3",
            ["Input.Date"] = "",
            ["Input.From"] = "13:00",
            ["Input.To"] = "12:00",
            ["Input.Counters"] = "3",
            ["Input.MinutesPerVisit"] = "20",
            ["Input.BookablePercent"] = "40",
            ["Input.SlotMinutes"] = "30",
        };
        var refused = await MadoguchiFactory.PostFormAsync(admin, $"/staff/queue/staffing?handler=Add&office={q.Office.Id}", new(fields), url);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("終了時刻（12:00）は開始時刻（13:00）より後にしてください。", await refused.Content.ReadAsStringAsync(Ct));

        fields["Input.To"] = "15:00";
        var added = await MadoguchiFactory.PostFormAsync(admin, $"/staff/queue/staffing?handler=Add&office={q.Office.Id}", new(fields), url);
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        // 3 counters × 30 min ÷ 20 min × 40 % = 1.8 → 1 place per slot.
        Assert.Contains("data-testid=\"plan-capacity\">1<", await admin.GetStringAsync(url, Ct));
        var slots = await app.BookServiceAsync(b => b.AvailableAsync(q.Office, q.Service.Id, new DateOnly(2025, 4, 2), Ct));
        Assert.Equal(["13:00", "13:30", "14:00", "14:30"], slots.Select(s => s.Slot.Start.ToString("HH:mm")));
        Assert.All(slots, s => Assert.Equal(1, s.Left));

        await app.BookAsync(q, new DateOnly(2025, 4, 2), new TimeOnly(13, 30), name: "江東 花子", email: "hanako@example.jp");
        var counter = await app.SignedInClientAsync(Roles.Counter);
        var list = await counter.GetStringAsync($"/staff/queue/reservations?office={q.Office.Id}&date=2025-04-02", Ct);
        Assert.Contains("江東 花子", list);
        Assert.Contains("hanako@example.jp", list);
        Assert.Contains("予約済", list);
        await using var scope = app.Scope();
        var audit = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().AuditEntries.AsNoTracking()
            .Where(e => e.Action == "queue.reservations.viewed").ToListAsync(Ct);
        Assert.Single(audit);
        Assert.Contains("date=2025-04-02", audit[0].Detail);
        // Only admins change the plan.
        var denied = await counter.GetAsync(url, Ct);
        Assert.Contains("/staff/denied", denied.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"予約番号: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")]
    private static partial Regex NumberPattern();
}
