using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Features.Platform;

namespace Madoguchi.Tests.Features.Insight;

/// <summary>The API, the CLI, the dashboard and its CSVs over the Koto demo inventory (the audit's figures).</summary>
[Trait(Traits.Storage, "true")]
public sealed partial class KpiEndpointTests
{
    private static async Task<MadoguchiFactory> DemoAsync()
    {
        var app = await MadoguchiFactory.CreateAsync();
        await using var scope = app.Scope();
        Assert.NotNull(await DemoData.LoadIfEmptyAsync(scope.ServiceProvider, TestContext.Current.CancellationToken));
        return app;
    }

    [Fact]
    public async Task Api_and_cli_give_the_same_audit_figures_byte_for_byte_half_up_and_truncated()
    {
        await using var app = await DemoAsync();
        var client = app.CreatePlainClient(); // anonymous: open data

        // The audit's plan-year tables are half-up (23/30 = 76.7); truncation gives 76.6.
        foreach (var (rounding, national, fy2026, logo) in new[] { ("half-up", 7.6, "1.4", "76.7"), ("truncate", 7.5, "1.3", "76.6") })
        {
            var response = await client.GetAsync($"/api/v1/kpi/online?asOf=2025-03-31&rounding={rounding}", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            var api = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            var cli = await CliRunner.RunAsync(app.Database, "kpi", "online", "--as-of", "2025-03-31", "--rounding", rounding, "--format", "json");
            Assert.Equal(0, cli.ExitCode);
            Assert.Equal(api, cli.Stdout);

            using var json = JsonDocument.Parse(api);
            var root = json.RootElement;
            Assert.Equal(("2025-03-31", rounding, 3058, 1906, 231), (root.GetProperty("asOf").GetString(), root.GetProperty("rounding").GetString(),
                root.GetProperty("total").GetInt32(), root.GetProperty("eligible").GetInt32(), root.GetProperty("online").GetInt32()));
            Assert.Equal("12.1", root.GetProperty("onlineRatePercent").GetRawText());
            Assert.Equal(national, root.GetProperty("nationalOnlineRatePercent").GetDouble());
            Assert.Equal(
                ["2023 令和5年度まで 147 147 100.0", "2024 令和6年度 66 55 83.3", "2025 令和7年度 668 11 1.6", $"2026 令和8年度 864 12 {fy2026}", "2027 令和9年度 161 6 3.7"],
                root.GetProperty("byPlanYear").EnumerateArray().Select(y =>
                    $"{y.GetProperty("fiscalYear")} {y.GetProperty("label").GetString()} {y.GetProperty("planned")} {y.GetProperty("done")} {y.GetProperty("progressPercent").GetRawText()}"));
            Assert.Equal(
                [$"LoGoフォーム 30 23 {logo}", "ぴったりサービス 2 2 100.0", "共同運営電子申請サービス 2 1 50.0", "その他 32 29 90.6"],
                root.GetProperty("byPlanYearAndTool").EnumerateArray().Where(t => t.GetProperty("fiscalYear").GetInt32() == 2024).Select(t =>
                    $"{t.GetProperty("tool").GetString()} {t.GetProperty("planned")} {t.GetProperty("done")} {t.GetProperty("progressPercent").GetRawText()}"));
        }

        // The other reports are the same bytes through both doors too.
        foreach (var (report, query, args) in new[]
                 {
                     ("departments", "asOf=2025-03-31", new[] { "--as-of", "2025-03-31" }),
                     ("trend", "asOf=2025-03&months=6", new[] { "--as-of", "2025-03", "--months", "6" }),
                     ("usage", "asOf=2025-03-31&fiscalYear=2024&limit=5&rounding=truncate", new[] { "--as-of", "2025-03-31", "--fiscal-year", "2024", "--limit", "5", "--rounding", "truncate" }),
                 })
        {
            var api = await client.GetStringAsync($"/api/v1/kpi/{report}?{query}", TestContext.Current.CancellationToken);
            var cli = await CliRunner.RunAsync(app.Database, ["kpi", report, .. args]);
            Assert.Equal(0, cli.ExitCode);
            Assert.Equal(api, cli.Stdout);
        }
    }

    [Theory]
    [InlineData("asOf=2025-13-01", "asOf", "invalid_date")]
    [InlineData("rounding=up", "rounding", "invalid_rounding")]
    [InlineData("limit=0", "limit", "invalid_limit")]
    [InlineData("cursor=%21%21", "cursor", "invalid_cursor")]
    public async Task Bad_parameters_get_422_problem_details_naming_the_field(string query, string field, string code)
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var response = await app.CreatePlainClient().GetAsync($"/api/v1/kpi/{(field is "limit" or "cursor" ? "usage" : "online")}?{query}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(422, json.RootElement.GetProperty("status").GetInt32());
        var error = Assert.Single(json.RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal((field, code), (error.GetProperty("field").GetString(), error.GetProperty("code").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));

        var cli = await CliRunner.RunAsync(app.Database, "kpi", "online", "--as-of", "2025-13-01");
        Assert.NotEqual(0, cli.ExitCode);
        Assert.Equal("", cli.Stdout);
        Assert.Contains("2025-13-01", cli.Stderr);
    }

    [Fact]
    public async Task Dashboard_shows_the_figures_a_chart_and_a_table_per_view_and_csvs_of_them()
    {
        await using var app = await DemoAsync();
        var client = app.CreatePlainClient();
        var ct = TestContext.Current.CancellationToken;

        var html = await client.GetStringAsync("/kpi?asOf=2025-03-31&rounding=half-up&year=2024", ct);
        Assert.Contains("12.1%", html);
        Assert.Contains("（231/1,906）", html);
        Assert.Contains("令和7年3月31日（2025-03-31）", html);
        Assert.Equal(4, SvgImage().Matches(html).Count);
        Assert.True(Regex.Matches(html, "<table class=\"dads-table\">").Count >= 4);
        Assert.Contains("<th scope=\"row\">2024</th>", html);
        Assert.Contains("<td>令和6年度</td>", html);
        Assert.Contains("83.3%（55/66）", html); // on the bar, not by colour alone
        Assert.Contains("76.7%（23/30）", html); // tools within FY2024
        Assert.DoesNotContain("style=", html);
        Assert.DoesNotContain("<script", html);
        foreach (var table in KpiTable.Names) Assert.Contains($"/kpi/csv/{table}?asOf=2025-03-31", html);

        using var englishClient = app.CreateEnglishClient();
        var en = await englishClient.GetStringAsync("/kpi?asOf=2025-03-31", ct);
        Assert.Contains("Progress by plan year", en);
        Assert.Contains("FY2023 or earlier", en);
        // Tool and department names exist only in Japanese: marked so screen readers read them in Japanese.
        Assert.Contains("<td lang=\"ja\">LoGoフォーム</td>", en);
        Assert.DoesNotContain("<td lang=\"ja\">FY2023 or earlier</td>", en);
        Assert.Contains("<td>LoGoフォーム</td>", html);
        // English wording takes English punctuation; the Japanese page keeps its own.
        Assert.Contains("FY2023 or earlier 100.0% (147/147); FY2024 83.3% (55/66)", en);
        Assert.Contains("(231/1,906)", en);
        Assert.DoesNotContain("（231/1,906）", en);
        Assert.Contains("令和5年度まで 100.0%（147/147）、令和6年度 83.3%（55/66）", html);
        Assert.Contains("（231/1,906）", html);

        var csv = await client.GetAsync("/kpi/csv/plan-years?asOf=2025-03-31&rounding=half-up", ct);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", csv.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("kpi-plan-years-2025-03-31.csv", csv.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var bytes = await csv.Content.ReadAsByteArrayAsync(ct);
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        Assert.Equal(
            "年度（西暦）,年度,予定数,実施済,進捗率（%）\r\n2023,令和5年度まで,147,147,100.0\r\n2024,令和6年度,66,55,83.3\r\n2025,令和7年度,668,11,1.6\r\n2026,令和8年度,864,12,1.4\r\n2027,令和9年度,161,6,3.7\r\n",
            Encoding.UTF8.GetString(bytes[3..]));

        var tools = Encoding.UTF8.GetString(await client.GetByteArrayAsync("/kpi/csv/tools?asOf=2025-03-31&year=2024&rounding=truncate", ct));
        Assert.EndsWith("2024,LoGoフォーム,30,23,76.6\r\n2024,ぴったりサービス,2,2,100.0\r\n2024,共同運営電子申請サービス,2,1,50.0\r\n2024,その他,32,29,90.6\r\n", tools);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/kpi/csv/users", ct)).StatusCode);
    }

    [Fact]
    public async Task A_bad_as_of_date_on_the_dashboard_is_reported_and_today_is_shown_instead()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var html = await app.CreatePlainClient().GetStringAsync("/kpi?asOf=2025-02-30", TestContext.Current.CancellationToken);
        Assert.Contains("dads-error-summary", html);
        Assert.Contains("href=\"#asOf\"", html);
        Assert.Contains("aria-invalid=\"true\"", html);
        Assert.Contains("2025-04-01", html); // the test clock's day in Japan
    }

    [Fact]
    public void Csv_cells_that_could_start_a_formula_are_neutralised()
    {
        var table = new KpiTable("departments", "kpi.table.departments",
            [new("kpi.col.bu", KpiColumnKind.Text), new("kpi.col.total", KpiColumnKind.Count), new("kpi.col.rate", KpiColumnKind.Percent)],
            [["=HYPERLINK(\"x\")", 3, null], ["@SUM(A1)", 1, 12.5m], ["-1", 0, 0.0m]]);
        var text = Encoding.UTF8.GetString(table.ToCsv()[3..]);
        Assert.Equal("部,手続数,オンライン化率（%）\r\n\"'=HYPERLINK(\"\"x\"\")\",3,\r\n'@SUM(A1),1,12.5\r\n'-1,0,0.0\r\n", text);
    }

    [GeneratedRegex("<svg class=\"chart\" role=\"img\" aria-labelledby=\"(chart-[a-z]+)-title \\1-desc\"")]
    private static partial Regex SvgImage();
}
