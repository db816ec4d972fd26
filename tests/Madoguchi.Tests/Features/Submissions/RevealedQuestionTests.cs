using System.Net;
using Madoguchi.Tests.Infrastructure;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>A question that an answer brings up is shown with a notice first, not flagged as an error before it was seen.</summary>
public sealed class RevealedQuestionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Base = "/forms/" + SubmissionKit.Slug;

    private static Dictionary<string, string> Applicant(string? reasonOther = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["applicantName.family"] = "山田",
            ["applicantName.given"] = "花子",
            ["applicantName.familyKana"] = "ヤマダ",
            ["applicantName.givenKana"] = "ハナコ",
            ["birthDate"] = "平成2年4月1日",
            ["reason"] = "other",
            ["action"] = "next",
        };
        if (reasonOther is not null) fields["reasonOther"] = reasonOther;
        return fields;
    }

    [Fact]
    public async Task Choosing_other_shows_the_new_question_with_a_polite_notice_and_still_needs_it_before_moving_on()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(client, Base, []);

        var first = await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", Applicant());

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var html = WebUtility.HtmlDecode(await first.Content.ReadAsStringAsync(Ct));
        Assert.Contains("回答に合わせて、質問が加わりました", html, StringComparison.Ordinal);
        Assert.Contains("href=\"#f-reasonOther\">その他の理由</a>", html, StringComparison.Ordinal);
        Assert.Contains("id=\"f-reasonOther\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("dads-error-summary", html, StringComparison.Ordinal);
        Assert.DoesNotContain("＊その他の理由", html, StringComparison.Ordinal);
        Assert.DoesNotContain("aria-invalid=\"true\"", html, StringComparison.Ordinal);

        // Seen now: left empty, it is an error like any other and the page does not move on.
        var second = await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", Applicant());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Contains("＊その他の理由: 入力してください。", WebUtility.HtmlDecode(await second.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);

        var answered = await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", Applicant("引っ越し"));
        Assert.Equal($"{Base}/family", answered.Headers.Location?.OriginalString);
    }
}
