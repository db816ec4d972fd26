using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Cases;

/// <summary>A procedure of one department with a published form (name, 個人番号, condition, group, file) and applications to it.</summary>
public static class CaseKit
{
    public const string Slug = "hoiku-test";
    public const string MyNumber = "123456789018";

    public const string FormJson = """
    {
      "slug": "hoiku-test",
      "title": { "ja": "保育の利用申込（テスト）", "en": "Childcare application (test)", "easy": "{保育|ほいく}の {申込|もうしこみ}" },
      "pages": [
        { "key": "applicant", "title": { "ja": "申請者" },
          "items": [
            { "type": "name", "key": "applicantName", "required": true, "label": { "ja": "氏名", "en": "Name" } },
            { "type": "email", "key": "email", "label": { "ja": "メールアドレス" } },
            { "type": "my-number", "key": "myNumber", "label": { "ja": "個人番号" } },
            { "type": "radio", "key": "reason", "required": true, "label": { "ja": "理由" },
              "options": [ { "value": "work", "label": { "ja": "就労" } }, { "value": "other", "label": { "ja": "その他" } } ] },
            { "type": "text", "key": "reasonOther", "required": true, "maxLength": 50, "showWhen": { "field": "reason", "equals": "other" },
              "label": { "ja": "その他の理由" } },
            { "type": "file", "key": "proof", "label": { "ja": "就労証明書" }, "accept": ["pdf"] }
          ] },
        { "key": "family", "title": { "ja": "家族" },
          "items": [
            { "type": "group", "key": "children", "min": 1, "max": 3, "label": { "ja": "お子さん", "en": "Children" },
              "fields": [
                { "type": "text", "key": "childName", "required": true, "maxLength": 40, "label": { "ja": "お子さんのお名前", "en": "Child's name" } },
                { "type": "date", "key": "childBirthDate", "required": true, "label": { "ja": "お子さんの生年月日" } }
              ] }
          ] }
      ]
    }
    """;

    public sealed record Setup(Department Ours, Department Theirs, Guid ProcedureId);

    public sealed record Applied(Guid CaseId, string Receipt, string StatusUrl);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<Setup> SetUpAsync(MadoguchiFactory app, int? standardDays = null)
    {
        var ours = Builders.Department("子ども未来部", "保育課");
        var theirs = Builders.Department("福祉部", "介護保険課");
        var procedure = Builders.Procedure("KT-H0001", ours, p =>
        {
            p.Name = "保育所等の利用申込";
            p.UsesMyNumber = true;
            p.StandardProcessingDays = standardDays;
        });
        await app.SaveAsync(ours, theirs, procedure);
        await using var scope = app.Scope();
        var forms = scope.ServiceProvider.GetRequiredService<FormService>();
        await forms.ImportAsync(FormJson, "KT-H0001", "test", Ct);
        await forms.PublishAsync(Slug, "test", Ct);
        return new Setup(ours, theirs, procedure.Id);
    }

    public static JsonObject Answers(string? email = "hanako@example.jp")
    {
        var answers = new JsonObject
        {
            ["applicantName"] = new JsonObject { ["family"] = "山田", ["given"] = "花子", ["familyKana"] = "ヤマダ", ["givenKana"] = "ハナコ" },
            ["myNumber"] = MyNumber,
            ["reason"] = "work",
            ["children"] = new JsonArray(new JsonObject { ["childName"] = "山田 太郎", ["childBirthDate"] = "R5.6.1" }),
        };
        if (email is not null) answers["email"] = email;
        return answers;
    }

    /// <summary>An application through the API; the case is made with it.</summary>
    public static async Task<Applied> ApplyAsync(MadoguchiFactory app, JsonObject? answers = null, string language = "ja")
    {
        using var client = app.CreatePlainClient();
        var response = await client.PostAsJsonAsync($"/api/v1/forms/{Slug}/submissions", new JsonObject { ["answers"] = answers ?? Answers(), ["language"] = language }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        var receipt = body["receiptNumber"]!.GetValue<string>();
        await using var scope = app.Scope();
        var id = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.Where(c => c.ReceiptNumber == receipt).Select(c => c.Id).SingleAsync(Ct);
        return new Applied(id, receipt, body["statusUrl"]!.GetValue<string>());
    }

    /// <summary>Attaches a file to a submitted case as the web form would have (uploads go through drafts, not the API).</summary>
    public static async Task<Guid> AttachAsync(MadoguchiFactory app, Guid caseId, string name, byte[] content)
    {
        var id = Guid.CreateVersion7();
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var stored = Path.Combine("attachments", "test", id.ToString("N"));
        var path = AttachmentStore.FilePath(app.Database.Storage, stored);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, content, Ct);
        db.Attachments.Add(new Attachment
        {
            Id = id,
            SubmissionId = caseId,
            FieldKey = "proof",
            Kind = "pdf",
            Size = content.Length,
            OriginalName = name,
            StoredPath = stored,
            UploadedAt = app.Clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(Ct);
        return id;
    }

    public static async Task<T> WithDbAsync<T>(MadoguchiFactory app, Func<MadoguchiDbContext, Task<T>> read)
    {
        await using var scope = app.Scope();
        return await read(scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>());
    }

    /// <summary>The revision the case page's forms carry (for posting as the page would).</summary>
    public static Task<int> RevisionAsync(MadoguchiFactory app, Guid caseId)
        => WithDbAsync(app, db => db.Cases.AsNoTracking().Where(c => c.Id == caseId).Select(c => c.Revision).SingleAsync(Ct));
}
