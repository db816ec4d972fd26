using System.Net;
using Madoguchi.Tests.Infrastructure;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>What a phone's keyboard, file picker and autofill get from a question's markup.</summary>
public sealed class FieldMarkupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Form = """
    {
      "slug": "markup-test",
      "title": { "ja": "入力欄のテスト" },
      "pages": [
        { "key": "only", "title": { "ja": "内容" },
          "items": [
            { "type": "date", "key": "birthDate", "autocomplete": "bday", "label": { "ja": "生年月日" } },
            { "type": "date", "key": "movedOn", "label": { "ja": "転入した日" } },
            { "type": "file", "key": "scan", "accept": ["pdf", "jpeg"], "label": { "ja": "本人確認書類" } },
            { "type": "file", "key": "photo", "accept": ["png"], "label": { "ja": "写真" } }
          ] }
      ]
    }
    """;

    [Fact]
    public async Task A_file_input_offers_only_the_allowed_types_and_a_birth_date_can_be_autofilled()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, Form);
        var client = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(client, "/forms/markup-test", []);

        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/forms/markup-test/only", Ct));

        Assert.Matches("id=\"f-scan\"[^>]*accept=\"\\.pdf,application/pdf,\\.jpg,\\.jpeg,image/jpeg\"", page);
        Assert.Matches("id=\"f-photo\"[^>]*accept=\"\\.png,image/png\"", page);
        Assert.Matches("id=\"f-birthDate\"[^>]*autocomplete=\"bday\"", page);
        Assert.DoesNotMatch("id=\"f-movedOn\"[^>]*autocomplete=", page);
    }
}
