using System.Net;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Queue;
using Madoguchi.Web.Features.Queue.Waits;
using Madoguchi.Web.Features.Staff;
using Microsoft.Extensions.DependencyInjection;
using static Madoguchi.Tests.Features.Queue.QueueKit;

namespace Madoguchi.Tests.Features.Queue.Waits;

public sealed class WaitAccuracyTests
{
    private static readonly DateOnly Day = new(2025, 4, 1);

    /// <summary>
    /// 転入: 10–20 shown, 12:00 real (off by 3:00, inside); 0–5 shown, 8:30 real (6:00, outside); 20–40 shown,
    /// 40:00 real (10:00, inside: bounds count); 5–10 shown, never called (not counted).
    /// 転出: 10–15 shown, 12:30 real (0, inside); 10–15 shown, 16:15 real (3:45, outside).
    /// Another day's ticket is outside the period.
    /// </summary>
    private static async Task<QueueSetup> HandBuiltDayAsync(MadoguchiFactory app)
    {
        var q = await app.SetupAsync(counters: 1);
        var rows = new (QueueService Service, int Low, int High, int? Wait, DateOnly Date)[]
        {
            (q.Service, 10, 20, 720, Day),
            (q.Service, 0, 5, 510, Day),
            (q.Service, 20, 40, 2400, Day),
            (q.Service, 5, 10, null, Day),
            (q.Other, 10, 15, 750, Day),
            (q.Other, 10, 15, 975, Day),
            (q.Service, 0, 1, 3600, Day.AddDays(-1)),
        };
        var entities = new List<object>();
        var number = 2000;
        foreach (var r in rows)
        {
            var at = new DateTimeOffset(r.Date.ToDateTime(new TimeOnly(9, 0)), TimeSpan.FromHours(9));
            var ticket = new Ticket
            {
                OfficeId = q.Office.Id,
                ServiceDate = r.Date,
                Number = number++,
                ServiceId = r.Service.Id,
                ArrivedAt = at,
                QueuedAt = at,
                Status = r.Wait is null ? TicketStatus.Waiting : TicketStatus.Done,
                StatusToken = Guid.NewGuid().ToString("N"),
            };
            entities.Add(ticket);
            entities.Add(new WaitEstimate
            {
                TicketId = ticket.Id,
                OfficeId = q.Office.Id,
                ServiceId = r.Service.Id,
                ServiceDate = r.Date,
                IssuedAt = at,
                Low = r.Low,
                High = r.High,
                IsDefault = r.Low == 0,
                WaitSeconds = r.Wait,
                CalledAt = r.Wait is { } w ? at.AddSeconds(w) : null,
            });
        }
        await app.SaveAsync([.. entities]);
        return q;
    }

    [Fact]
    public async Task The_report_gives_the_exact_mean_absolute_error_and_share_inside_the_range_per_service_and_overall()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await HandBuiltDayAsync(app);
        await using var scope = app.Scope();
        var report = (await scope.ServiceProvider.GetRequiredService<WaitAccuracy>().ReportAsync(q.Office.Id, Day, Day, Ct))!;

        var tennyu = report.Services.Single(s => s.ServiceId == q.Service.Id);
        Assert.Equal((4, 3, 2, 1), (tennyu.Issued, tennyu.Called, tennyu.Inside, tennyu.Defaults));
        // (180 + 360 + 600) s ÷ 3 = 6:20 → 6.3 minutes; 2 of 3 → 66.7 %.
        Assert.Equal(6.3m, tennyu.MaeMinutes(RoundingMode.HalfUp));
        Assert.Equal(66.7m, tennyu.InsidePercent(RoundingMode.HalfUp));
        var tenshutsu = report.Services.Single(s => s.ServiceId == q.Other.Id);
        // (0 + 225) s ÷ 2 = 1.875 minutes: 1.9 half-up, 1.8 truncated; 1 of 2 → 50.0 %.
        Assert.Equal(1.9m, tenshutsu.MaeMinutes(RoundingMode.HalfUp));
        Assert.Equal(1.8m, tenshutsu.MaeMinutes(RoundingMode.Truncate));
        Assert.Equal(50.0m, tenshutsu.InsidePercent(RoundingMode.HalfUp));
        // Overall: 1,365 s ÷ 5 = 4.55 minutes → 4.6 half-up (四捨五入), 4.5 truncated; 3 of 5 → 60.0 %.
        Assert.Equal((6, 5, 3), (report.Overall.Issued, report.Overall.Called, report.Overall.Inside));
        Assert.Equal(4.6m, report.Overall.MaeMinutes(RoundingMode.HalfUp));
        Assert.Equal(4.5m, report.Overall.MaeMinutes(RoundingMode.Truncate));
        Assert.Equal(60.0m, report.Overall.InsidePercent(RoundingMode.HalfUp));

        // A period with nothing called has no error and no rate, not zeros.
        var empty = (await scope.ServiceProvider.GetRequiredService<WaitAccuracy>().ReportAsync(q.Office.Id, Day.AddDays(1), Day.AddDays(1), Ct))!;
        Assert.Null(empty.Overall.MaeMinutes(RoundingMode.HalfUp));
        Assert.Null(empty.Overall.InsidePercent(RoundingMode.HalfUp));
    }

    [Fact]
    public async Task The_cli_and_the_staff_page_report_the_same_figures_for_a_period_given_in_wareki()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await HandBuiltDayAsync(app);

        var text = await CliRunner.RunAsync(app.Database, "queue", "accuracy", "--office", q.Office.Name, "--from", "R7.4.1", "--to", "令和7年4月1日");
        Assert.Equal(0, text.ExitCode);
        var lines = text.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("令和7年4月1日〜令和7年4月1日", lines[0]);
        Assert.Equal("転入\t4\t3\t6.3\t66.7%（2/3）\t1", lines[2].TrimEnd('\r'));
        Assert.Equal("転出\t2\t2\t1.9\t50.0%（1/2）\t0", lines[3].TrimEnd('\r'));
        Assert.Equal("合計\t6\t5\t4.6\t60.0%（3/5）\t1", lines[4].TrimEnd('\r'));

        var json = await CliRunner.RunAsync(app.Database, "queue", "accuracy", "--office", q.Office.Id.ToString(), "--from", "2025-04-01", "--format", "json");
        Assert.Equal(0, json.ExitCode);
        Assert.Contains("\"meanAbsoluteErrorMinutes\": 4.6", json.Stdout);
        Assert.Contains("\"insidePercent\": 60.0", json.Stdout);

        var bad = await CliRunner.RunAsync(app.Database, "queue", "accuracy", "--office", q.Office.Name, "--from", "2025-04-31");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--from の日付 '2025-04-31' を読めません", bad.Stderr);

        using var client = await app.SignedInClientAsync(Roles.Counter);
        var page = await client.GetAsync($"/staff/queue/accuracy?office={q.Office.Id}&from=R7.4.1&to=2025-04-01", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<td data-numeric>6.3分</td>", html);
        Assert.Contains("66.7%（2/3）", html);
        Assert.Contains("<td data-numeric>4.6分</td>", html);
        Assert.Contains("60.0%（3/5）", html);
        using var anonymous = app.CreatePlainClient();
        Assert.Equal(HttpStatusCode.Redirect, (await anonymous.GetAsync("/staff/queue/accuracy", Ct)).StatusCode);
    }
}
