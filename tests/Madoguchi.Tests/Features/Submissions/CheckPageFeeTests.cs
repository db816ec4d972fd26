using System.Net;
using Madoguchi.Tests.Infrastructure;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>The check-your-answers page shows what the resident will pay.</summary>
public sealed class CheckPageFeeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string FeeForm = """
    {
      "slug": "juminhyo-test",
      "title": { "ja": "住民票の写しの請求", "en": "Request a copy of the residence record", "easy": "{住民票|じゅうみんひょう}を もらう" },
      "pages": [
        { "key": "request", "title": { "ja": "請求の内容", "en": "Your request" },
          "items": [
            { "type": "radio", "key": "how", "required": true, "label": { "ja": "受け取り方法", "en": "How to receive it" },
              "options": [ { "value": "counter", "label": { "ja": "窓口", "en": "At the counter" } }, { "value": "post", "label": { "ja": "郵送", "en": "By post" } } ] },
            { "type": "fee", "label": { "ja": "手数料", "en": "Fee", "easy": "お{金|かね}" }, "yen": 300 },
            { "type": "fee", "label": { "ja": "郵送料", "en": "Postage" }, "yen": 140, "showWhen": { "field": "how", "equals": "post" } }
          ] }
      ]
    }
    """;

    [Fact]
    public async Task The_check_page_shows_each_fee_that_applies_and_their_total_in_the_readers_language()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, FeeForm);
        var client = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(client, "/forms/juminhyo-test", []);
        await MadoguchiFactory.PostFormAsync(client, "/forms/juminhyo-test/request", new() { ["how"] = "post", ["action"] = "next" });

        var check = WebUtility.HtmlDecode(await client.GetStringAsync("/forms/juminhyo-test/check", Ct));
        Assert.Contains("<dt>手数料</dt><dd>300円</dd>", check, StringComparison.Ordinal);
        Assert.Contains("<dt>郵送料</dt><dd>140円</dd>", check, StringComparison.Ordinal);
        Assert.Contains("<dt>合計</dt><dd data-testid=\"fee-total\">440円</dd>", check, StringComparison.Ordinal);

        await client.GetAsync("/lang?to=en", Ct);
        var english = WebUtility.HtmlDecode(await client.GetStringAsync("/forms/juminhyo-test/check", Ct));
        Assert.Contains("<dt>Fee</dt><dd>¥300</dd>", english, StringComparison.Ordinal);
        Assert.Contains("<dt>Total</dt><dd data-testid=\"fee-total\">¥440</dd>", english, StringComparison.Ordinal);

        await client.GetAsync("/lang?to=easy", Ct);
        var easy = WebUtility.HtmlDecode(await client.GetStringAsync("/forms/juminhyo-test/check", Ct));
        Assert.Contains("<dt>お<ruby>金<rt>かね</rt></ruby></dt><dd>300円</dd>", easy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_single_fee_is_shown_without_a_total_and_a_fee_whose_condition_fails_is_left_out()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, FeeForm);
        var client = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(client, "/forms/juminhyo-test", []);
        await MadoguchiFactory.PostFormAsync(client, "/forms/juminhyo-test/request", new() { ["how"] = "counter", ["action"] = "next" });

        var check = WebUtility.HtmlDecode(await client.GetStringAsync("/forms/juminhyo-test/check", Ct));

        Assert.Contains("<dt>手数料</dt><dd>300円</dd>", check, StringComparison.Ordinal);
        Assert.DoesNotContain("郵送料", check, StringComparison.Ordinal);
        Assert.DoesNotContain("fee-total", check, StringComparison.Ordinal);
    }
}
