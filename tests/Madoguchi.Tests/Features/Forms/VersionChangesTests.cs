using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Forms;

/// <summary>Publishing a new version refuses any answer of the previous version that would be lost without a declaration.</summary>
public sealed class VersionChangesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string V1 = """
    {
      "slug": "henko-test",
      "title": { "ja": "版の変更（テスト）" },
      "pages": [
        { "key": "applicant", "title": { "ja": "申請者" },
          "items": [
            { "type": "text", "key": "fullName", "required": true, "label": { "ja": "氏名" } },
            { "type": "email", "key": "email", "label": { "ja": "メールアドレス" } },
            { "type": "text", "key": "fax", "label": { "ja": "FAX番号" } }
          ] },
        { "key": "family", "title": { "ja": "家族" },
          "items": [
            { "type": "group", "key": "children", "label": { "ja": "お子さん" },
              "fields": [ { "type": "text", "key": "childName", "label": { "ja": "お名前" } } ] }
          ] }
      ]
    }
    """;

    private static JsonObject Next(JsonObject? changes = null)
    {
        var form = JsonNode.Parse(V1)!.AsObject();
        if (changes is not null) form["changes"] = changes;
        return form;
    }

    private static JsonArray Items(JsonObject form, int page) => form["pages"]![page]!["items"]!.AsArray();

    private static JsonObject Field(JsonObject form, string key) =>
        form["pages"]!.AsArray().SelectMany(p => p!["items"]!.AsArray()).Select(i => i!.AsObject()).First(i => i["key"]!.GetValue<string>() == key);

    private static async Task<MadoguchiFactory> WithVersion1Async()
    {
        var app = await MadoguchiFactory.CreateAsync();
        await app.SaveAsync(Builders.Procedure("KT-V1"));
        await using var scope = app.Scope();
        var forms = scope.ServiceProvider.GetRequiredService<FormService>();
        await forms.ImportAsync(V1, "KT-V1", "test", Ct);
        await forms.PublishAsync("henko-test", "test", Ct);
        return app;
    }

    private static async Task<FormService.PublishResult> PublishAsync(MadoguchiFactory app, JsonObject next)
    {
        await using var scope = app.Scope();
        var forms = scope.ServiceProvider.GetRequiredService<FormService>();
        await forms.ImportAsync(next.ToJsonString(), "KT-V1", "test", Ct);
        return await forms.PublishAsync("henko-test", "test", Ct);
    }

    [Theory]
    [InlineData("field-disappears", "$.changes", "版 1 の項目 'fax'（FAX番号）がこの定義にありません。名前を変えたなら changes.renamed に {\"fax\": \"新しいkey\"} を、削除したなら changes.removed に \"fax\" を書いてください")]
    [InlineData("rename-to-missing-key", "$.changes.renamed.fax", "'fax' の変更先 'faxNumber' はこの定義にありません")]
    [InlineData("type-changes", "$.changes", "'email' の種類が email から date に変わっています")]
    [InlineData("renamed-type-changes", "$.changes.renamed.fax", "'fax' → 'faxCount' の種類が text から number に変わっています")]
    [InlineData("rename-from-unknown-key", "$.changes.renamed.telephone", "名前を変えた元の項目 'telephone' は版 1 にありません")]
    [InlineData("remove-unknown-key", "$.changes.removed[0]", "削除した項目 'telephone' は版 1 にありません")]
    [InlineData("rename-onto-kept-key", "$.changes.renamed.fax", "変更先 'email' は版 1 にもあり、そのまま残っています")]
    [InlineData("moves-into-group", "$.changes", "'email' の置き場所が変わっています（版 1 ではグループの外 → グループ 'children'）")]
    [InlineData("field-becomes-group", "$.changes", "'fax' は版 1 で項目でしたが、この定義では繰り返しグループです")]
    [InlineData("wrong-from", "$.changes.from", "changes.from は 2 ですが、公開中の最新の版は 1 です")]
    public async Task Publishing_refuses_answers_that_would_be_lost_silently_and_names_the_key(string fault, string path, string message)
    {
        await using var app = await WithVersion1Async();
        var next = Next();
        switch (fault)
        {
            case "field-disappears":
                Items(next, 0).RemoveAt(2);
                break;
            case "rename-to-missing-key":
                Items(next, 0).RemoveAt(2);
                next["changes"] = new JsonObject { ["from"] = 1, ["renamed"] = new JsonObject { ["fax"] = "faxNumber" } };
                break;
            case "type-changes":
                Field(next, "email")["type"] = "date";
                break;
            case "renamed-type-changes":
                Field(next, "fax")["type"] = "number";
                Field(next, "fax")["key"] = "faxCount";
                next["changes"] = new JsonObject { ["from"] = 1, ["renamed"] = new JsonObject { ["fax"] = "faxCount" } };
                break;
            case "rename-from-unknown-key":
                Field(next, "fax")["key"] = "faxNumber";
                next["changes"] = new JsonObject { ["from"] = 1, ["renamed"] = new JsonObject { ["telephone"] = "faxNumber", ["fax"] = "faxNumber2" } };
                break;
            case "remove-unknown-key":
                next["changes"] = new JsonObject { ["from"] = 1, ["removed"] = new JsonArray("telephone") };
                break;
            case "rename-onto-kept-key":
                Items(next, 0).RemoveAt(2);
                next["changes"] = new JsonObject { ["from"] = 1, ["renamed"] = new JsonObject { ["fax"] = "email" } };
                break;
            case "moves-into-group":
                var email = Field(next, "email");
                Items(next, 0).Remove(email);
                Items(next, 1)[0]!["fields"]!.AsArray().Add(email);
                break;
            case "field-becomes-group":
                var fax = Field(next, "fax");
                Items(next, 0).Remove(fax);
                Items(next, 1).Add(JsonNode.Parse("""{ "type": "group", "key": "fax", "label": { "ja": "ファクス" }, "fields": [ { "type": "text", "key": "faxLine", "label": { "ja": "番号" } } ] }"""));
                break;
            case "wrong-from":
                next["changes"] = new JsonObject { ["from"] = 2 };
                break;
        }

        var refused = await Assert.ThrowsAsync<FormRefusedException>(() => PublishAsync(app, next));

        Assert.Contains("版 1 の回答の引き継ぎ方（changes）に誤りが", refused.Message, StringComparison.Ordinal);
        Assert.Contains(refused.Errors, e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal));
        // Nothing was published: residents and drafts stay on version 1.
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal(1, await db.FormVersions.CountAsync(Ct));
        Assert.Equal(1, (await db.Forms.SingleAsync(Ct)).CurrentVersion);
    }

    [Fact]
    public async Task Declared_renames_and_removals_publish_and_a_removed_key_may_come_back_as_a_new_question()
    {
        await using var app = await WithVersion1Async();
        var next = Next(new JsonObject
        {
            ["from"] = 1,
            ["renamed"] = new JsonObject { ["children"] = "kids", ["childName"] = "childFullName" },
            ["removed"] = new JsonArray("fax", "email"),
        });
        Items(next, 0).RemoveAt(2);
        Field(next, "email")["type"] = "date"; // same key, new question: declared removed
        Field(next, "children")["key"] = "kids";
        Field(next, "kids")["fields"]![0]!["key"] = "childFullName";
        Items(next, 0).Add(JsonNode.Parse("""{ "type": "phone", "key": "phone", "required": true, "label": { "ja": "電話番号" } }""")); // added: no declaration needed

        var published = await PublishAsync(app, next);

        Assert.Equal(2, published.Version.Number);
        var v2 = FormService.Definition(published.Version.DefinitionJson);
        Assert.Equal(1, v2.Changes!.From);
        Assert.Equal([new KeyRename("children", "kids"), new KeyRename("childName", "childFullName")], v2.Changes.Renamed);
        Assert.Equal(["fax", "email"], v2.Changes.Removed);
        // A later version must declare its changes from 2, not again from 1.
        var stale = Next(new JsonObject { ["from"] = 1 });
        var refused = await Assert.ThrowsAsync<FormRefusedException>(() => PublishAsync(app, stale));
        Assert.Contains(refused.Errors, e => e.Message.Contains("changes.from は 1 ですが、公開中の最新の版は 2 です", StringComparison.Ordinal));
    }

    [Fact]
    public void The_changes_declaration_is_read_strictly_and_written_back_canonically()
    {
        var both = Next(new JsonObject { ["from"] = 1, ["renamed"] = new JsonObject { ["fax"] = "faxNumber" }, ["removed"] = new JsonArray("fax") });
        var errors = FormParser.Parse(both.ToJsonString(), false).Errors;
        Assert.Contains(errors, e => e.Path == "$.changes.removed[0]" && e.Message.Contains("renamed と removed の両方", StringComparison.Ordinal));

        var merge = Next(new JsonObject { ["from"] = 1, ["renamed"] = new JsonObject { ["fax"] = "contact", ["email"] = "contact" } });
        Assert.Contains(FormParser.Parse(merge.ToJsonString(), false).Errors, e => e.Message.Contains("変更先 'contact' が複数の項目に使われています", StringComparison.Ordinal));
        var noFrom = Next(new JsonObject { ["removed"] = new JsonArray("fax") });
        Assert.Contains(FormParser.Parse(noFrom.ToJsonString(), false).Errors, e => e.Path == "$.changes.from");

        var good = Next(new JsonObject { ["from"] = 3, ["renamed"] = new JsonObject { ["fax"] = "faxNumber" }, ["removed"] = new JsonArray("email") });
        var parsed = FormParser.Parse(good.ToJsonString(), false).Definition!;
        var written = FormJson.Write(parsed);
        Assert.Contains("\"changes\": {\n    \"from\": 3,\n    \"renamed\": {\n      \"fax\": \"faxNumber\"\n    },\n    \"removed\": [\n      \"email\"\n    ]\n  }", written, StringComparison.Ordinal);
        Assert.Equal(written, FormJson.Write(FormParser.Parse(written, false).Definition!));
    }

    [Fact]
    public void Field_paths_follow_renames_of_fields_and_groups_through_a_chain_of_versions_and_end_where_an_answer_is_dropped()
    {
        static FormDefinition Parse(JsonObject form) => FormParser.Parse(form.ToJsonString(), false).Definition!;
        var v1 = Parse(Next());
        // v2: email → mail, the group children → kids, fax removed; v3: mail → contact, childName → kidName.
        var v2Json = Next(new JsonObject { ["from"] = 1, ["renamed"] = new JsonObject { ["email"] = "mail", ["children"] = "kids" }, ["removed"] = new JsonArray("fax") });
        Field(v2Json, "email")["key"] = "mail";
        Field(v2Json, "children")["key"] = "kids";
        Items(v2Json, 0).RemoveAt(2);
        var v2 = Parse(v2Json);
        var v3Json = Next(new JsonObject { ["from"] = 2, ["renamed"] = new JsonObject { ["mail"] = "contact", ["childName"] = "kidName" } });
        Field(v3Json, "email")["key"] = "contact";
        Field(v3Json, "children")["key"] = "kids";
        Field(v3Json, "kids")["fields"]![0]!["key"] = "kidName";
        Items(v3Json, 0).RemoveAt(2);
        var v3 = Parse(v3Json);

        var paths = VersionChanges.FieldPaths([v1, v2, v3]);
        Assert.Equal("fullName", paths["fullName"]);
        Assert.Equal("contact", paths["email"]);
        Assert.Null(paths["fax"]);
        Assert.Equal("kids.kidName", paths["children.childName"]);
        Assert.False(paths.ContainsKey("children")); // groups are not fields
        Assert.Equal("kids.kidName", VersionChanges.FieldPaths([v2, v3])["kids.childName"]);
        Assert.Equal("mail", VersionChanges.FieldPaths([v2])["mail"]);
    }
}
