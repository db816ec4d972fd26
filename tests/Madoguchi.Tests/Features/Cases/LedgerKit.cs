using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Cases;

/// <summary>A procedure of 区民課 with a published form (氏名, 住所, 備考, a sensitive field, a choice, a group) and cases made through the API.</summary>
public static partial class LedgerKit
{
    public const string Slug = "ledger-test";

    public const string FormJson = """
    {
      "slug": "ledger-test",
      "title": { "ja": "台帳テストの申請" },
      "pages": [
        { "key": "main", "title": { "ja": "申請" },
          "items": [
            { "type": "name", "key": "applicantName", "required": true, "label": { "ja": "氏名" } },
            { "type": "address", "key": "address", "required": true, "maxLength": 200, "label": { "ja": "住所" } },
            { "type": "text", "key": "note", "maxLength": 100, "label": { "ja": "備考" } },
            { "type": "text", "key": "secret", "sensitive": true, "maxLength": 100, "label": { "ja": "秘密の番号" } },
            { "type": "radio", "key": "kind", "required": true, "label": { "ja": "種別" },
              "options": [ { "value": "new", "label": { "ja": "新規" } }, { "value": "renew", "label": { "ja": "更新" } } ] },
            { "type": "group", "key": "children", "min": 0, "max": 3, "label": { "ja": "お子さん" },
              "fields": [ { "type": "text", "key": "childName", "required": true, "maxLength": 40, "label": { "ja": "お名前" } } ] }
          ] }
      ]
    }
    """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed record Setup(Guid ProcedureId, Department Department);

    public static async Task<Setup> PublishAsync(MadoguchiFactory app, int? standardDays = 5)
    {
        var department = Builders.Department("区民部", "区民課");
        var procedure = Builders.Procedure("KT-L0001", department, p =>
        {
            p.Name = "台帳テスト手続";
            p.StandardProcessingDays = standardDays;
        });
        await app.SaveAsync(department, procedure);
        await using var scope = app.Scope();
        var forms = scope.ServiceProvider.GetRequiredService<FormService>();
        await forms.ImportAsync(FormJson, "KT-L0001", "test", Ct);
        await forms.PublishAsync(Slug, "test", Ct);
        return new Setup(procedure.Id, department);
    }

    public static JsonObject Answers(string family, string note = "", string secret = "", string kind = "new", string given = "花子", string? child = null)
    {
        var answers = new JsonObject
        {
            ["applicantName"] = new JsonObject { ["family"] = family, ["given"] = given, ["familyKana"] = "ヤマダ", ["givenKana"] = "ハナコ" },
            ["address"] = "東京都江東区東陽四丁目11番28号",
            ["kind"] = kind,
        };
        if (note.Length > 0) answers["note"] = note;
        if (secret.Length > 0) answers["secret"] = secret;
        if (child is not null) answers["children"] = new JsonArray(new JsonObject { ["childName"] = child });
        return answers;
    }

    /// <summary>Submits through the public API (so the case is made as in production) and returns the case.</summary>
    public static async Task<Case> SubmitAsync(MadoguchiFactory app, JsonObject answers)
    {
        using var client = app.CreatePlainClient();
        using var response = await client.PostAsJsonAsync($"/api/v1/forms/{Slug}/submissions", new JsonObject { ["answers"] = answers }, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var receipt = JsonNode.Parse(body)!["receiptNumber"]!.GetValue<string>();
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.AsNoTracking().SingleAsync(c => c.ReceiptNumber == receipt, Ct);
    }

    /// <summary>Changes stored cases directly (what other parts of the back office would do: counter keying, 補正, time passing).</summary>
    public static async Task UpdateAsync(MadoguchiFactory app, Guid id, Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Case>> set)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal(1, await db.Cases.Where(c => c.Id == id).ExecuteUpdateAsync(set, Ct));
    }

    /// <summary>The case ids of the ledger page's rows, in order.</summary>
    public static IReadOnlyList<Guid> Rows(string html) => [.. RowPattern().Matches(html).Select(m => Guid.Parse(m.Groups[1].Value))];

    [GeneratedRegex("<tr data-case=\"([0-9a-f-]{36})\"")]
    private static partial Regex RowPattern();

    public static async Task<string> UserIdAsync(MadoguchiFactory app, string email)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(Ct);
    }
}
