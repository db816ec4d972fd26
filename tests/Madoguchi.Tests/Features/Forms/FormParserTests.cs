using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Madoguchi.Web.Features.Forms;

namespace Madoguchi.Tests.Features.Forms;

public sealed partial class FormParserTests
{
    /// <summary>A small valid form the bad cases start from: two pages, a radio, a text shown on a condition, a group.</summary>
    internal const string Minimal = """
    {
      "slug": "test-form",
      "procedure": "KT-1",
      "title": { "ja": "テスト申請", "en": "Test application", "easy": "{申請|しんせい}" },
      "pages": [
        {
          "key": "first",
          "title": { "ja": "最初のページ" },
          "items": [
            { "type": "radio", "key": "kind", "required": true, "label": { "ja": "区分" },
              "options": [ { "value": "a", "label": { "ja": "甲" } }, { "value": "b", "label": { "ja": "乙" } } ] },
            { "type": "text", "key": "note", "label": { "ja": "備考" }, "showWhen": { "field": "kind", "equals": "b" } }
          ]
        },
        {
          "key": "second",
          "title": { "ja": "次のページ" },
          "showWhen": { "field": "kind", "in": ["a", "b"] },
          "items": [
            { "type": "group", "key": "members", "min": 1, "max": 3, "label": { "ja": "家族" },
              "fields": [ { "type": "name", "key": "memberName", "required": true, "label": { "ja": "氏名" } } ] },
            { "type": "fee", "label": { "ja": "手数料" }, "yen": 300 }
          ]
        }
      ]
    }
    """;

    private static JsonObject Base() => JsonNode.Parse(Minimal)!.AsObject();

    private static IReadOnlyList<FormError> Errors(JsonNode json, bool usesMyNumber = false)
    {
        var result = FormParser.Parse(json.ToJsonString(), usesMyNumber);
        Assert.False(result.IsValid, "the parser accepted a bad definition");
        return result.Errors;
    }

    private static JsonObject Item(JsonObject form, int page, int item) => form["pages"]![page]!["items"]![item]!.AsObject();

    [Fact]
    public void The_minimal_form_parses_with_its_defaults()
    {
        var result = FormParser.Parse(Minimal, procedureUsesMyNumber: false);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var form = result.Definition!;
        Assert.Equal(("test-form", "KT-1", 30), (form.Slug, form.ProcedureCode, form.DraftExpiryDays));
        Assert.Equal(["kind", "note", "memberName"], form.AllFields.Select(f => f.Key));
        var note = ((FormField)form.Pages[0].Items[1]).ShowWhen!;
        Assert.Equal(("kind", ConditionOperator.Equals, "b"), (note.Field, note.Operator, Assert.Single(note.Values)));
        Assert.Equal(ConditionOperator.In, form.Pages[1].ShowWhen!.Operator);
        Assert.Equal(["a", "b"], form.Pages[1].ShowWhen!.Values);
        var group = (FormGroup)form.Pages[1].Items[0];
        Assert.Equal(("members", 1, 3), (group.Key, group.Min, group.Max));
        Assert.Equal(300, ((FeeDisplay)form.Pages[1].Items[1]).Yen);
    }

    [Fact]
    public void The_demo_forms_and_the_documented_example_parse()
    {
        foreach (var demo in DemoForms.All)
        {
            var result = FormParser.Parse(demo.Json, procedureUsesMyNumber: false);
            Assert.True(result.IsValid, demo.ProcedureName + ": " + string.Join("\n", result.Errors));
        }
        var example = DocumentedExample();
        var parsed = FormParser.Parse(example, procedureUsesMyNumber: false);
        Assert.True(parsed.IsValid, "docs/forms-format.md example: " + string.Join("\n", parsed.Errors));
        var types = parsed.Definition!.AllFields.Select(f => f.Type).ToHashSet();
        // The example shows every field type the format has, except 個人番号 (shown in its own section).
        Assert.Equal(Enum.GetValues<FieldType>().Where(t => t != FieldType.MyNumber).Order(), types.Order());
        Assert.Equal(3, parsed.Definition.Pages.Count);
    }

    /// <summary>The first ```json block of docs/forms-format.md.</summary>
    internal static string DocumentedExample()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "docs", "forms-format.md");
            if (!File.Exists(path)) continue;
            var match = JsonBlock().Match(File.ReadAllText(path));
            Assert.True(match.Success, "no ```json block in docs/forms-format.md");
            return match.Groups[1].Value;
        }
        throw new InvalidOperationException("docs/forms-format.md not found above the test folder");
    }

    [GeneratedRegex("```json\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [Fact]
    public void Writing_a_parsed_form_and_reading_it_back_gives_the_same_bytes()
    {
        foreach (var json in DemoForms.All.Select(d => d.Json).Append(Minimal).Append(DocumentedExample()))
        {
            var first = FormJson.Write(FormParser.Parse(json, false).Definition!);
            var reread = FormParser.Parse(first, false);
            Assert.True(reread.IsValid, string.Join("\n", reread.Errors));
            var second = FormJson.Write(reread.Definition!);
            Assert.Equal(first, second);
            Assert.Equal(FormJson.Sha256(first), FormJson.Sha256(second));
        }
    }

    public static TheoryData<string, string, string> BadCases() => new()
    {
        // (what is changed, the path the error must name, a phrase the message must contain)
        { "unknown root key", "$.colour", "キー 'colour' はここでは使えません" },
        { "unknown field key", "$.pages[0].items[0].maxLength", "type 'radio' で使えるのは" },
        { "duplicate field key", "$.pages[1].items[0].fields[0].key", "key 'kind' が重複しています" },
        { "missing ja label", "$.pages[0].items[1].label.ja", "日本語（ja）の文言がありません" },
        { "missing title", "$.title", "title がありません" },
        { "condition on an unknown field", "$.pages[0].items[1].showWhen.field", "項目 'nothing' はこれより前にありません" },
        { "condition on a later field", "$.pages[0].items[0].showWhen.field", "項目 'note' はこれより前にありません" },
        { "page condition on its own page", "$.pages[0].showWhen.field", "前のページの項目だけ" },
        { "condition value not an option", "$.pages[0].items[1].showWhen", "'c' は 'kind' の選択肢にありません" },
        { "condition inside a group from outside", "$.pages[1].items[1].showWhen.field", "繰り返しグループ 'members' の中の項目" },
        { "my-number on a procedure not using it", "$.pages[0].items[2].type", "個人番号を利用する手続とされていない" },
        { "bad ruby markup", "$.title.easy", "閉じていません" },
        { "fee with decimals", "$.pages[1].items[1].yen", "整数で書いてください" },
        { "unknown type", "$.pages[0].items[0].type", "type 'textarea' は使えません" },
        { "bad slug", "$.slug", "英小文字・数字とハイフン" },
        { "group min above max", "$.pages[1].items[0].min", "min（5）が max（3）より大きく" },
        { "unknown file type", "$.pages[0].items[2].accept[1]", "ファイル形式 'exe' は受け付けられません" },
        { "postcode without its address", "$.pages[0].items[2].addressField", "住所（address）項目ではありません" },
        { "consent made optional", "$.pages[0].items[2].required", "required を false にせず" },
        { "two condition operators", "$.pages[0].items[1].showWhen", "どれか1つ" },
        { "no pages", "$.pages", "1ページ以上" },
    };

    [Theory]
    [MemberData(nameof(BadCases))]
    public void A_bad_definition_is_refused_with_the_path_and_a_japanese_reason(string change, string path, string phrase)
    {
        var form = Base();
        var kind = Item(form, 0, 0);
        var note = Item(form, 0, 1);
        var page0 = form["pages"]![0]!.AsObject();
        switch (change)
        {
            case "unknown root key": form["colour"] = "blue"; break;
            case "unknown field key": kind["maxLength"] = 10; break;
            case "duplicate field key": Item(form, 1, 0)["fields"]![0]!["key"] = "kind"; break;
            case "missing ja label": note["label"] = new JsonObject { ["en"] = "Note" }; break;
            case "missing title": form.Remove("title"); break;
            case "condition on an unknown field": note["showWhen"] = new JsonObject { ["field"] = "nothing", ["filled"] = true }; break;
            case "condition on a later field": kind["showWhen"] = new JsonObject { ["field"] = "note", ["filled"] = true }; break;
            case "page condition on its own page": page0["showWhen"] = new JsonObject { ["field"] = "kind", ["equals"] = "a" }; break;
            case "condition value not an option": note["showWhen"] = new JsonObject { ["field"] = "kind", ["equals"] = "c" }; break;
            case "condition inside a group from outside": Item(form, 1, 1)["showWhen"] = new JsonObject { ["field"] = "memberName", ["filled"] = true }; break;
            case "my-number on a procedure not using it":
                page0["items"]!.AsArray().Add(new JsonObject { ["type"] = "my-number", ["key"] = "myNumber", ["label"] = new JsonObject { ["ja"] = "個人番号" } });
                break;
            case "bad ruby markup": form["title"]!["easy"] = "{申請|しんせい"; break;
            case "fee with decimals": Item(form, 1, 1)["yen"] = 300.5; break;
            case "unknown type": kind["type"] = "textarea"; break;
            case "bad slug": form["slug"] = "Test_Form"; break;
            case "group min above max": Item(form, 1, 0)["min"] = 5; break;
            case "unknown file type":
                page0["items"]!.AsArray().Add(JsonNode.Parse("""{ "type": "file", "key": "doc", "label": { "ja": "書類" }, "accept": ["pdf", "exe"] }"""));
                break;
            case "postcode without its address":
                page0["items"]!.AsArray().Add(JsonNode.Parse("""{ "type": "postcode", "key": "zip", "label": { "ja": "郵便番号" }, "addressField": "note" }"""));
                break;
            case "consent made optional":
                page0["items"]!.AsArray().Add(JsonNode.Parse("""{ "type": "consent", "key": "ok", "required": false, "label": { "ja": "同意" }, "statement": { "ja": "同意します" } }"""));
                break;
            case "two condition operators": note["showWhen"] = new JsonObject { ["field"] = "kind", ["equals"] = "a", ["filled"] = true }; break;
            case "no pages": form["pages"] = new JsonArray(); break;
            default: throw new ArgumentOutOfRangeException(nameof(change), change, "unknown case");
        }

        var errors = Errors(form);

        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(phrase, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("blank label")]
    [InlineData("unknown property")]
    public void A_field_refused_for_its_own_fault_gets_one_error_not_a_second_one_on_the_condition_that_uses_it(string fault)
    {
        var form = Base();
        var kind = Item(form, 0, 0);
        if (fault == "blank label") kind["label"] = new JsonObject { ["ja"] = "" };
        else kind["maxLength"] = 10;
        Item(form, 0, 1)["showWhen"] = new JsonObject { ["field"] = "kind", ["filled"] = true };

        var errors = Errors(form);

        Assert.Contains(errors, e => e.Path.StartsWith("$.pages[0].items[0]", StringComparison.Ordinal));
        // 'kind' is right before the condition: saying it is not there sends the author looking in the wrong place.
        Assert.DoesNotContain(errors, e => e.Path == "$.pages[0].items[1].showWhen.field");
    }

    [Fact]
    public void A_key_written_twice_in_one_object_is_refused_though_json_readers_would_keep_the_last()
    {
        var json = Minimal.Replace("\"slug\": \"test-form\",", "\"slug\": \"test-form\", \"slug\": \"other\",", StringComparison.Ordinal);

        var errors = FormParser.Parse(json, false).Errors;

        Assert.Contains(errors, e => e.Path == "$.slug" && e.Message.Contains("2回書かれています", StringComparison.Ordinal));
    }

    [Fact]
    public void All_errors_are_reported_in_one_round()
    {
        var form = Base();
        form["colour"] = "blue";
        Item(form, 0, 1)["label"] = new JsonObject { ["en"] = "Note" };
        Item(form, 1, 1)["yen"] = -1;

        var errors = Errors(form);

        Assert.Equal(["$.colour", "$.pages[0].items[1].label.ja", "$.pages[1].items[1].yen"], errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Json_that_does_not_parse_names_the_line()
    {
        var errors = FormParser.Parse("{\n  \"slug\": \"x\",\n  \"title\" { }\n}", false).Errors;

        var error = Assert.Single(errors);
        Assert.Equal("$", error.Path);
        Assert.Contains("3行目", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_my_number_field_is_allowed_on_a_procedure_that_uses_it_and_is_always_sensitive()
    {
        var form = Base();
        form["pages"]![0]!["items"]!.AsArray().Add(new JsonObject { ["type"] = "my-number", ["key"] = "myNumber", ["label"] = new JsonObject { ["ja"] = "個人番号" } });

        var result = FormParser.Parse(form.ToJsonString(), procedureUsesMyNumber: true);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var field = result.Definition!.AllFields.Single(f => f.Key == "myNumber");
        Assert.True(field.Sensitive);
        Assert.True(result.Definition.CollectsMyNumber);
        form["pages"]![0]!["items"]![2]!["sensitive"] = false;
        Assert.Contains(FormParser.Parse(form.ToJsonString(), true).Errors, e => e.Path == "$.pages[0].items[2].sensitive");
    }

    [Theory]
    [InlineData("{漢字|かんじ}を<b>読む</b>", "<ruby>漢字<rt>かんじ</rt></ruby>を&lt;b&gt;読む&lt;/b&gt;", "漢字を<b>読む</b>")]
    [InlineData("{<script>|x}", "<ruby>&lt;script&gt;<rt>x</rt></ruby>", "<script>")]
    [InlineData("ふりがな なし", "ふりがな なし", "ふりがな なし")]
    public void Easy_japanese_ruby_becomes_ruby_elements_and_everything_else_stays_text(string easy, string html, string plain)
    {
        Assert.Null(EasyText.Check(easy));
        Assert.Equal(html, EasyText.ToHtml(easy));
        Assert.Equal(plain, EasyText.ToPlain(easy));
    }

    [Theory]
    [InlineData("{漢字}")]
    [InlineData("{|かんじ}")]
    [InlineData("{漢字|}")]
    [InlineData("漢字}")]
    [InlineData("a|b")]
    [InlineData("{漢{字|かんじ}")]
    public void Malformed_ruby_is_refused(string easy) => Assert.NotNull(EasyText.Check(easy));
}
