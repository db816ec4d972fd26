using System.Net;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Designer;

/// <summary>A department with a procedure and a form on it, and the designer's posts as a browser makes them.</summary>
public static class DesignerKit
{
    public const string Slug = "designer-test";
    public const string Code = "KT-D0001";

    public const string FormJson = """
    {
      "slug": "designer-test",
      "title": { "ja": "設計テストの申請" },
      "pages": [
        { "key": "applicant", "title": { "ja": "申請する人" },
          "items": [
            { "type": "text", "key": "fullName", "required": true, "label": { "ja": "氏名" } },
            { "type": "radio", "key": "reason", "required": true, "label": { "ja": "理由" },
              "options": [ { "value": "work", "label": { "ja": "就労" } }, { "value": "other", "label": { "ja": "その他" } } ] },
            { "type": "text", "key": "reasonOther", "label": { "ja": "その他の理由" }, "showWhen": { "field": "reason", "equals": "other" } }
          ] },
        { "key": "family", "title": { "ja": "家族" },
          "items": [
            { "type": "group", "key": "children", "min": 1, "max": 3, "label": { "ja": "お子さん" },
              "fields": [
                { "type": "text", "key": "childName", "required": true, "label": { "ja": "お名前" } },
                { "type": "date", "key": "childBirthDate", "label": { "ja": "生年月日" } }
              ] },
            { "type": "fee", "label": { "ja": "手数料" }, "yen": 300 }
          ] }
      ]
    }
    """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Our department (with the form's procedure) and another department.</summary>
    public static async Task<(Department Ours, Department Theirs)> SetUpAsync(MadoguchiFactory app, string json = FormJson, bool publish = false, Action<Madoguchi.Web.Features.Catalog.Procedure>? procedure = null)
    {
        var ours = Builders.Department("子ども未来部", "子育て支援課");
        var theirs = Builders.Department("福祉部", "介護保険課");
        await app.SaveAsync(ours, theirs, Builders.Procedure(Code, ours, procedure));
        await using var scope = app.Scope();
        var forms = scope.ServiceProvider.GetRequiredService<FormService>();
        var imported = await forms.ImportAsync(json, Code, "test", Ct);
        if (publish) await forms.PublishAsync(imported.Form.Slug, "test", Ct);
        return (ours, theirs);
    }

    public static async Task<Form> FormAsync(MadoguchiFactory app, string slug = Slug)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Forms.AsNoTracking().SingleAsync(f => f.Slug == slug, Ct);
    }

    public static async Task<FormDefinition> WorkingAsync(MadoguchiFactory app, string slug = Slug) => FormService.Definition((await FormAsync(app, slug)).WorkingJson);

    /// <summary>Presses a button of the designer page (Op), with the page's current working SHA.</summary>
    public static async Task<HttpResponseMessage> PressAsync(MadoguchiFactory app, HttpClient client, string op, string slug = Slug)
    {
        var form = await FormAsync(app, slug);
        return await MadoguchiFactory.PostFormAsync(client, $"/staff/designer/{slug}", new() { ["Op"] = op, ["Sha"] = form.WorkingSha256 });
    }

    /// <summary>Posts the item page (<paramref name="query"/> like "p=0&amp;add=text") with input fields named without the "Input." prefix.</summary>
    public static async Task<HttpResponseMessage> SaveItemAsync(MadoguchiFactory app, HttpClient client, string query, Dictionary<string, string> input, string slug = Slug)
    {
        var form = await FormAsync(app, slug);
        var fields = input.ToDictionary(kv => kv.Key.Contains('.', StringComparison.Ordinal) ? kv.Key : "Input." + kv.Key, kv => kv.Value);
        fields["Sha"] = form.WorkingSha256;
        return await MadoguchiFactory.PostFormAsync(client, $"/staff/designer/{slug}/item?{query}", fields);
    }

    public static void Redirected(HttpResponseMessage response, string startsWith)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(startsWith, response.Headers.Location?.OriginalString);
    }

    public static string[] Keys(FormPage page) => [.. page.Items.Select(i => i switch { FormField f => f.Key, FormGroup g => g.Key, StaticText => "static", FeeDisplay => "fee", _ => "?" })];
}
