using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Platform;

namespace Madoguchi.Tests.Features.Home;

public sealed class HomePageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Residents_see_what_they_can_do_online_by_life_event_and_the_offices()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        app.Clock.Set(new DateTimeOffset(2025, 6, 30, 15, 30, 0, TimeSpan.Zero)); // 2025-07-01 00:30 in Japan
        static ProcedureLifeEvent Moving() => new() { Kind = LifeEventKind.Personal, Event = "引越し" };
        await app.SaveAsync(
            Builders.Procedure("A", configure: p => { p.Name = "転出届"; p.Status = OnlineStatus.Done; p.OnlineSince = new DateOnly(2024, 4, 1); p.LifeEvents.Add(Moving()); }),
            Builders.Procedure("B", configure: p => { p.Name = "転居届"; p.Status = OnlineStatus.Done; p.OnlineSince = new DateOnly(2025, 7, 1); p.LifeEvents.Add(Moving()); }),
            Builders.Procedure("C", configure: p => { p.Name = "印鑑登録"; p.Status = OnlineStatus.NotDone; p.LifeEvents.Add(Moving()); }),
            Builders.Procedure("D", configure: p => { p.Name = "将来の手続"; p.Status = OnlineStatus.Done; p.OnlineSince = new DateOnly(2025, 8, 1); p.LifeEvents.Add(Moving()); }),
            new Office { Name = "豊洲出張所", NameEn = "Toyosu branch", Address = "東京都江東区豊洲2-2-18", Hours = "8:30〜17:00" });

        var html = await app.CreateClient().GetStringAsync("/", Ct);

        Assert.Contains("<span>引越し</span>（2 件）", html);
        Assert.Contains("<li>転出届</li>", html);
        // Online since today in Japan (already 1 July there while it is still 30 June in UTC).
        Assert.Contains("<li>転居届</li>", html);
        Assert.DoesNotContain("印鑑登録", html);
        Assert.DoesNotContain("将来の手続", html);
        Assert.Contains("豊洲出張所", html);
    }

    [Fact]
    public async Task English_pages_mark_Japanese_only_names_so_screen_readers_read_them_in_Japanese()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await app.SaveAsync(
            Builders.Procedure("A", configure: p => { p.Name = "転出届"; p.Status = OnlineStatus.Done; p.OnlineSince = new DateOnly(2024, 4, 1); p.LifeEvents.Add(new() { Kind = LifeEventKind.Personal, Event = "引越し" }); }),
            new Office { Name = "豊洲出張所", NameEn = "Toyosu branch", Address = "東京都江東区豊洲2-2-18", Hours = "8:30〜17:00" },
            new Office { Name = "白河出張所", Address = "東京都江東区白河1-3-28", Hours = "8:30〜17:00" });
        var client = app.CreatePlainClient();
        using var english = app.CreateEnglishClient();

        var html = await english.GetStringAsync("/", Ct);
        Assert.Contains("<span lang=\"ja\">引越し</span>", html);
        Assert.Contains("<ul lang=\"ja\">", html);
        Assert.Contains("<h3>Toyosu branch</h3>", html);
        Assert.Contains("<h3 lang=\"ja\">白河出張所</h3>", html);
        Assert.Contains("<p lang=\"ja\">東京都江東区白河1-3-28</p>", html);

        // Japanese pages carry no extra marks: the whole page is Japanese already.
        var japanese = await client.GetStringAsync("/", Ct);
        Assert.Contains("<h3>白河出張所</h3>", japanese);
        Assert.Contains("<span>引越し</span>", japanese);
    }

    [Fact]
    public async Task Staff_pages_stay_japanese_for_someone_who_chose_english_on_the_public_pages()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        using var client = app.CreateEnglishClient();

        var html = await client.GetStringAsync("/staff/signin", Ct);

        // The staff pages exist in Japanese only: lang="en" would make a screen reader read them with an English voice.
        Assert.Contains("<html lang=\"ja\">", html);
        Assert.Contains("※必須", html);
        Assert.DoesNotContain("Required", html);
    }

    [Fact]
    public async Task The_language_switch_is_a_plain_link_that_remembers_the_choice_and_stays_on_this_site()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var client = app.CreatePlainClient();

        var response = await client.GetAsync("/lang?to=en&returnUrl=%2Fkpi", Ct);
        Assert.Equal("/kpi", response.Headers.Location!.OriginalString);
        var cookie = response.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("madoguchi-lang=en", cookie);

        var english = new HttpRequestMessage(HttpMethod.Get, "/");
        english.Headers.Add("Cookie", "madoguchi-lang=en");
        var html = await (await client.SendAsync(english, Ct)).Content.ReadAsStringAsync(Ct);
        Assert.Contains("<html lang=\"en\">", html);
        Assert.Contains("Procedures you can do online", html);

        // An absolute or protocol-relative return URL is not followed (no open redirect).
        var evil = await client.GetAsync("/lang?to=ja&returnUrl=%2F%2Fevil.example", Ct);
        Assert.Equal("/", evil.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task An_address_that_matches_nothing_is_not_found_for_anonymous_visitors_too()
    {
        await using var app = await MadoguchiFactory.CreateAsync();

        var response = await app.CreatePlainClient().GetAsync("/no-such-page", Ct);

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("ページが見つかりません", html);
        // Ways on from a dead link: the procedures, the status lookup and the counters' congestion.
        Assert.Contains("<a href=\"/status\">申請の状況</a>", html);
        Assert.Contains("<a href=\"/queue\">窓口の混雑状況</a>", html);
    }
}
