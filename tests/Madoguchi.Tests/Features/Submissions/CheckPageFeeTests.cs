using System.Net;
using System.Text.Json.Nodes;
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

    /// <summary>住民票の写し at 300円 a copy, postage when sent by post; the number of copies is asked only for postal requests when <c>askedOnlyByPost</c>.</summary>
    private static string PerCopyForm(bool withUnit = true, bool askedOnlyByPost = false) => $$"""
    {
      "slug": "juminhyo-per",
      "title": { "ja": "住民票の写しの請求", "en": "Request a copy of the residence record" },
      "pages": [
        { "key": "request", "title": { "ja": "請求の内容", "en": "Your request" },
          "items": [
            { "type": "radio", "key": "how", "required": true, "label": { "ja": "受け取り方法", "en": "How to receive it" },
              "options": [ { "value": "counter", "label": { "ja": "窓口", "en": "At the counter" } }, { "value": "post", "label": { "ja": "郵送", "en": "By post" } } ] },
            { "type": "number", "key": "copies", "required": true, "min": 1, "max": 10, {{(withUnit ? "\"unit\": \"通\"," : "")}}
              {{(askedOnlyByPost ? "\"showWhen\": { \"field\": \"how\", \"equals\": \"post\" }," : "")}}
              "label": { "ja": "必要な通数", "en": "Number of copies", "easy": "{何枚|なんまい}いりますか" } },
            { "type": "fee", "label": { "ja": "手数料", "en": "Fee", "easy": "お{金|かね}" }, "yen": 300, "per": "copies" },
            { "type": "fee", "label": { "ja": "郵送料", "en": "Postage" }, "yen": 140, "showWhen": { "field": "how", "equals": "post" } }
          ] }
      ]
    }
    """;

    private static async Task<HttpClient> AnsweredAsync(MadoguchiFactory app, string json, Dictionary<string, string> answers)
    {
        await SubmissionKit.PublishAsync(app, json);
        var client = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(client, "/forms/juminhyo-per", []);
        answers["action"] = "next";
        var next = await MadoguchiFactory.PostFormAsync(client, "/forms/juminhyo-per/request", answers);
        Assert.Equal("/forms/juminhyo-per/check", next.Headers.Location?.OriginalString);
        return client;
    }

    [Fact]
    public async Task A_fee_per_copy_shows_the_unit_price_times_the_copies_and_counts_the_product_in_the_total_in_each_language()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var client = await AnsweredAsync(app, PerCopyForm(), new() { ["how"] = "post", ["copies"] = "2" });

        var check = WebUtility.HtmlDecode(await client.GetStringAsync("/forms/juminhyo-per/check", Ct));
        Assert.Contains("<dt>手数料</dt><dd>300円 × 2通 = 600円</dd>", check, StringComparison.Ordinal);
        Assert.Contains("<dt>郵送料</dt><dd>140円</dd>", check, StringComparison.Ordinal);
        Assert.Contains("<dt>合計</dt><dd data-testid=\"fee-total\">740円</dd>", check, StringComparison.Ordinal);

        await client.GetAsync("/lang?to=en", Ct);
        var english = WebUtility.HtmlDecode(await client.GetStringAsync("/forms/juminhyo-per/check", Ct));
        Assert.Contains("<dt>Fee</dt><dd>¥300 × 2 = ¥600</dd>", english, StringComparison.Ordinal);
        Assert.Contains("<dt>Total</dt><dd data-testid=\"fee-total\">¥740</dd>", english, StringComparison.Ordinal);

        await client.GetAsync("/lang?to=easy", Ct);
        var easy = WebUtility.HtmlDecode(await client.GetStringAsync("/forms/juminhyo-per/check", Ct));
        Assert.Contains("<dt>お<ruby>金<rt>かね</rt></ruby></dt><dd>300円 × 2 = 600円</dd>", easy, StringComparison.Ordinal);
        Assert.Contains("<dt>ぜんぶで</dt><dd data-testid=\"fee-total\">740円</dd>", easy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_start_and_fill_pages_show_the_price_for_one_copy_in_words_in_each_language()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, PerCopyForm());
        var client = app.CreatePlainClient();

        var start = WebUtility.HtmlDecode(await client.GetStringAsync("/forms/juminhyo-per", Ct));
        Assert.Contains("<li>手数料: 1通につき300円</li>", start, StringComparison.Ordinal);
        await MadoguchiFactory.PostFormAsync(client, "/forms/juminhyo-per", []);
        var fill = WebUtility.HtmlDecode(await client.GetStringAsync("/forms/juminhyo-per/request", Ct));
        Assert.Contains("<dt>手数料</dt><dd data-testid=\"fee\">1通につき300円</dd>", fill, StringComparison.Ordinal);

        await client.GetAsync("/lang?to=en", Ct);
        Assert.Contains("<li>Fee: ¥300 each</li>", WebUtility.HtmlDecode(await client.GetStringAsync("/forms/juminhyo-per", Ct)), StringComparison.Ordinal);
        Assert.Contains("<dd data-testid=\"fee\">¥300 each</dd>", WebUtility.HtmlDecode(await client.GetStringAsync("/forms/juminhyo-per/request", Ct)), StringComparison.Ordinal);

        await client.GetAsync("/lang?to=easy", Ct);
        Assert.Contains("<dd data-testid=\"fee\">1つ 300円</dd>", WebUtility.HtmlDecode(await client.GetStringAsync("/forms/juminhyo-per/request", Ct)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_count_without_a_unit_is_worded_per_item()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var client = await AnsweredAsync(app, PerCopyForm(withUnit: false), new() { ["how"] = "counter", ["copies"] = "3" });

        var fill = WebUtility.HtmlDecode(await client.GetStringAsync("/forms/juminhyo-per/request", Ct));
        Assert.Contains("<dd data-testid=\"fee\">1件につき300円</dd>", fill, StringComparison.Ordinal);
        var check = WebUtility.HtmlDecode(await client.GetStringAsync("/forms/juminhyo-per/check", Ct));
        Assert.Contains("<dt>手数料</dt><dd>300円 × 3 = 900円</dd>", check, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_count_is_not_asked_the_check_page_shows_the_unit_price_and_no_total_that_would_leave_it_out()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var json = JsonNode.Parse(PerCopyForm(askedOnlyByPost: true))!;
        // A second fee that always applies, so a total would be drawn if every amount were known.
        json["pages"]![0]!["items"]![3]!.AsObject().Remove("showWhen");
        var client = await AnsweredAsync(app, json.ToJsonString(), new() { ["how"] = "counter" });

        var check = WebUtility.HtmlDecode(await client.GetStringAsync("/forms/juminhyo-per/check", Ct));

        Assert.Contains("<dt>手数料</dt><dd>1通につき300円</dd>", check, StringComparison.Ordinal);
        Assert.Contains("<dt>郵送料</dt><dd>140円</dd>", check, StringComparison.Ordinal);
        Assert.DoesNotContain("fee-total", check, StringComparison.Ordinal);
    }
}
