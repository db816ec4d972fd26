using System.Net;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>The status page speaks the reader's language, the form's title included.</summary>
public sealed class StatusPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> StatusUrlAsync(HttpClient client)
    {
        var response = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["statusUrl"]!.GetValue<string>();
    }

    [Fact]
    public async Task An_english_reader_sees_the_forms_english_title_and_an_untranslated_title_is_marked_japanese()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, SubmissionKit.FormJson.Replace(
            "\"en\": \"Childcare support (test)\" }", "\"en\": \"Childcare support (test)\", \"easy\": \"{子育|こそだ}ての {申請|しんせい}\" }", StringComparison.Ordinal));
        var client = app.CreatePlainClient();
        var statusUrl = await StatusUrlAsync(client);

        await client.GetAsync("/lang?to=en", Ct);
        var english = WebUtility.HtmlDecode(await client.GetStringAsync(statusUrl, Ct));
        Assert.Contains("<dd>Childcare support (test)</dd>", english, StringComparison.Ordinal);
        Assert.DoesNotContain("子育て支援の申請（テスト）", english, StringComparison.Ordinal);

        await client.GetAsync("/lang?to=easy", Ct);
        var easy = WebUtility.HtmlDecode(await client.GetStringAsync(statusUrl, Ct));
        Assert.Contains("<dd><ruby>子育<rt>こそだ</rt></ruby>ての <ruby>申請<rt>しんせい</rt></ruby></dd>", easy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_without_an_english_title_shows_the_japanese_one_marked_as_japanese()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, SubmissionKit.FormJson.Replace(", \"en\": \"Childcare support (test)\"", "", StringComparison.Ordinal));
        var client = app.CreatePlainClient();
        var statusUrl = await StatusUrlAsync(client);

        await client.GetAsync("/lang?to=en", Ct);
        var english = WebUtility.HtmlDecode(await client.GetStringAsync(statusUrl, Ct));

        Assert.Contains("<span lang=\"ja\">子育て支援の申請（テスト）</span>", english, StringComparison.Ordinal);
    }
}
