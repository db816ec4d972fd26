using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Features.Submissions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Forms;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Intake;

/// <summary>A voucher form (プレミアム付商品券) whose "intake" object each test writes.</summary>
public static class IntakeKit
{
    public const string Slug = "shouhinken-test";

    /// <remarks>The e-mail field is required when the intake identifies people by e-mail (the parser insists).</remarks>
    public static string Form(string intake) => FormText(intake).Replace(
        "\"key\": \"email\",", intake.Contains("\"by\": \"email\"", StringComparison.Ordinal) ? "\"key\": \"email\", \"required\": true," : "\"key\": \"email\",", StringComparison.Ordinal);

    /// <summary>The form with the e-mail field optional.</summary>
    public static string FormText(string intake) => $$"""
    {
      "slug": "shouhinken-test",
      "title": { "ja": "プレミアム付商品券の申込（テスト）", "en": "Premium gift vouchers (test)" },
      "pages": [
        { "key": "applicant", "title": { "ja": "申込者" },
          "items": [
            { "type": "name", "key": "applicantName", "required": true, "label": { "ja": "氏名" } },
            { "type": "date", "key": "birthDate", "required": true, "label": { "ja": "生年月日" } },
            { "type": "address", "key": "address", "required": true, "label": { "ja": "住所" } },
            { "type": "email", "key": "email", "label": { "ja": "メールアドレス" } }
          ] }
      ],
      "intake": {{intake}}
    }
    """;

    public static Task PublishAsync(MadoguchiFactory app, string intake) => SubmissionKit.PublishAsync(app, Form(intake));

    /// <summary>Publishes the form for a procedure of a new department and returns the department's id.</summary>
    public static async Task<Guid> PublishInDepartmentAsync(MadoguchiFactory app, string intake)
    {
        var ct = TestContext.Current.CancellationToken;
        var department = Builders.Department();
        await app.SaveAsync(department, Builders.Procedure("KT-T0002", department));
        await using var scope = app.Scope();
        var forms = scope.ServiceProvider.GetRequiredService<FormService>();
        await forms.ImportAsync(Form(intake), "KT-T0002", "test", ct);
        await forms.PublishAsync(Slug, "test", ct);
        return department.Id;
    }

    /// <summary>A different person for each <paramref name="n"/> (the address differs).</summary>
    public static JsonObject Person(int n, string? email = null)
    {
        var answers = new JsonObject
        {
            ["applicantName"] = new JsonObject { ["family"] = "江東", ["given"] = "太郎", ["familyKana"] = "コウトウ", ["givenKana"] = "タロウ" },
            ["birthDate"] = "1980-01-01",
            ["address"] = $"東京都江東区東陽4丁目11番{n}号",
        };
        if (email is not null) answers["email"] = email;
        return answers;
    }

    public static async Task<(System.Net.HttpStatusCode Status, JsonObject Body)> PostAsync(HttpClient client, JsonObject answers, string language = "ja", string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/forms/{Slug}/submissions")
        {
            Content = JsonContent.Create(new JsonObject { ["answers"] = answers.DeepClone(), ["language"] = language }),
        };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonNode.Parse(text) as JsonObject ?? []);
    }

    /// <summary>Settings that lift the per-address submit limit: every test request comes from one address.</summary>
    public static Dictionary<string, string?> Unlimited(Dictionary<string, string?>? more = null)
    {
        var settings = more ?? [];
        settings["Madoguchi:RateLimits:submit:PermitLimit"] = "100000";
        return settings;
    }
}
