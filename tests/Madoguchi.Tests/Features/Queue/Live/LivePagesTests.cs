using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Madoguchi.Web.Features.Queue;
using Madoguchi.Web.Features.Queue.Live;

namespace Madoguchi.Tests.Features.Queue.Live;

/// <summary>The public queue pages render from the hub's snapshot and work without JavaScript.</summary>
public sealed partial class LivePagesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset CalledAt = new(2025, 4, 1, 0, 20, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_office_page_shows_each_section_and_service_with_a_refresh_link_and_no_inline_script()
    {
        var (app, _) = await LiveKit.AppAsync();
        await using var _app = app;

        var page = await app.CreatePlainClient().GetStringAsync(LiveKit.Page, Ct);

        Assert.Contains("江東区役所 本庁舎", page);
        Assert.Contains("住民記録係", page);
        Assert.Contains("戸籍係", page);
        Assert.Matches("<th scope=\"row\"[^>]*>転入</th>\\s*<td data-numeric><span data-live=\"waiting\">3</span>人</td>\\s*<td[^>]*>2000</td>\\s*<td[^>]*>15〜30分</td>", page);
        Assert.Matches("転出</th>\\s*<td data-numeric><span data-live=\"waiting\">1</span>人</td>\\s*<td[^>]*>まだありません</td>", page);
        Assert.Contains("1人10分として計算した仮の目安です。（<span>転出</span>）", page);
        Assert.Contains("この係の待ち人数（合計）: <strong><span data-section=\"" + FakeCongestionSource.Juki + "\" data-live=\"waiting\">4</span>人", page);
        // 09:30 Japan time, the fake's updatedAt (00:30 UTC).
        Assert.Contains(">9:30:00</time>", page);
        Assert.Contains($"<a href=\"/queue/offices/{FakeCongestionSource.Office}\" class=\"queue-refresh\">最新の情報に更新する</a>", page);
        Assert.DoesNotContain("http-equiv=\"refresh\"", page);
        Assert.DoesNotContain("style=", page);
        Assert.Empty(InlineScript().Matches(page));
        Assert.Contains("<script src=\"/js/queue-live.js\" defer></script>", page);
        Assert.Contains("data-live=\"stale\" hidden", page);
    }

    [Theory]
    [InlineData("2003", "2", "10〜20分")]
    [InlineData("２００１", "0", "0〜0分")]
    [InlineData("2002番", "1", "5〜10分")]
    public async Task The_number_search_says_how_many_are_ahead_and_the_estimated_wait(string number, string ahead, string wait)
    {
        var (app, _) = await LiveKit.AppAsync();
        await using var _app = app;

        var page = await app.CreatePlainClient().GetStringAsync(LiveKit.Page + "?number=" + Uri.EscapeDataString(number), Ct);

        Assert.Contains("お待ちください", page);
        Assert.Contains($"<span data-live=\"ahead\">{ahead}</span>人", page);
        Assert.Contains($"data-live=\"position-wait\">{(wait == "0〜0分" ? "0分" : wait)}</span>", page);
    }

    [Fact]
    public async Task A_called_number_is_sent_to_its_counter_and_an_unknown_or_bad_number_is_explained()
    {
        var (app, source) = await LiveKit.AppAsync();
        await using var _app = app;
        source.Set([2002, 2003], serving: 2001, calls: new RecentCall(2001, "3", FakeCongestionSource.Tennyu, CalledAt));
        await LiveKit.ChangedAsync(app);
        var client = app.CreatePlainClient();

        var called = await client.GetStringAsync(LiveKit.Page + "?number=2001", Ct);
        var gone = await client.GetStringAsync(LiveKit.Page + "?number=1999", Ct);
        var bad = await client.GetStringAsync(LiveKit.Page + "?number=abc", Ct);

        Assert.Contains("呼び出されました。窓口へお越しください", called);
        Assert.Contains("<strong>3番窓口</strong>", called);
        Assert.Contains("いま待っている番号の中にありません", gone);
        Assert.Contains("＊整理券の番号を数字で入力してください", bad);
        Assert.Contains("aria-invalid=\"true\"", bad);
        Assert.Contains("aria-describedby=\"number-hint number-error\"", bad);
    }

    [Fact]
    public void The_estimate_for_someone_in_the_queue_is_proportional_to_the_people_ahead()
    {
        var service = new ServiceCongestion(Guid.NewGuid(), "転入", "", 6, null, new WaitRange(30, 45), [1, 2, 3, 4, 5, 6]);

        Assert.Equal(new WaitRange(0, 0), NumberSearch.WaitFor(service, 0));
        Assert.Equal(new WaitRange(15, 23), NumberSearch.WaitFor(service, 3));
        Assert.Equal(new WaitRange(30, 45), NumberSearch.WaitFor(service, 6));
    }

    [Fact]
    public async Task The_all_offices_page_gives_each_office_a_level_in_words()
    {
        var (app, source) = await LiveKit.AppAsync();
        await using var _app = app;
        var client = app.CreatePlainClient();

        var quiet = await client.GetStringAsync("/queue", Ct);
        source.Set([.. Enumerable.Range(2001, 12)]);
        await LiveKit.ChangedAsync(app);
        var busy = await client.GetStringAsync("/queue", Ct);

        Assert.Contains($"<a href=\"/queue/offices/{FakeCongestionSource.Office}\"", quiet);
        // 3 waiting in 転入 at 10 min each: 30 min at most.
        Assert.Contains("data-level=\"Moderate\">やや混んでいます", quiet);
        Assert.Contains("4人", quiet);
        Assert.Contains("data-level=\"VeryBusy\">大変混んでいます", busy);
    }

    [Fact]
    public async Task The_ticket_page_shows_the_tickets_place_and_refuses_unknown_and_old_tickets()
    {
        var tickets = new FakeTicketLookup();
        var (app, _) = await LiveKit.AppAsync(tickets: tickets);
        await using var _app = app;
        tickets.Tickets["t-today"] = new TicketRef(FakeCongestionSource.Office, 2002, app.Clock.GetUtcNow().AddMinutes(-5));
        tickets.Tickets["t-yesterday"] = new TicketRef(FakeCongestionSource.Office, 2002, app.Clock.GetUtcNow().AddDays(-1));
        var client = app.CreatePlainClient();

        var today = await client.GetStringAsync("/queue/tickets/t-today", Ct);
        var old = await client.GetStringAsync("/queue/tickets/t-yesterday", Ct);
        var unknown = await client.GetAsync("/queue/tickets/nope", Ct);

        Assert.Contains("<p class=\"queue-ticket__number\">2002</p>", today);
        Assert.Contains("<span data-live=\"ahead\">1</span>人", today);
        Assert.Contains($"data-stream=\"/api/v1/offices/{FakeCongestionSource.Office}/congestion/stream\"", today);
        Assert.Contains("この整理券は別の日のものです", old);
        Assert.DoesNotContain("data-live=\"ahead\"", old);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_lobby_display_shows_the_latest_call_in_japanese_and_english()
    {
        var (app, source) = await LiveKit.AppAsync();
        await using var _app = app;
        source.Set([2003], serving: 2002, calls: [
            new RecentCall(2001, "5", FakeCongestionSource.Tennyu, CalledAt),
            new RecentCall(2013, "3", FakeCongestionSource.Tennyu, CalledAt.AddMinutes(2)),
        ]);
        await LiveKit.ChangedAsync(app);

        var page = await app.CreatePlainClient().GetStringAsync(LiveKit.Page + "/display", Ct);

        Assert.Contains("<p class=\"queue-display__number\">2013</p>", page);
        Assert.Contains("2013番の方、3番窓口へどうぞ", page);
        Assert.Contains("Number two thousand thirteen, please go to counter 3.", page);
        Assert.Matches("queue-display__recent-number\">2001</span> <span>5番窓口</span>", page);
        Assert.Contains("<script src=\"/js/queue-display.js\" defer></script>", page);
        Assert.Empty(InlineScript().Matches(page));
        Assert.DoesNotContain("style=", page);
    }

    [Fact]
    public async Task The_announcement_api_gives_the_reading_the_display_speaks()
    {
        var (app, _) = await LiveKit.AppAsync();
        await using var _app = app;
        var client = app.CreatePlainClient();

        var json = JsonDocument.Parse(await client.GetStringAsync("/api/v1/announcements?number=2013&counter=3", Ct)).RootElement;
        var bad = await client.GetAsync("/api/v1/announcements?number=-1&counter=3", Ct);

        Assert.Equal("にせんじゅうさんばんのかた、さんばんまどぐちへどうぞ", json.GetProperty("reading").GetString());
        Assert.Equal("2013番の方、3番窓口へどうぞ", json.GetProperty("text").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
    }

    [Fact]
    public async Task Pages_follow_the_readers_language()
    {
        var (app, _) = await LiveKit.AppAsync();
        await using var _app = app;
        var client = app.CreateEnglishClient();

        var page = await client.GetStringAsync(LiveKit.Page + "?number=2003", Ct);

        Assert.Contains("Koto City Hall", page);
        Assert.Contains("Moving in", page);
        Assert.Contains("Look up your number", page);
        Assert.Contains("10–20 min", page);
        Assert.Contains("lang=\"en\"", page);
        // Services whose wait is only a provisional figure are listed in English punctuation.
        Assert.Contains("assuming 10 minutes per person. (<span>Moving out</span>)", page);
    }

    [GeneratedRegex("<script(?![^>]*\\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();
}
