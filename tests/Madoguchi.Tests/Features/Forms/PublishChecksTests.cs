using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Madoguchi.Tests.Features.Forms;

/// <summary>
/// Each fault test starts from the minimal form (which passes), adds one fault and checks the refusal
/// names it. Rules of the definition are checked without the app; rendered pages with it.
/// </summary>
public sealed class PublishChecksTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject Base() => JsonNode.Parse(FormParserTests.Minimal)!.AsObject();

    private static JsonArray Items(JsonObject form, int page) => form["pages"]![page]!["items"]!.AsArray();

    private static JsonObject Item(JsonObject form, int page, int item) => Items(form, page)[item]!.AsObject();

    private static JsonObject Ja(string text) => new() { ["ja"] = text };

    /// <summary>The problems of the definition's rules (what the parser says first, as publishing does).</summary>
    private static IReadOnlyList<FormError> DefinitionProblems(JsonObject form, bool usesMyNumber = false)
    {
        var parsed = FormParser.Parse(form.ToJsonString(), procedureUsesMyNumber: true);
        return parsed.Definition is null ? parsed.Errors : PublishChecks.Definition(parsed.Definition, usesMyNumber);
    }

    private static FormError Single(IReadOnlyList<FormError> problems, string path, string words)
    {
        var found = problems.Where(p => p.Path == path && p.Message.Contains(words, StringComparison.Ordinal)).ToList();
        Assert.True(found.Count == 1, $"expected one problem at {path} saying '{words}', got:\n{string.Join("\n", problems)}");
        return found[0];
    }

    private static async Task<(MadoguchiFactory App, Procedure Procedure)> AppAsync(bool usesMyNumber = false, CapturedLogs? logs = null)
    {
        var app = await MadoguchiFactory.CreateAsync(services: logs is null ? null : s => s.AddSingleton<ILoggerProvider>(logs));
        var procedure = Builders.Procedure("KT-1", Builders.Department(), p =>
        {
            p.PlanFiscalYear = 2025;
            p.UsesMyNumber = usesMyNumber;
        });
        await app.SaveAsync(procedure);
        return (app, procedure);
    }

    private static async Task<IReadOnlyList<FormError>> AllProblemsAsync(MadoguchiFactory app, Procedure procedure, string json)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<PublishChecks>().CheckAsync(json, procedure, Ct);
    }

    [Fact]
    public void The_minimal_form_breaks_no_rule_of_the_definition()
    {
        Assert.Empty(DefinitionProblems(Base()));
    }

    [Theory]
    [InlineData("field label", "$.pages[0].items[1].label.ja", "項目 'note'の項目名（ラベル）「Note」")]
    [InlineData("option label", "$.pages[0].items[0].options[1].label.ja", "選択肢 'b' の名前「Note」")]
    [InlineData("page title", "$.pages[1].title.ja", "ページ 'second'のページの題名「Note」")]
    [InlineData("group label", "$.pages[1].items[0].label.ja", "グループ 'members'のグループの名前「Note」")]
    [InlineData("group field label", "$.pages[1].items[0].fields[0].label.ja", "項目 'memberName'の項目名（ラベル）「Note」")]
    [InlineData("consent statement", "$.pages[0].items[2].statement.ja", "項目 'agree'の同意する内容「Note」")]
    [InlineData("invisible label", "$.pages[0].items[1].label.ja", "「\u200B」に日本語がありません")]
    public void A_text_residents_read_without_Japanese_is_refused(string where, string path, string words)
    {
        var form = Base();
        Items(form, 0).Add(new JsonObject { ["type"] = "consent", ["key"] = "agree", ["label"] = Ja("確認事項"), ["statement"] = Ja("内容に誤りはありません。") });
        var text = where == "invisible label" ? "\u200B" : "Note";
        JsonNode target = where switch
        {
            "field label" or "invisible label" => Item(form, 0, 1)["label"]!,
            "option label" => Item(form, 0, 0)["options"]![1]!["label"]!,
            "page title" => form["pages"]![1]!["title"]!,
            "group label" => Item(form, 1, 0)["label"]!,
            "group field label" => Item(form, 1, 0)["fields"]![0]!["label"]!,
            _ => Item(form, 0, 2)["statement"]!,
        };
        target["ja"] = text;

        var problem = Single(DefinitionProblems(form), path, words);
        Assert.Contains("ja には利用者が読む日本語を書いてください", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("2〜3人", true)]
    [InlineData("𠮷野", true)]
    [InlineData("ＰＤＦ", false)]
    [InlineData("Email", false)]
    [InlineData("-", true)]
    [InlineData("\u200B", false)]
    public void Japanese_means_kana_or_kanji_or_no_Latin_letters(string text, bool japanese)
    {
        Assert.Equal(japanese, PublishChecks.IsJapanese(text));
    }

    [Theory]
    [InlineData("across pages", "$.pages[1].items[2].key")]
    [InlineData("within a group", "$.pages[1].items[0].fields[1].key")]
    public void A_key_written_twice_is_refused(string where, string path)
    {
        var form = Base();
        if (where == "across pages") Items(form, 1).Add(new JsonObject { ["type"] = "text", ["key"] = "note", ["label"] = Ja("備考2") });
        else Item(form, 1, 0)["fields"]!.AsArray().Add(new JsonObject { ["type"] = "text", ["key"] = "memberName", ["label"] = Ja("氏名2") });

        Single(DefinitionProblems(form), path, "が重複しています");
    }

    [Fact]
    public void Keys_that_differ_only_in_case_are_refused_because_posted_names_ignore_case()
    {
        var form = Base();
        Items(form, 1).Add(new JsonObject { ["type"] = "text", ["key"] = "membername", ["label"] = Ja("代表者") });

        var problem = Single(DefinitionProblems(form), "$.pages[1].items[2].key", "大文字・小文字だけが違います");
        Assert.Contains("グループ 'members' の項目 'memberName'", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("slug")]
    [InlineData("handler")]
    public void A_key_the_fill_page_uses_itself_is_refused(string key)
    {
        var form = Base();
        Item(form, 0, 1)["key"] = key;
        Item(form, 0, 1).Remove("showWhen");

        Single(DefinitionProblems(form), "$.pages[0].items[1].key", $"key '{key}' は申請画面が内部で使う名前");
    }

    [Theory]
    [InlineData("unknown field", "$.pages[0].items[1].showWhen.field", "'nothing' はこれより前にありません")]
    [InlineData("field of a later page", "$.pages[0].items[1].showWhen.field", "'later' はこれより前にありません")]
    [InlineData("value that is not an option", "$.pages[0].items[1].showWhen", "'c' は 'kind' の選択肢にありません")]
    [InlineData("page condition on its own page", "$.pages[1].showWhen.field", "同じページにあります")]
    [InlineData("cycle", "$.pages[0].items[1].showWhen.field", "'loop' はこれより前にありません")]
    public void A_condition_on_a_field_that_cannot_be_known_is_refused(string fault, string path, string words)
    {
        var form = Base();
        var note = Item(form, 0, 1);
        switch (fault)
        {
            case "unknown field":
                note["showWhen"] = new JsonObject { ["field"] = "nothing", ["filled"] = true };
                break;
            case "field of a later page":
                Items(form, 1).Add(new JsonObject { ["type"] = "text", ["key"] = "later", ["label"] = Ja("後の項目") });
                note["showWhen"] = new JsonObject { ["field"] = "later", ["filled"] = true };
                break;
            case "value that is not an option":
                note["showWhen"] = new JsonObject { ["field"] = "kind", ["equals"] = "c" };
                break;
            case "page condition on its own page":
                Items(form, 1).Add(new JsonObject { ["type"] = "text", ["key"] = "own", ["label"] = Ja("このページの項目") });
                form["pages"]![1]!["showWhen"] = new JsonObject { ["field"] = "own", ["filled"] = true };
                break;
            default:
                // note shows when loop is filled, loop when note is filled: one of them always comes first.
                note["showWhen"] = new JsonObject { ["field"] = "loop", ["filled"] = true };
                Items(form, 0).Add(new JsonObject { ["type"] = "text", ["key"] = "loop", ["label"] = Ja("循環"), ["showWhen"] = new JsonObject { ["field"] = "note", ["filled"] = true } });
                break;
        }

        Single(DefinitionProblems(form), path, words);
    }

    [Theory]
    [InlineData("number", "10", "'10' は項目 'count' が取り得ない値です")]
    [InlineData("date", "2025/4/1", "'2025/4/1' は項目 'when' が取り得ない値です")]
    [InlineData("consent", "agree", "'agree' は項目 'ok' が取り得ない値です")]
    public void A_condition_on_a_value_the_field_never_stores_hides_the_item_forever(string type, string value, string words)
    {
        var form = Base();
        Items(form, 0).Insert(1, type switch
        {
            "number" => new JsonObject { ["type"] = "number", ["key"] = "count", ["min"] = 1, ["max"] = 5, ["label"] = Ja("人数") },
            "date" => new JsonObject { ["type"] = "date", ["key"] = "when", ["label"] = Ja("日付") },
            _ => new JsonObject { ["type"] = "consent", ["key"] = "ok", ["label"] = Ja("確認"), ["statement"] = Ja("確認しました。") },
        });
        var key = type switch { "number" => "count", "date" => "when", _ => "ok" };
        Items(form, 0).Add(new JsonObject { ["type"] = "text", ["key"] = "detail", ["required"] = true, ["label"] = Ja("詳細"), ["showWhen"] = new JsonObject { ["field"] = key, ["equals"] = value } });

        var problem = Single(DefinitionProblems(form), "$.pages[0].items[3].showWhen", words);
        Assert.Contains("ページ 'first' の項目 'detail': この必須の項目はどう回答しても表示されません", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_item_whose_condition_contradicts_its_pages_condition_is_never_shown()
    {
        var form = Base();
        form["pages"]![1]!["showWhen"] = new JsonObject { ["field"] = "kind", ["equals"] = "a" };
        Items(form, 1).Add(new JsonObject { ["type"] = "text", ["key"] = "onlyB", ["required"] = true, ["label"] = Ja("乙の詳細"), ["showWhen"] = new JsonObject { ["field"] = "kind", ["equals"] = "b" } });

        var problem = Single(DefinitionProblems(form), "$.pages[1].items[2].showWhen", "同時に違う値");
        Assert.Contains("項目 'onlyB'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_item_that_needs_a_field_which_is_never_shown_is_never_shown_either()
    {
        var form = Base();
        Items(form, 0).Add(new JsonObject { ["type"] = "consent", ["key"] = "ok", ["label"] = Ja("確認"), ["statement"] = Ja("確認しました。") });
        Items(form, 0).Add(new JsonObject { ["type"] = "number", ["key"] = "count", ["label"] = Ja("人数"), ["showWhen"] = new JsonObject { ["field"] = "ok", ["equals"] = "agree" } });
        Items(form, 1).Add(new JsonObject { ["type"] = "text", ["key"] = "deep", ["label"] = Ja("詳細"), ["showWhen"] = new JsonObject { ["field"] = "count", ["filled"] = true } });

        Single(DefinitionProblems(form), "$.pages[0].items[3].showWhen", "'agree' は項目 'ok' が取り得ない値です");
        Single(DefinitionProblems(form), "$.pages[1].items[2].showWhen", "条件の項目 'count' が決して表示されない");
    }

    [Fact]
    public void Conditions_that_contradict_through_a_chain_hide_the_item_forever()
    {
        var form = Base();
        Items(form, 0).Add(new JsonObject { ["type"] = "number", ["key"] = "count", ["label"] = Ja("人数"), ["showWhen"] = new JsonObject { ["field"] = "kind", ["equals"] = "a" } });
        // The second page needs note, so kind = b; an item there that needs count (kind = a) can never show.
        form["pages"]![1]!["showWhen"] = new JsonObject { ["field"] = "note", ["filled"] = true };
        Items(form, 1).Add(new JsonObject { ["type"] = "text", ["key"] = "deep", ["label"] = Ja("詳細"), ["showWhen"] = new JsonObject { ["field"] = "count", ["filled"] = true } });

        Single(DefinitionProblems(form), "$.pages[1].items[2].showWhen", "項目 'kind' に同時に違う値（b と a）");
    }

    [Fact]
    public void A_group_field_with_a_condition_on_a_field_outside_the_group_is_never_shown()
    {
        var form = Base();
        Item(form, 1, 0)["fields"]!.AsArray().Add(new JsonObject { ["type"] = "text", ["key"] = "memberNote", ["label"] = Ja("家族の備考"), ["showWhen"] = new JsonObject { ["field"] = "kind", ["equals"] = "b" } });

        Single(DefinitionProblems(form), "$.pages[1].items[0].fields[1].showWhen", "グループ 'members' の外にあります");
    }

    [Fact]
    public void A_my_number_field_is_refused_unless_the_procedure_uses_it()
    {
        var form = Base();
        Items(form, 0).Add(new JsonObject { ["type"] = "my-number", ["key"] = "myNumber", ["label"] = Ja("個人番号") });

        Single(DefinitionProblems(form, usesMyNumber: false), "$.pages[0].items[2].type", "個人番号を利用する手続とされていない");
        Assert.Empty(DefinitionProblems(form, usesMyNumber: true));
    }

    private const string GoodPage = """
        <html><body><h1>テスト申請</h1>
        <form method="post">
          <fieldset><legend>区分</legend>
            <label><input type="radio" name="kind" value="a" id="f-kind-0"> 甲</label>
            <label><input type="radio" name="kind" value="b" id="f-kind-1"> 乙</label>
          </fieldset>
          <label for="f-note">備考</label><input id="f-note" name="note">
          <fieldset><legend>家族</legend>
            <input type="hidden" name="members.count" value="1">
            <fieldset><legend>家族 1</legend><label for="f-members-0--n">氏名</label><input id="f-members-0--n" name="members[0].n"></fieldset>
          </fieldset>
          <h2>注意</h2><h3>提出先</h3><a href="/guide">申請の手引き</a>
          <button type="submit" name="action" value="next">次へ</button>
        </form></body></html>
        """;

    [Fact]
    public void A_page_that_follows_the_rendered_rules_has_no_problem()
    {
        Assert.Empty(RenderedPageCheck.Check(GoodPage, "ページ 'first'"));
    }

    [Theory]
    [InlineData("""<label for="f-note">備考</label>""", "", "入力欄 <input name='note' id='f-note'> にラベルがありません")]
    [InlineData("<fieldset><legend>区分</legend>", "<div>", "選択肢 name='kind' が、見出し（legend）のある fieldset で囲まれていません")]
    [InlineData("<legend>家族 1</legend>", "", "繰り返しの入力欄 'members[0]' が")]
    [InlineData("<h2>注意</h2><h3>提出先</h3>", "<h3>提出先</h3>", "見出しのレベルが h1 から h3「提出先」に飛んでいます")]
    [InlineData("<h2>注意</h2>", "<h1>注意</h1>", "見出し h1 が2個あります")]
    [InlineData("申請の手引き</a>", "こちら</a>", "リンクの文言「こちら」では行き先が分かりません")]
    [InlineData("申請の手引き</a>", "Click here</a>", "リンクの文言「Click here」では行き先が分かりません")]
    [InlineData("申請の手引き</a>", "</a>", "リンク（/guide）に文字がありません")]
    [InlineData("id=\"f-kind-1\"", "id=\"f-kind-0\"", "id 'f-kind-0' が2つ以上の要素にあります")]
    public void A_rendered_page_breaking_an_accessibility_rule_is_refused(string from, string to, string words)
    {
        var html = GoodPage.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(GoodPage, html);

        var problems = RenderedPageCheck.Check(html, "ページ 'first'");

        Assert.Contains(problems, p => p.StartsWith("ページ 'first': ", StringComparison.Ordinal) && p.Contains(words, StringComparison.Ordinal));
    }

    private const string ErrorPage = """
        <h2 id="error-summary-title">入力内容を確認してください</h2>
        <ul><li><a href="#f-note">＊備考は1000文字以内で入力してください。</a></li></ul>
        <h1>テスト申請</h1>
        <label for="f-note">備考</label><span id="f-note-error">＊備考は1000文字以内で入力してください。</span>
        <input id="f-note" name="note" aria-describedby="f-note-error" aria-invalid="true">
        """;

    [Theory]
    [InlineData("", "", null)]
    [InlineData("＊備考は1000文字以内で入力してください。</span>", "＊Too long</span>", "誤りのメッセージ「＊Too long」が日本語ではありません")]
    [InlineData(" aria-describedby=\"f-note-error\"", "", "項目に結び付いた誤りのメッセージがありません")]
    [InlineData("<li><a href=\"#f-note\">＊備考は1000文字以内で入力してください。</a></li>", "", "ページ上部の一覧への表示")]
    public void Every_field_that_fails_must_show_its_error_in_Japanese(string from, string to, string? words)
    {
        var html = from.Length == 0 ? ErrorPage : ErrorPage.Replace(from, to, StringComparison.Ordinal);

        var problems = RenderedPageCheck.CheckErrors(html, "ページ 'first'", [("note", "f-note")]);

        if (words is null) Assert.Empty(problems);
        else Assert.Contains(problems, p => p.Contains(words, StringComparison.Ordinal));
    }

    [Fact]
    // The pages are rendered in a transaction (a savepoint) that is rolled back: engine-dependent.
    [Trait(Traits.Storage, "true")]
    public async Task The_demo_forms_and_the_minimal_form_pass_every_check_on_their_rendered_pages()
    {
        var logs = new CapturedLogs();
        var (app, procedure) = await AppAsync(logs: logs);
        await using var _ = app;

        foreach (var json in DemoForms.All.Select(d => d.Json).Append(FormParserTests.Minimal))
        {
            var problems = await AllProblemsAsync(app, procedure, json);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
        // The stand-in forms and drafts the pages were rendered with were all rolled back.
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Empty(await db.Forms.ToListAsync(Ct));
        Assert.Empty(await db.Drafts.ToListAsync(Ct));
        // Each page is rendered like a real request: its size limits apply and rendering logs nothing
        // as wrong (an operator reading `demo load` or the designer's log sees no false alarm).
        Assert.DoesNotContain(logs.Text.Split('\n'), l => l.StartsWith("Warning Microsoft.AspNetCore.Mvc", StringComparison.Ordinal) || l.StartsWith("Error ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_conditional_field_is_rendered_too_and_its_error_message_must_be_Japanese()
    {
        var (app, procedure) = await AppAsync();
        await using var _ = app;
        var form = Base();
        // Shown only when kind = b, so only a render with that answer reaches it.
        Item(form, 0, 1)["maxLength"] = 10;
        Item(form, 0, 1)["error"] = Ja("Too long");

        var problems = await AllProblemsAsync(app, procedure, form.ToJsonString());

        Assert.Contains(problems, p => p.Path == "$.pages[0].items[1].error.ja");
        var rendered = Assert.Single(problems, p => p.Path == "$.pages[0]");
        Assert.Contains("ページ 'first'（kind に回答したとき）: 項目 'note' の誤りのメッセージ「＊Too long」が日本語ではありません", rendered.Message, StringComparison.Ordinal);
    }

    [Fact]
    // The pages are rendered in a transaction (a savepoint) that is rolled back: engine-dependent.
    [Trait(Traits.Storage, "true")]
    public async Task Publishing_refuses_with_every_problem_at_once_and_writes_nothing_while_the_designer_can_ask_first()
    {
        var (app, procedure) = await AppAsync();
        await using var _ = app;
        var form = Base();
        Item(form, 0, 0)["label"] = Ja("Kind");
        Item(form, 0, 1)["key"] = "step";
        Item(form, 0, 1).Remove("showWhen");
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<FormService>().ImportAsync(form.ToJsonString(), "KT-1", "test", Ct);
        }

        IReadOnlyList<FormError> asked;
        await using (var scope = app.Scope())
        {
            asked = await scope.ServiceProvider.GetRequiredService<PublishChecks>().CheckAsync("test-form", Ct);
        }
        FormRefusedException refused;
        await using (var scope = app.Scope())
        {
            refused = await Assert.ThrowsAsync<FormRefusedException>(() => scope.ServiceProvider.GetRequiredService<FormService>().PublishAsync("test-form", "test", Ct));
        }

        Assert.Equal(["$.pages[0].items[0].label.ja", "$.pages[0].items[1].key"], refused.Errors.Select(e => e.Path).Take(2));
        Assert.Equal(refused.Errors, asked);
        Assert.Contains($"次の {asked.Count} 件を直してから公開してください", refused.Message, StringComparison.Ordinal);
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            Assert.Empty(await db.FormVersions.ToListAsync(Ct));
            Assert.Equal(OnlineStatus.NotDone, (await db.Procedures.SingleAsync(Ct)).Status);
            Assert.Null((await db.Forms.SingleAsync(Ct)).CurrentVersion);
        }
    }
}
