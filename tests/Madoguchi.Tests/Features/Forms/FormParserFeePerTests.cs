using System.Text.Json.Nodes;
using Madoguchi.Web.Features.Forms;

namespace Madoguchi.Tests.Features.Forms;

/// <summary>A fee charged per unit: <c>"per"</c> names the number field whose answer the yen are multiplied by.</summary>
public sealed class FormParserFeePerTests
{
    /// <summary>Copies (a whole number, 1–10, required), a text, a group, and a fee of 300円 per copy.</summary>
    private const string PerCopy = """
    {
      "slug": "per-copy",
      "title": { "ja": "住民票の写しの請求" },
      "pages": [
        { "key": "request", "title": { "ja": "請求の内容" },
          "items": [
            { "type": "number", "key": "copies", "required": true, "min": 1, "max": 10, "unit": "通", "label": { "ja": "必要な通数" } },
            { "type": "text", "key": "note", "label": { "ja": "備考" } },
            { "type": "group", "key": "people", "label": { "ja": "請求する人" },
              "fields": [ { "type": "number", "key": "personCopies", "required": true, "min": 1, "max": 3, "label": { "ja": "通数" } } ] },
            { "type": "fee", "label": { "ja": "手数料" }, "yen": 300, "per": "copies" }
          ] }
      ]
    }
    """;

    private static JsonObject Form() => JsonNode.Parse(PerCopy)!.AsObject();
    private static JsonArray Items(JsonObject form) => form["pages"]![0]!["items"]!.AsArray();
    private static JsonObject Copies(JsonObject form) => Items(form)[0]!.AsObject();
    private static JsonObject Fee(JsonObject form) => Items(form)[3]!.AsObject();

    [Fact]
    public void A_fee_per_a_whole_number_field_is_read_and_written_back()
    {
        var result = FormParser.Parse(PerCopy, procedureUsesMyNumber: false);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(300, Assert.IsType<FeeDisplay>(result.Definition!.Pages[0].Items[3]).Yen);
        var written = FormJson.Write(result.Definition);
        Assert.Equal("copies", JsonNode.Parse(written)!["pages"]![0]!["items"]![3]!["per"]!.GetValue<string>());
        var reread = FormParser.Parse(written, false);
        Assert.True(reread.IsValid, string.Join("\n", reread.Errors));
        Assert.Equal(written, FormJson.Write(reread.Definition!));
        // A fee without "per" is written as before: no "per" key.
        var flat = Form();
        Fee(flat).Remove("per");
        Assert.DoesNotContain("\"per\"", FormJson.Write(FormParser.Parse(flat.ToJsonString(), false).Definition!), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadCases() => new()
    {
        // (what is changed, a phrase the message on $.pages[0].items[3].per must contain)
        { "unknown key", "項目 'nothing' はありません" },
        { "a text field", "'note' は text の項目なので" },
        { "a field in a group", "繰り返しグループ 'people' の中の項目" },
        { "a group", "'people' は繰り返しグループなので" },
        { "no min", "'copies' には min がないため、負の数も入力できます" },
        { "a negative min", "'copies' の min（-1）が負の数" },
        { "no max", "'copies' には max がないため" },
        { "a max making the fee too large", "上限の 10,000,000円を超えます。max を 33,333 以下にしてください" },
        { "an optional count", "required を true にしてください" },
        { "not a string", "per は空でない文字列で書いてください" },
    };

    [Theory]
    [MemberData(nameof(BadCases))]
    public void A_fee_per_a_field_that_is_not_a_whole_number_answered_once_is_refused_saying_what_to_set(string change, string phrase)
    {
        var form = Form();
        switch (change)
        {
            case "unknown key": Fee(form)["per"] = "nothing"; break;
            case "a text field": Fee(form)["per"] = "note"; break;
            case "a field in a group": Fee(form)["per"] = "personCopies"; break;
            case "a group": Fee(form)["per"] = "people"; break;
            case "no min": Copies(form).Remove("min"); break;
            case "a negative min": Copies(form)["min"] = -1; break;
            case "no max": Copies(form).Remove("max"); break;
            case "a max making the fee too large": Copies(form)["max"] = 100_000; break;
            case "an optional count": Copies(form)["required"] = false; break;
            case "not a string": Fee(form)["per"] = 2; break;
            default: throw new ArgumentOutOfRangeException(nameof(change), change, "unknown case");
        }

        var result = FormParser.Parse(form.ToJsonString(), false);

        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal("$.pages[0].items[3].per", error.Path);
        Assert.Contains(phrase, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_largest_max_that_keeps_the_fee_within_the_limit_is_accepted_and_a_free_fee_needs_no_bound_on_it()
    {
        var form = Form();
        Copies(form)["max"] = 33_333;
        Assert.True(FormParser.Parse(form.ToJsonString(), false).IsValid);

        Fee(form)["yen"] = 0;
        Copies(form)["max"] = long.MaxValue;
        var free = FormParser.Parse(form.ToJsonString(), false);
        Assert.True(free.IsValid, string.Join("\n", free.Errors));
    }

    [Fact]
    public void A_count_field_refused_for_its_own_fault_gets_no_second_error_on_the_fee()
    {
        var form = Form();
        Copies(form)["maxLength"] = 3;

        var errors = FormParser.Parse(form.ToJsonString(), false).Errors;

        Assert.Equal(["$.pages[0].items[0].maxLength"], errors.Select(e => e.Path));
    }
}
