using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Forms;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>A small published form with the cases submissions must handle: a condition, a group, kana, a date, a consent.</summary>
public static class SubmissionKit
{
    public const string Slug = "kosodate-test";

    public const string FormJson = """
    {
      "slug": "kosodate-test",
      "title": { "ja": "子育て支援の申請（テスト）", "en": "Childcare support (test)" },
      "pages": [
        { "key": "applicant", "title": { "ja": "申請者" },
          "items": [
            { "type": "name", "key": "applicantName", "required": true, "label": { "ja": "氏名" } },
            { "type": "date", "key": "birthDate", "required": true, "label": { "ja": "生年月日" } },
            { "type": "email", "key": "email", "label": { "ja": "メールアドレス" } },
            { "type": "radio", "key": "reason", "required": true, "label": { "ja": "理由" },
              "options": [ { "value": "work", "label": { "ja": "就労" } }, { "value": "other", "label": { "ja": "その他" } } ] },
            { "type": "text", "key": "reasonOther", "required": true, "maxLength": 50, "showWhen": { "field": "reason", "equals": "other" },
              "label": { "ja": "その他の理由" } }
          ] },
        { "key": "family", "title": { "ja": "家族" },
          "items": [
            { "type": "group", "key": "children", "min": 1, "max": 3, "label": { "ja": "お子さん" },
              "fields": [
                { "type": "text", "key": "childName", "required": true, "maxLength": 40, "label": { "ja": "お名前" } },
                { "type": "date", "key": "childBirthDate", "required": true, "label": { "ja": "生年月日" } }
              ] },
            { "type": "consent", "key": "consent", "label": { "ja": "確認" }, "statement": { "ja": "内容に誤りはありません。" } }
          ] }
      ]
    }
    """;

    /// <summary>Saves a procedure and publishes the form for it.</summary>
    public static async Task PublishAsync(MadoguchiFactory app, string json = FormJson)
    {
        var ct = TestContext.Current.CancellationToken;
        await app.SaveAsync(Builders.Procedure("KT-T0001"));
        await using var scope = app.Scope();
        var forms = scope.ServiceProvider.GetRequiredService<FormService>();
        await forms.ImportAsync(json, "KT-T0001", "test", ct);
        var slug = JsonNode.Parse(json)!["slug"]!.GetValue<string>();
        await forms.PublishAsync(slug, "test", ct);
    }

    public static JsonObject GoodAnswers() => new()
    {
        ["applicantName"] = new JsonObject { ["family"] = "山田", ["given"] = "花子", ["familyKana"] = "やまだ", ["givenKana"] = "ハナコ" },
        ["birthDate"] = "平成2年4月1日",
        ["reason"] = "work",
        ["children"] = new JsonArray(new JsonObject { ["childName"] = "山田 太郎", ["childBirthDate"] = "R5.6.1" }),
        ["consent"] = true,
    };

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, JsonObject answers, string? key = null, int? version = null, string slug = Slug)
    {
        var body = new JsonObject { ["answers"] = answers.DeepClone() };
        if (version is not null) body["version"] = version;
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/forms/{slug}/submissions") { Content = JsonContent.Create(body) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
