using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Queue;
using Madoguchi.Web.Features.Queue.Statistics;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Madoguchi.Tests.Features.Queue.QueueKit;

namespace Madoguchi.Tests.Features.Queue;

public sealed partial class QueueStatisticsTests
{
    private static DateTimeOffset Jst(int day, int hour, int minute) => new(2025, 4, day, hour, minute, 0, TimeSpan.FromHours(9));

    /// <summary>
    /// A hand-built morning at the counters (2025-04-01): 転入 (受付|審査) and 転出 (受付), one no-show
    /// called back later, and a 転出 ticket transferred to 転入. The expected figures are worked out by
    /// hand in the comments.
    /// </summary>
    private static async Task<(QueueSetup Q, List<Ticket> Tickets)> MorningAsync(MadoguchiFactory app)
    {
        var q = await app.SetupAsync(counters: 2, service: s => s.Steps = "受付|審査");
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<MunicipalityService>().SetAsync("江東区", null, null, Ct);
        }
        var (c1, c2) = (q.Counters[0].Id, q.Counters[1].Id);
        async Task<Ticket> Issue(int h, int m, QueueService s)
        {
            app.Clock.Set(Jst(1, h, m));
            return await app.IssueAsync(q, s);
        }
        Task Do(int h, int m, Func<CounterOperations, Task> action)
        {
            app.Clock.Set(Jst(1, h, m));
            return app.OpsAsync(async ops => { await action(ops); return 0; });
        }
        var a = await Issue(9, 0, q.Service);
        var b = await Issue(9, 5, q.Service);
        var c = await Issue(9, 10, q.Other);
        await app.AssignAsync(q.Counters[0], q.Service, q.Other);
        await app.AssignAsync(q.Counters[1], q.Service, q.Other);
        await Do(9, 12, ops => ops.CallNextAsync(c1, "clerk-1", a.Id, Ct));   // A waited 12:00 for 受付
        await Do(9, 20, ops => ops.CompleteAsync(c1, "clerk-1", Ct));          // 受付 took 8:00; A queues for 審査
        await Do(9, 21, ops => ops.CallNextAsync(c2, "clerk-2", b.Id, Ct));   // B waited 16:00
        await Do(9, 24, ops => ops.NoShowAsync(c2, "clerk-2", Ct));            // B not there: no-show
        await Do(9, 25, ops => ops.CallNextAsync(c1, "clerk-1", a.Id, Ct));   // A waited 5:00 for 審査
        await Do(9, 35, ops => ops.CompleteAsync(c1, "clerk-1", Ct));          // 審査 10:00; A done
        await Do(9, 40, ops => ops.CallNextAsync(c2, "clerk-2", c.Id, Ct));   // C waited 30:00 for 転出
        await Do(9, 43, ops => ops.TransferAsync(c2, "clerk-2", q.Service.Id, 0, Ct)); // 3:00, then to 転入 受付
        await Do(9, 50, ops => ops.CallNextAsync(c2, "clerk-2", b.Id, Ct));   // B back after the no-show: no new wait
        await Do(9, 55, ops => ops.CompleteAsync(c2, "clerk-2", Ct));          // B's 受付 5:00
        await Do(10, 0, ops => ops.CallNextAsync(c1, "clerk-1", c.Id, Ct));   // C waited 17:00 at 転入 受付
        await Do(10, 4, ops => ops.CompleteAsync(c1, "clerk-1", Ct));          // 4:00; C waits for 審査 (still at the end)
        var d = await Issue(10, 5, q.Other);
        await Do(10, 6, ops => ops.CallNextAsync(c2, "clerk-2", b.Id, Ct));   // B waited 11:00 for 審査
        await Do(10, 16, ops => ops.CompleteAsync(c2, "clerk-2", Ct));         // 10:00; B done
        await Do(10, 20, ops => ops.CallNextAsync(c2, "clerk-2", d.Id, Ct));  // D waited 15:00
        await Do(10, 22, ops => ops.CompleteAsync(c2, "clerk-2", Ct));         // 2:00; D done
        return (q, [a, b, c, d]);
    }

    private static async Task<StatisticsResult> ComputeAsync(MadoguchiFactory app, QueueSetup q, StatisticsBy by)
    {
        await using var scope = app.Scope();
        return (await scope.ServiceProvider.GetRequiredService<QueueStatistics>().ComputeAsync(q.Office.Id, new DateOnly(2025, 4, 1), new DateOnly(2025, 4, 1), by, Ct))!;
    }

    private static object?[] Row(StatisticsTable table, string label) => table.Rows.Single(r => (string)r[0]! == label);

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task A_hand_built_day_gives_the_exact_counts_medians_and_p90s_per_service()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (q, _) = await MorningAsync(app);

        var table = StatisticsTable.From(await ComputeAsync(app, q, StatisticsBy.Service));

        // 転入: issued A, B; waits 300, 660, 720, 960, 1020 s; service 240, 300, 480, 600, 600 s; A and B done; B's no-show.
        Assert.Equal(new object?[] { "転入", 2, 5, 2, 12.0m, 17.0m, 8.0m, 10.0m, 1, 0, 0 }, Row(table, "転入"));
        // 転出: issued C, D; waits 900, 1800 s; service 120, 180 s; D done; C transferred away.
        Assert.Equal(new object?[] { "転出", 2, 2, 1, 15.0m, 30.0m, 2.0m, 3.0m, 0, 1, 0 }, Row(table, "転出"));
        // The reservations module reports kept reservations: the column is there, 0 on a day without any.
        Assert.Contains(table.Columns, c => c.Header == "予約来庁");
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task The_same_day_per_hour_and_per_step_counts_each_measure_in_its_own_hour_and_step()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (q, _) = await MorningAsync(app);

        var hours = StatisticsTable.From(await ComputeAsync(app, q, StatisticsBy.Hour));
        var steps = StatisticsTable.From(await ComputeAsync(app, q, StatisticsBy.Step));

        // Waits by the hour they began (six began at 9), service times by the hour of the call.
        Assert.Equal(new object?[] { "9時台", 3, 4, 1, 12.0m, 30.0m, 5.0m, 10.0m, 1, 1, 0 }, Row(hours, "9時台"));
        Assert.Equal(new object?[] { "10時台", 1, 3, 2, 15.0m, 15.0m, 4.0m, 10.0m, 0, 0, 0 }, Row(hours, "10時台"));
        Assert.Equal(2, hours.Rows.Count);
        Assert.Equal(new object?[] { "転入・受付", 2, 3, 0, 16.0m, 17.0m, 5.0m, 8.0m, 1, 0, 0 }, Row(steps, "転入・受付"));
        Assert.Equal(new object?[] { "転入・審査", 0, 2, 2, 5.0m, 11.0m, 10.0m, 10.0m, 0, 0, 0 }, Row(steps, "転入・審査"));
        Assert.Equal(new object?[] { "転出・受付", 2, 2, 1, 15.0m, 30.0m, 2.0m, 3.0m, 0, 1, 0 }, Row(steps, "転出・受付"));
    }

    [Fact]
    public void Minutes_are_rounded_half_up_or_truncated_from_whole_seconds()
    {
        Assert.Equal(0.2m, QueueStatistics.Minutes(9, RoundingMode.HalfUp));   // 0.15 min
        Assert.Equal(0.1m, QueueStatistics.Minutes(9, RoundingMode.Truncate));
        Assert.Equal(12.1m, QueueStatistics.Minutes(723, RoundingMode.HalfUp)); // 12.05 min
        Assert.Equal(12.0m, QueueStatistics.Minutes(723, RoundingMode.Truncate));
        Assert.Null(QueueStatistics.Minutes(null, RoundingMode.HalfUp));
        Assert.Equal("12.0", StatisticsTable.Display(QueueStatistics.Minutes(720, RoundingMode.HalfUp)));
    }

    [Fact]
    public void Percentiles_are_nearest_rank_values_that_really_occurred()
    {
        var h = new SecondsHistogram();
        Assert.Null(h.Percentile(50));
        foreach (var s in new[] { 40, 10, 30, 20 }) h.Add(s);
        Assert.Equal(20, h.Percentile(50));
        Assert.Equal(40, h.Percentile(90));
        for (var i = 1; i <= 6; i++) h.Add(100 + i);
        // Ten values: the 5th and the 9th.
        Assert.Equal(101, h.Percentile(50));
        Assert.Equal(105, h.Percentile(90));
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task The_page_takes_wareki_dates_and_its_csv_has_the_same_numbers_as_its_table()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (q, _) = await MorningAsync(app);
        var client = await app.SignedInClientAsync(Roles.Dx);
        var query = $"office={q.Office.Id}&from={Uri.EscapeDataString("令和7年4月1日")}&to={Uri.EscapeDataString("R7.4.1")}&by=service";

        var page = await client.GetStringAsync($"/staff/queue/statistics?{query}", Ct);
        var csvResponse = await client.GetAsync($"/staff/queue/statistics?handler=csv&{query}", Ct);
        var bytes = await csvResponse.Content.ReadAsByteArrayAsync(Ct);

        Assert.Contains("令和7年4月1日（2025-04-01）", page);
        Assert.Contains("role=\"img\"", page);
        Assert.Contains("<title id=\"chart-issued-title\">", page);
        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var csv = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToList();
        var html = TableRows().Matches(page[page.IndexOf("data-testid=\"statistics-table\"", StringComparison.Ordinal)..])
            .Select(m => Cell().Matches(m.Value).Select(c => WebUtility.HtmlDecode(c.Groups[1].Value.Trim())).ToArray()).ToList();
        Assert.Equal(csv.Count, html.Count);
        Assert.Equal(["転入", "2", "5", "2", "12.0", "17.0", "8.0", "10.0", "1", "0", "0"], csv[1]);
        for (var i = 0; i < csv.Count; i++)
        {
            // The page writes "—" where the CSV leaves the cell empty.
            Assert.Equal(csv[i], html[i].Select(c => c == "—" ? "" : c.Replace(",", "", StringComparison.Ordinal)).ToArray());
        }
    }

    [Fact]
    public async Task An_impossible_date_gets_a_japanese_error_naming_the_field_and_the_fix()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await app.SetupAsync();
        var client = await app.SignedInClientAsync(Roles.Counter);

        var month = await client.GetStringAsync("/staff/queue/statistics?from=2025-13-01", Ct);
        var era = await client.GetStringAsync($"/staff/queue/statistics?from={Uri.EscapeDataString("平成31年5月1日")}", Ct);
        var reversed = await client.GetStringAsync("/staff/queue/statistics?from=2025-04-10&to=2025-04-01", Ct);
        var csv = await client.GetAsync("/staff/queue/statistics?handler=csv&to=2025-02-30", Ct);

        Assert.Contains("期間の開始日「2025-13-01」: 月は1から12までの数字で入力してください。", month);
        Assert.Contains("令和元年5月1日", era);
        Assert.Contains("期間の終了日 令和7年4月1日（2025-04-01）が開始日 令和7年4月10日（2025-04-10）より前です。", reversed);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, csv.StatusCode);
        Assert.Contains("その月は28日までです。", await csv.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task The_open_data_snapshot_carries_the_licence_and_no_personal_data()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (q, tickets) = await MorningAsync(app);
        var anonymous = app.CreatePlainClient();

        var response = await anonymous.GetAsync($"/opendata/queue/offices/{q.Office.Id}.json", Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        var json = JsonNode.Parse(body)!;
        var index = JsonNode.Parse(await anonymous.GetStringAsync("/opendata/queue/index.json", Ct))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("public, max-age=10", response.Headers.CacheControl?.ToString());
        Assert.Equal("CC-BY-4.0", (string?)json["license"]);
        Assert.Equal("出典：江東区 窓口混雑状況オープンデータ", (string?)json["attribution"]);
        Assert.Equal(q.Office.Id.ToString(), (string?)json["snapshot"]!["office"]!["id"]);
        // C waits for 審査: the live figures are there, as numbers only.
        Assert.Equal(1, (int)json["snapshot"]!["sections"]![0]!["waiting"]!);
        Assert.All(tickets, t => Assert.DoesNotContain(t.StatusToken, body));
        Assert.DoesNotContain("clerk-", body);
        Assert.DoesNotContain("token", body, StringComparison.OrdinalIgnoreCase);
        var office = index["offices"]!.AsArray().Single(o => (string?)o!["id"] == q.Office.Id.ToString())!;
        Assert.EndsWith($"/opendata/queue/offices/{q.Office.Id}.json", (string?)office["snapshot"]);
        Assert.Equal("CC-BY-4.0", (string?)index["license"]);
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task The_daily_csv_covers_the_dates_asked_for_in_wareki_or_western_dates()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (q, _) = await MorningAsync(app);
        app.Clock.Set(Jst(2, 11, 0));
        await app.IssueAsync(q, q.Other);
        var anonymous = app.CreatePlainClient();
        var url = $"/opendata/queue/offices/{q.Office.Id}/daily.csv";

        var first = await anonymous.GetAsync($"{url}?from=2025-04-01&to=2025-04-01", Ct);
        var both = await anonymous.GetStringAsync($"{url}?from={Uri.EscapeDataString("令和7年4月1日")}&to={Uri.EscapeDataString("Ｒ７．４．２")}", Ct);
        var bad = await anonymous.GetAsync($"{url}?from={Uri.EscapeDataString("令和7年2月30日")}", Ct);

        var lines = Encoding.UTF8.GetString((await first.Content.ReadAsByteArrayAsync(Ct))[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("日付,庁舎ID,庁舎名,受付内容ID,受付内容,時台,発券数,待ち時間中央値（分）,待ち時間90%点（分）,待ち時間の件数,完了数,不在", lines[0]);
        var office = $"{q.Office.Id},{q.Office.Name}";
        Assert.Equal(
        [
            $"2025-04-01,{office},{q.Service.Id},転入,9,2,12.0,17.0,5,1,1",
            // One or two waits in a cell are not published (MinimumWaits).
            $"2025-04-01,{office},{q.Other.Id},転出,9,1,,,1,0,0",
            $"2025-04-01,{office},{q.Service.Id},転入,10,0,,,0,1,0",
            $"2025-04-01,{office},{q.Other.Id},転出,10,1,,,1,1,0",
        ], lines[1..]);
        Assert.Equal("public, max-age=300", first.Headers.CacheControl?.ToString());
        Assert.Contains($"2025-04-02,{office},{q.Other.Id},転出,11,1,,,0,0,0", both);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Contains("期間の開始日「令和7年2月30日」: その月は28日までです。", await bad.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task The_demo_has_past_days_whose_events_pair_up()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        app.Clock.Set(Jst(8, 12, 0));
        await using var scope = app.Scope();
        await DemoData.LoadIfEmptyAsync(scope.ServiceProvider, Ct);
        var db = scope.Db();
        var main = await db.Offices.SingleAsync(o => o.Kind == OfficeKind.MainOffice, Ct);
        var finished = await db.TicketEvents.CountAsync(e => e.OfficeId == main.Id && (e.Kind == TicketEventKind.StepDone || e.Kind == TicketEventKind.Done || e.Kind == TicketEventKind.Transferred), Ct);

        var result = (await scope.ServiceProvider.GetRequiredService<QueueStatistics>().ComputeAsync(main.Id, new DateOnly(2025, 3, 1), new DateOnly(2025, 4, 8), StatisticsBy.Day, Ct))!;

        // The five business days before 2025-04-08 (a Tuesday): 3/31–4/4 … 4/1–4/7 without the weekend.
        Assert.Equal([new DateOnly(2025, 4, 1), new DateOnly(2025, 4, 2), new DateOnly(2025, 4, 3), new DateOnly(2025, 4, 4), new DateOnly(2025, 4, 7)],
            result.Groups.Select(g => g.Key.Date));
        Assert.All(result.Groups, g =>
        {
            Assert.InRange(g.Group.Issued, 100, 200);
            Assert.Equal(g.Group.Issued, g.Group.Done);
            Assert.InRange(g.Group.Waits.Percentile(50)!.Value, 60, 3600);
        });
        // Every finished step met its call: the events were stored in the order they happened.
        Assert.Equal(finished, result.Groups.Sum(g => g.Group.Served));
        Assert.True(result.Groups.Sum(g => g.Group.NoShows) > 0 && result.Groups.Sum(g => g.Group.Transfers) > 0);
    }

    [GeneratedRegex("<tr>.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex TableRows();

    [GeneratedRegex("<t[hd][^>]*>(.*?)</t[hd]>", RegexOptions.Singleline)]
    private static partial Regex Cell();
}
