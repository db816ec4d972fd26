using System.Net;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>Errors on a question with several parts say which part, and every id stays unique.</summary>
public sealed partial class ErrorSummaryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Base = "/forms/" + SubmissionKit.Slug;

    [Fact]
    public async Task Errors_in_two_parts_of_a_name_name_the_parts_and_share_one_described_element()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(client, Base, []);

        var response = await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", new()
        {
            ["applicantName.family"] = new string('山', 51),
            ["applicantName.given"] = new string('花', 51),
            ["applicantName.familyKana"] = "ヤマダ",
            ["applicantName.givenKana"] = "ハナコ",
            ["birthDate"] = "平成2年4月1日",
            ["reason"] = "work",
            ["action"] = "next",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));
        var ids = Id().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Empty(ids.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Contains("aria-describedby=\"f-applicantName-error\"", html, StringComparison.Ordinal);
        var summary = Summary().Match(html).Value;
        Assert.Matches(@"href=""#f-applicantName-family"">＊氏名（姓）: 50文字以内", summary);
        Assert.Matches(@"href=""#f-applicantName-given"">＊氏名（名）: 50文字以内", summary);
        var inline = Inline().Match(html).Value;
        Assert.Contains("姓: 50文字以内", inline, StringComparison.Ordinal);
        Assert.Contains("名: 50文字以内", inline, StringComparison.Ordinal);
    }

    [GeneratedRegex("\\sid=\"([^\"]+)\"")]
    private static partial Regex Id();

    [GeneratedRegex("dads-error-summary[\\s\\S]*?</ul>")]
    private static partial Regex Summary();

    [GeneratedRegex("id=\"f-applicantName-error\">[\\s\\S]*?</span>")]
    private static partial Regex Inline();
}
