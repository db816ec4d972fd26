using System.Net;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>Errors on the check-your-answers page say which question and page they mean, and lead there.</summary>
public sealed partial class CheckPageErrorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Base = "/forms/" + SubmissionKit.Slug;

    [Fact]
    public async Task Each_missing_answer_on_the_check_page_names_its_question_and_page_and_links_to_it()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(client, Base, []);

        var check = WebUtility.HtmlDecode(await client.GetStringAsync($"{Base}/check", Ct));

        var summary = Summary().Match(check).Value;
        Assert.Contains($"href=\"{Base}/applicant#f-birthDate\">＊生年月日: 入力してください。（申請者のページ）</a>", summary, StringComparison.Ordinal);
        Assert.Contains($"href=\"{Base}/applicant#f-applicantName\">＊氏名: 入力してください。（申請者のページ）</a>", summary, StringComparison.Ordinal);
        Assert.Contains($"href=\"{Base}/family#f-children\">＊お子さん: 1件以上入力してください。（家族のページ）</a>", summary, StringComparison.Ordinal);

        await client.GetAsync("/lang?to=en", Ct);
        var english = WebUtility.HtmlDecode(await client.GetStringAsync($"{Base}/check", Ct));
        Assert.Contains("＊<span lang=\"ja\">生年月日</span>: Enter a value. (page: <span lang=\"ja\">申請者</span>)</a>", english, StringComparison.Ordinal);
    }

    [GeneratedRegex("dads-error-summary[\\s\\S]*?</ul>")]
    private static partial Regex Summary();
}
