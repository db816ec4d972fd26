using System.Net;
using System.Text;
using System.Text.Json;
using Madoguchi.Tests.Features.Submissions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Funnel;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Funnel;

/// <summary>
/// Residents go through the real form pages (JavaScript off) on a fake clock, so every figure of the
/// funnel is known exactly: the staff page and its CSV, the KPI API, the CLI and the dashboard.
/// </summary>
[Trait(Traits.Storage, "true")]
public sealed class FunnelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Base = "/forms/" + SubmissionKit.Slug;
    private const string Staff = "/staff/forms/" + SubmissionKit.Slug + "/funnel";
    private static readonly DateTimeOffset T0 = new(2025, 4, 1, 0, 0, 0, TimeSpan.Zero); // 09:00 in Tokyo

    /// <summary>The test form with drafts kept 5 days, for a procedure of its own department.</summary>
    private static async Task<Madoguchi.Web.Features.Platform.Department> PublishAsync(MadoguchiFactory app)
    {
        var department = Builders.Department("こども未来部", "子育て支援課");
        await app.SaveAsync(department, Builders.Procedure("KT-T0001", department, p => p.Name = "子育て支援の申請"));
        var json = SubmissionKit.FormJson.Replace("\"slug\": \"kosodate-test\",", "\"slug\": \"kosodate-test\", \"draftExpiryDays\": 5,", StringComparison.Ordinal);
        await using var scope = app.Scope();
        var forms = scope.ServiceProvider.GetRequiredService<FormService>();
        await forms.ImportAsync(json, "KT-T0001", "test", Ct);
        await forms.PublishAsync(SubmissionKit.Slug, "test", Ct);
        return department;
    }

    private static async Task<HttpClient> StartAsync(MadoguchiFactory app)
    {
        var client = app.CreatePlainClient();
        var start = await MadoguchiFactory.PostFormAsync(client, Base, []);
        Assert.Equal($"{Base}/applicant", start.Headers.Location?.OriginalString);
        return client;
    }

    private static async Task ApplicantAsync(HttpClient client, bool valid = true, string family = "山田", string birthDate = "平成2年4月1日", string action = "next")
    {
        var response = await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", new()
        {
            ["applicantName.family"] = family,
            ["applicantName.given"] = "花子",
            ["applicantName.familyKana"] = "やまだ",
            ["applicantName.givenKana"] = "ハナコ",
            ["birthDate"] = birthDate,
            ["reason"] = "work",
            ["action"] = action,
        });
        Assert.Equal(valid ? HttpStatusCode.Redirect : HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task FamilyAsync(HttpClient client, bool valid = true, string childName = "山田 太郎")
    {
        var response = await MadoguchiFactory.PostFormAsync(client, $"{Base}/family", new()
        {
            ["children.count"] = "1",
            ["children[0].childName"] = childName,
            ["children[0].childBirthDate"] = "R5.6.1",
            ["consent"] = "true",
            ["action"] = "next",
        });
        Assert.Equal(valid ? HttpStatusCode.Redirect : HttpStatusCode.OK, response.StatusCode);
        if (valid) Assert.Equal($"{Base}/check", response.Headers.Location?.OriginalString);
    }

    private static async Task SubmitAsync(HttpClient client)
    {
        var done = await MadoguchiFactory.PostFormAsync(client, $"{Base}/check", []);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("受付番号", WebUtility.HtmlDecode(await done.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
    }

    /// <summary>
    /// Six drafts and one API submission: A (an error on page 1, then submitted after 600 s), B (submitted
    /// after 300 s), C (errors on page 1, left there), D (left on page 2), E (an error on page 2, left on
    /// the check page) — all on 1 April — and F (started 8 April, saved for later).
    /// </summary>
    private static async Task SixResidentsAsync(MadoguchiFactory app)
    {
        app.Clock.Set(T0);
        Assert.Equal(HttpStatusCode.Created, (await SubmissionKit.PostAsync(app.CreatePlainClient(), SubmissionKit.GoodAnswers())).StatusCode);

        var a = await StartAsync(app);
        await ApplicantAsync(a, valid: false, family: "");
        await ApplicantAsync(a);
        await FamilyAsync(a);
        app.Clock.Set(T0.AddSeconds(600));
        await SubmitAsync(a);

        app.Clock.Set(T0.AddSeconds(1000));
        var b = await StartAsync(app);
        await ApplicantAsync(b);
        await FamilyAsync(b);
        app.Clock.Advance(TimeSpan.FromSeconds(300));
        await SubmitAsync(b);

        var c = await StartAsync(app);
        await ApplicantAsync(c, valid: false, family: "", birthDate: "平成31年5月1日");

        var d = await StartAsync(app);
        await ApplicantAsync(d);

        var e = await StartAsync(app);
        await ApplicantAsync(e);
        await FamilyAsync(e, valid: false, childName: "");
        await FamilyAsync(e);

        app.Clock.Set(new DateTimeOffset(2025, 4, 8, 0, 0, 0, TimeSpan.Zero));
        var f = await StartAsync(app);
        await ApplicantAsync(f, valid: false, action: "later"); // the page again, with a resume code
    }

    private static string[] CsvRows(byte[] csv) => [.. Encoding.UTF8.GetString(csv).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries)];

    [Fact]
    public async Task Started_submitted_abandoned_per_page_field_error_rates_and_median_come_out_exact_on_the_staff_page_and_its_csv()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var department = await PublishAsync(app);
        await SixResidentsAsync(app);
        var staff = await app.SignedInClientAsync(Roles.Staff, department.Id);

        var html = WebUtility.HtmlDecode(await staff.GetStringAsync($"{Staff}?asOf=2025-04-08", Ct));
        Assert.Contains("開始した下書き</dt><dd>6 件", html, StringComparison.Ordinal);
        Assert.Contains("申請（画面から）</dt><dd>2 件（完了率 33.3%）", html, StringComparison.Ordinal);
        Assert.Contains("申請（API から）</dt><dd>1 件", html, StringComparison.Ordinal);
        Assert.Contains("離脱</dt><dd>3 件（離脱率 50.0%）", html, StringComparison.Ordinal);
        Assert.Contains("入力中</dt><dd>1 件", html, StringComparison.Ordinal);
        // (300 + 600) / 2: an even count takes the mean of the two middle values.
        Assert.Contains("中央値）</dt><dd>7分30秒", html, StringComparison.Ordinal);
        Assert.Contains("<svg class=\"chart\"", html, StringComparison.Ordinal);
        Assert.Contains("確認画面 50.0%（3/6）", html, StringComparison.Ordinal);

        var pages = CsvRows(await staff.GetByteArrayAsync($"{Staff}?handler=csv&table=pages&asOf=2025-04-08&version=1", Ct));
        Assert.Equal(
            [
                "ページ,ページキー,到達,到達率（%）,ページ送信,離脱,このページでの離脱率（%）",
                "申請者,applicant,6,100.0,6,1,16.7",
                "家族,family,4,66.7,4,1,25.0",
                "確認画面,check,3,50.0,0,1,33.3",
            ], pages);

        var fields = CsvRows(await staff.GetByteArrayAsync($"{Staff}?handler=csv&table=fields&asOf=2025-04-08&rounding=truncate", Ct));
        Assert.Equal("項目,項目キー,ページキー,ページ送信,エラーあり,エラー率（%）,エラーの種類（件数）", fields[0]);
        Assert.Contains("氏名,applicantName,applicant,6,2,33.3,required:2", fields);
        Assert.Contains("生年月日,birthDate,applicant,6,1,16.6,date_not_in_era:1", fields); // 16.66… truncated
        Assert.Contains("メールアドレス,email,applicant,6,0,0.0,", fields);
        Assert.Contains("お子さん：お名前,children.childName,family,4,1,25.0,required:1", fields);
        Assert.Contains("お子さん：生年月日,children.childBirthDate,family,4,0,0.0,", fields);

        var versions = CsvRows(await staff.GetByteArrayAsync($"{Staff}?handler=csv&table=versions&asOf=2025-04-08", Ct));
        Assert.Equal("第1版,6,2,1,3,1,33.3,50.0,450.0", versions[1]);

        // Nothing a resident typed, and not the draft's id, is in the funnel's rows.
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var events = await db.FunnelEvents.AsNoTracking().ToListAsync(Ct);
        var texts = string.Join("|", events.Select(x => $"{x.PageKey} {x.ToPage} {x.FieldKey} {x.ErrorCode}"));
        Assert.DoesNotContain("山田", texts, StringComparison.Ordinal);
        var drafts = await db.Drafts.AsNoTracking().ToListAsync(Ct);
        Assert.NotEmpty(drafts);
        Assert.All(drafts, draft =>
        {
            Assert.DoesNotContain(events, x => x.JourneyId == draft.Id);
            Assert.Contains(events, x => x.JourneyId == draft.FunnelId);
        });
    }

    [Fact]
    public async Task A_draft_counts_as_abandoned_once_stale_for_the_given_days_or_past_its_expiry_whichever_comes_first()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await PublishAsync(app);
        await SixResidentsAsync(app);
        var client = app.CreatePlainClient();

        async Task<(int Started, int Abandoned, int InProgress)> At(string query)
        {
            using var json = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/kpi/forms?{query}", Ct));
            var form = json.RootElement.GetProperty("forms").EnumerateArray().Single();
            return (form.GetProperty("started").GetInt32(), form.GetProperty("abandoned").GetInt32(), form.GetProperty("inProgress").GetInt32());
        }

        // 5 April, end of day in Tokyo: 4.6 days after C, D, E were left; F not started yet.
        Assert.Equal((5, 0, 3), await At("asOf=2025-04-05"));
        Assert.Equal((5, 3, 0), await At("asOf=2025-04-05&staleDays=3"));
        // 6 April: past the 5-day draft expiry, abandoned although 7 stale days have not passed.
        Assert.Equal((5, 3, 0), await At("asOf=2025-04-06&staleDays=7"));
        Assert.Equal((6, 3, 1), await At("asOf=2025-04-08&staleDays=30"));
    }

    [Fact]
    public async Task Median_time_to_complete_is_the_middle_value_for_an_odd_count_and_the_mean_of_the_middle_two_for_an_even_count()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await PublishAsync(app);
        var client = app.CreatePlainClient();

        async Task JourneyAsync(int seconds)
        {
            var resident = await StartAsync(app);
            await ApplicantAsync(resident);
            await FamilyAsync(resident);
            app.Clock.Advance(TimeSpan.FromSeconds(seconds));
            await SubmitAsync(resident);
            app.Clock.Advance(TimeSpan.FromMinutes(5));
        }

        async Task<string> MedianAsync()
        {
            using var json = JsonDocument.Parse(await client.GetStringAsync("/api/v1/kpi/forms?asOf=2025-04-01", Ct));
            var form = json.RootElement.GetProperty("forms")[0];
            Assert.Equal(form.GetProperty("medianSecondsToComplete").GetRawText(), form.GetProperty("versions")[0].GetProperty("medianSecondsToComplete").GetRawText());
            return form.GetProperty("medianSecondsToComplete").GetRawText();
        }

        app.Clock.Set(T0);
        Assert.Equal("null", await MedianAsync());
        await JourneyAsync(300);
        await JourneyAsync(60);
        await JourneyAsync(120);
        Assert.Equal("120.0", await MedianAsync());
        await JourneyAsync(181);
        Assert.Equal("150.5", await MedianAsync());
    }

    [Fact]
    public async Task Another_departments_staff_get_404_for_the_funnel_page_and_its_csv_and_dx_sees_it()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var department = await PublishAsync(app);
        var other = Builders.Department("福祉部", "介護保険課");
        await app.SaveAsync(other);

        var owner = await app.SignedInClientAsync(Roles.Staff, department.Id);
        var outsider = await app.SignedInClientAsync(Roles.Staff, other.Id);
        var dx = await app.SignedInClientAsync(Roles.Dx);

        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync(Staff, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await dx.GetAsync(Staff, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync(Staff, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync($"{Staff}?handler=csv&table=versions", Ct)).StatusCode);
        var anonymous = await app.CreatePlainClient().GetAsync(Staff, Ct);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/staff/signin", anonymous.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
        // The form list links the funnel for the department's own forms only.
        Assert.Contains($"href=\"{Staff}\"", await owner.GetStringAsync("/staff/forms", Ct), StringComparison.Ordinal);
        Assert.DoesNotContain($"href=\"{Staff}\"", await outsider.GetStringAsync("/staff/forms", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_kpi_api_and_cli_give_the_same_bytes_and_the_dashboard_and_its_csv_show_the_forms_table()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await PublishAsync(app);
        await SixResidentsAsync(app);
        var client = app.CreatePlainClient(); // open data: no sign-in

        foreach (var (query, args) in new[]
                 {
                     ("asOf=2025-04-08", new[] { "--as-of", "2025-04-08" }),
                     ("asOf=2025-04-05&rounding=truncate&staleDays=3", new[] { "--as-of", "2025-04-05", "--rounding", "truncate", "--stale-days", "3" }),
                 })
        {
            var response = await client.GetAsync($"/api/v1/kpi/forms?{query}", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            var api = await response.Content.ReadAsStringAsync(Ct);
            var cli = await CliRunner.RunAsync(app.Database, ["kpi", "forms", .. args, "--format", "json"]);
            Assert.Equal(0, cli.ExitCode);
            Assert.Equal(api, cli.Stdout);
        }

        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/v1/kpi/forms?asOf=2025-04-05&rounding=truncate&staleDays=3", Ct));
        var root = json.RootElement;
        Assert.Equal(("2025-04-05", "truncate", 3), (root.GetProperty("asOf").GetString(), root.GetProperty("rounding").GetString(), root.GetProperty("staleDays").GetInt32()));
        var form = root.GetProperty("forms").EnumerateArray().Single();
        Assert.Equal((SubmissionKit.Slug, "KT-T0001", "こども未来部 子育て支援課"), (form.GetProperty("slug").GetString(), form.GetProperty("procedureCode").GetString(), form.GetProperty("department").GetString()));
        Assert.Equal("5 2 1 3 3 0 40.0 60.0 450.0", string.Join(" ", new[] { "started", "submittedWeb", "submittedApi", "submitted", "abandoned", "inProgress",
            "completionRatePercent", "abandonmentRatePercent", "medianSecondsToComplete" }.Select(p => form.GetProperty(p).GetRawText())));
        Assert.Equal(1, form.GetProperty("versions").GetArrayLength());
        Assert.Equal(1, form.GetProperty("versions")[0].GetProperty("version").GetInt32());

        var bad = await client.GetAsync("/api/v1/kpi/forms?staleDays=0", Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Contains("invalid_stale_days", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var badCli = await CliRunner.RunAsync(app.Database, "kpi", "forms", "--stale-days", "abc");
        Assert.NotEqual(0, badCli.ExitCode);
        Assert.Contains("--stale-days", badCli.Stderr, StringComparison.Ordinal);

        var dashboard = WebUtility.HtmlDecode(await client.GetStringAsync("/kpi?asOf=2025-04-08", Ct));
        Assert.Contains("申請フォームの利用状況", dashboard, StringComparison.Ordinal);
        Assert.Matches("<th scope=\"row\"[^>]*>子育て支援の申請（テスト）</th>(\\s*<td[^>]*>[^<]*</td>){10}", dashboard);
        Assert.Contains("<td data-numeric>33.3%</td>", dashboard, StringComparison.Ordinal);
        Assert.Contains("href=\"/kpi/csv/forms?asOf=2025-04-08\"", dashboard, StringComparison.Ordinal);
        var csv = CsvRows(await client.GetByteArrayAsync("/kpi/csv/forms?asOf=2025-04-08", Ct));
        Assert.Equal("子育て支援の申請（テスト）,KT-T0001,こども未来部 子育て支援課,6,2,1,3,1,33.3,50.0,450.0", csv[1]);
    }
}
