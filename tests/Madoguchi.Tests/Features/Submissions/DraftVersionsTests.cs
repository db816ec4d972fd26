using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>A draft started on an old version is carried onto the current one, and the resident is told what to fill again.</summary>
public sealed class DraftVersionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Slug = "iko-test";

    private const string V1 = """
    {
      "slug": "iko-test",
      "title": { "ja": "版の移行（テスト）" },
      "pages": [
        { "key": "applicant", "title": { "ja": "申請者" },
          "items": [
            { "type": "name", "key": "applicantName", "required": true, "label": { "ja": "氏名" } },
            { "type": "email", "key": "email", "label": { "ja": "メールアドレス" } },
            { "type": "text", "key": "fax", "label": { "ja": "FAX番号" } },
            { "type": "text", "key": "note", "maxLength": 100, "label": { "ja": "備考" } },
            { "type": "text", "key": "income", "sensitive": true, "label": { "ja": "年収" } }
          ] },
        { "key": "family", "title": { "ja": "家族と書類" },
          "items": [
            { "type": "group", "key": "children", "min": 1, "max": 3, "label": { "ja": "お子さん" }, "itemLabel": { "ja": "お子さん" },
              "fields": [
                { "type": "text", "key": "childName", "required": true, "label": { "ja": "お名前" } },
                { "type": "date", "key": "childBirthDate", "required": true, "label": { "ja": "生年月日" } },
                { "type": "text", "key": "childNote", "label": { "ja": "配慮事項" } }
              ] },
            { "type": "file", "key": "oldDoc", "accept": ["pdf"], "label": { "ja": "旧様式の書類" } },
            { "type": "file", "key": "idDoc", "accept": ["pdf"], "label": { "ja": "本人確認書類" } }
          ] }
      ]
    }
    """;

    // v2: renames outside (email, income) and inside the group (childName), removes outside (fax, oldDoc) and
    // inside (childNote), adds a required field outside (phone) and inside the group (childSchool).
    private const string V2 = """
    {
      "slug": "iko-test",
      "title": { "ja": "版の移行（テスト）" },
      "changes": { "from": 1, "renamed": { "email": "mail", "income": "annualIncome", "childName": "childFullName" }, "removed": ["fax", "oldDoc", "childNote"] },
      "pages": [
        { "key": "applicant", "title": { "ja": "申請者" },
          "items": [
            { "type": "name", "key": "applicantName", "required": true, "label": { "ja": "氏名" } },
            { "type": "email", "key": "mail", "label": { "ja": "メールアドレス" } },
            { "type": "phone", "key": "phone", "required": true, "label": { "ja": "電話番号" } },
            { "type": "text", "key": "note", "maxLength": 100, "label": { "ja": "備考" } },
            { "type": "text", "key": "annualIncome", "sensitive": true, "label": { "ja": "年収" } }
          ] },
        { "key": "family", "title": { "ja": "家族と書類" },
          "items": [
            { "type": "group", "key": "children", "min": 1, "max": 3, "label": { "ja": "お子さん" }, "itemLabel": { "ja": "お子さん" },
              "fields": [
                { "type": "text", "key": "childFullName", "required": true, "label": { "ja": "お名前" } },
                { "type": "date", "key": "childBirthDate", "required": true, "label": { "ja": "生年月日" } },
                { "type": "text", "key": "childSchool", "required": true, "label": { "ja": "通園先" } }
              ] },
            { "type": "file", "key": "idDoc", "accept": ["pdf"], "label": { "ja": "本人確認書類" } }
          ] }
      ]
    }
    """;

    // v3: renames the group itself and a file field, tightens a rule (note: 5 characters) and adds a page
    // the resident has not reached yet (its required consent is asked there, not announced).
    private const string V3 = """
    {
      "slug": "iko-test",
      "title": { "ja": "版の移行（テスト）" },
      "changes": { "from": 2, "renamed": { "children": "kids", "idDoc": "identityDoc" } },
      "pages": [
        { "key": "applicant", "title": { "ja": "申請者" },
          "items": [
            { "type": "name", "key": "applicantName", "required": true, "label": { "ja": "氏名" } },
            { "type": "email", "key": "mail", "label": { "ja": "メールアドレス" } },
            { "type": "phone", "key": "phone", "required": true, "label": { "ja": "電話番号" } },
            { "type": "text", "key": "note", "maxLength": 5, "label": { "ja": "備考" } },
            { "type": "text", "key": "annualIncome", "sensitive": true, "label": { "ja": "年収" } }
          ] },
        { "key": "family", "title": { "ja": "家族と書類" },
          "items": [
            { "type": "group", "key": "kids", "min": 1, "max": 3, "label": { "ja": "お子さん" }, "itemLabel": { "ja": "お子さん" },
              "fields": [
                { "type": "text", "key": "childFullName", "required": true, "label": { "ja": "お名前" } },
                { "type": "date", "key": "childBirthDate", "required": true, "label": { "ja": "生年月日" } },
                { "type": "text", "key": "childSchool", "required": true, "label": { "ja": "通園先" } }
              ] },
            { "type": "file", "key": "identityDoc", "accept": ["pdf"], "label": { "ja": "本人確認書類" } }
          ] },
        { "key": "confirm", "title": { "ja": "確認" },
          "items": [ { "type": "consent", "key": "consent", "label": { "ja": "確認" }, "statement": { "ja": "誤りはありません。" } } ] }
      ]
    }
    """;

    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n");

    private static async Task PublishAsync(MadoguchiFactory app, string json)
    {
        await using var scope = app.Scope();
        var forms = scope.ServiceProvider.GetRequiredService<FormService>();
        await forms.ImportAsync(json, "KT-T0001", "test", Ct);
        await forms.PublishAsync(Slug, "test", Ct);
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task A_draft_moves_from_v1_through_v2_to_v3_field_by_field_and_submissions_stay_on_their_version()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, V1);
        Guid draftId;
        string secret;
        Guid oldDocId, idDocId;
        string oldDocFile;
        await using (var scope = app.Scope())
        {
            var drafts = scope.ServiceProvider.GetRequiredService<DraftService>();
            var store = scope.ServiceProvider.GetRequiredService<AttachmentStore>();
            var (draft, s) = (await drafts.StartAsync(Slug, "ja", Ct))!.Value;
            (draftId, secret) = (draft.Id, s);
            var definition = (await drafts.OpenAsync(draftId, secret, Ct))!.Definition;
            var oldDoc = (await store.SaveAsync(draft, definition.AllFields.Single(f => f.Key == "oldDoc"), "oldDoc", new MemoryStream(Pdf), "旧様式.pdf", Ct)).Attachment!;
            var idDoc = (await store.SaveAsync(draft, definition.AllFields.Single(f => f.Key == "idDoc"), "idDoc", new MemoryStream(Pdf), "免許証.pdf", Ct)).Attachment!;
            (oldDocId, idDocId) = (oldDoc.Id, idDoc.Id);
            oldDocFile = AttachmentStore.FilePath(scope.ServiceProvider.GetRequiredService<Storage>(), oldDoc.StoredPath);
            await drafts.SaveAsync(draft, new JsonObject
            {
                ["applicantName"] = new JsonObject { ["family"] = "山田", ["given"] = "花子", ["familyKana"] = "ヤマダ", ["givenKana"] = "ハナコ" },
                ["email"] = "hanako@example.jp",
                ["fax"] = "03-0000-0000",
                ["note"] = "長めの備考です",
                ["income"] = "5000000",
                ["children"] = new JsonArray(new JsonObject { ["childName"] = "山田 太郎", ["childBirthDate"] = "R5.6.1", ["childNote"] = "卵アレルギー" }),
                ["oldDoc"] = new JsonArray(oldDoc.Id.ToString()),
                ["idDoc"] = new JsonArray(idDoc.Id.ToString()),
            }, "family", Ct);

            // A submission made on version 1 before the changes.
            var submitted = await scope.ServiceProvider.GetRequiredService<SubmissionService>().SubmitAsync(Slug, null, new JsonObject
            {
                ["applicantName"] = new JsonObject { ["family"] = "鈴木", ["given"] = "一郎", ["familyKana"] = "スズキ", ["givenKana"] = "イチロウ" },
                ["children"] = new JsonArray(new JsonObject { ["childName"] = "鈴木 次郎", ["childBirthDate"] = "R4.1.1" }),
            }, AnswerChecker.Mode.Strict, "ja", null, "api", Ct);
            Assert.IsType<SubmissionService.Result.Accepted>(submitted);
        }
        await PublishAsync(app, V2);
        await PublishAsync(app, V3);

        await using (var scope = app.Scope())
        {
            var drafts = scope.ServiceProvider.GetRequiredService<DraftService>();
            var opened = (await drafts.OpenAsync(draftId, secret, Ct))!;
            Assert.Equal(1, opened.Draft.FormVersionNumber);

            var moved = await drafts.MoveToCurrentVersionAsync(opened, Ct);

            Assert.NotNull(moved);
            Assert.Equal(3, moved.Draft.FormVersionNumber);
            Assert.Equal("confirm", moved.Definition.Pages[^1].Key);
            var answers = await drafts.AnswersAsync(moved.Draft, Ct);
            Assert.Equal(["annualIncome", "applicantName", "identityDoc", "kids", "mail", "note"], answers.Select(a => a.Key).Order(StringComparer.Ordinal));
            Assert.Equal("hanako@example.jp", answers["mail"]!.GetValue<string>());
            Assert.Equal("5000000", answers["annualIncome"]!.GetValue<string>());
            Assert.Equal("長めの備考です", answers["note"]!.GetValue<string>());
            var kid = answers["kids"]![0]!.AsObject();
            Assert.Equal(["childFullName", "childBirthDate"], kid.Select(k => k.Key));
            Assert.Equal("山田 太郎", kid["childFullName"]!.GetValue<string>());
            Assert.Equal([idDocId.ToString()], answers["identityDoc"]!.AsArray().Select(n => n!.GetValue<string>()));

            // The resident is asked again for: the new required phone, the answered note the new rule refuses,
            // the new required field inside the group item — not for the consent on a page not reached yet.
            Assert.Equal(["phone", "note", "kids[0].childSchool"], JsonSerializer.Deserialize<List<string>>(moved.Draft.RefillPaths!));
            Assert.Equal("family", moved.Draft.CurrentPage);

            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            // The sensitive answer moved with its key and stays sealed: only a placeholder in the JSON.
            Assert.Equal(["annualIncome"], await db.ProtectedValues.Where(v => v.OwnerType == DraftService.DraftOwner && v.OwnerId == draftId.ToString()).Select(v => v.Field).ToListAsync(Ct));
            var stored = await db.Drafts.AsNoTracking().SingleAsync(d => d.Id == draftId, Ct);
            Assert.DoesNotContain("5000000", stored.AnswersJson, StringComparison.Ordinal);
            Assert.Equal(3, stored.FormVersionNumber);
            // The removed file field's attachment is gone, row and file; the renamed one follows its field.
            var files = await db.Attachments.AsNoTracking().Where(a => a.DraftId == draftId).ToListAsync(Ct);
            Assert.Equal([(idDocId, "identityDoc")], files.Select(a => (a.Id, a.FieldKey)));
            Assert.DoesNotContain(oldDocId, files.Select(a => a.Id));
            Assert.False(File.Exists(oldDocFile));

            var submission = await db.Submissions.AsNoTracking().SingleAsync(Ct);
            Assert.Equal(1, submission.FormVersionNumber);
            Assert.Equal("鈴木", JsonNode.Parse(submission.AnswersJson)!["applicantName"]!["family"]!.GetValue<string>());

            // Moved once: opening it again changes nothing.
            Assert.Null(await drafts.MoveToCurrentVersionAsync((await drafts.OpenAsync(draftId, secret, Ct))!, Ct));
        }
    }

    [Fact]
    public async Task The_resident_is_told_on_the_page_which_questions_to_fill_again_until_they_are_answered()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        const string Base = "/forms/" + SubmissionKit.Slug;
        var client = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(client, Base, []);
        var applicant = new Dictionary<string, string>
        {
            ["applicantName.family"] = "山田",
            ["applicantName.given"] = "花子",
            ["applicantName.familyKana"] = "ヤマダ",
            ["applicantName.givenKana"] = "ハナコ",
            ["birthDate"] = "平成2年4月1日",
            ["reason"] = "work",
            ["action"] = "next",
        };
        Assert.Equal($"{Base}/family", (await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", applicant)).Headers.Location?.OriginalString);
        var familyPage = await client.GetStringAsync($"{Base}/family", Ct);
        Assert.DoesNotContain("data-testid=\"refill\"", familyPage, StringComparison.Ordinal);

        // Version 2 renames the birth date and adds a required phone number on the page already filled.
        var v2 = JsonNode.Parse(SubmissionKit.FormJson)!.AsObject();
        v2["changes"] = new JsonObject { ["from"] = 1, ["renamed"] = new JsonObject { ["birthDate"] = "dateOfBirth" } };
        var items = v2["pages"]![0]!["items"]!.AsArray();
        items[1]!["key"] = "dateOfBirth";
        items.Insert(2, JsonNode.Parse("""{ "type": "phone", "key": "phone", "required": true, "label": { "ja": "日中の電話番号", "en": "Daytime phone" } }"""));
        await using (var scope = app.Scope())
        {
            var forms = scope.ServiceProvider.GetRequiredService<FormService>();
            await forms.ImportAsync(v2.ToJsonString(), "KT-T0001", "test", Ct);
            await forms.PublishAsync(SubmissionKit.Slug, "test", Ct);
        }

        // The family page was open on version 1: what is posted is kept, then the draft moves and the page is shown again.
        var posted = await MadoguchiFactory.PostFormAsync(client, $"{Base}/family", new()
        {
            ["children.count"] = "1",
            ["children[0].childName"] = "山田 太郎",
            ["children[0].childBirthDate"] = "R5.6.1",
            ["action"] = "next",
        }, getUrl: Base); // the token from a page that does not open the draft, as a browser tab left open would hold
        Assert.Equal($"{Base}/family", posted.Headers.Location?.OriginalString);

        var shown = WebUtility.HtmlDecode(await client.GetStringAsync($"{Base}/family", Ct));
        Assert.Contains("data-testid=\"refill\"", shown, StringComparison.Ordinal);
        Assert.Contains("フォームが新しくなりました", shown, StringComparison.Ordinal);
        Assert.Contains($"href=\"{Base}/applicant#f-phone\"", shown, StringComparison.Ordinal);
        Assert.Contains("日中の電話番号", shown, StringComparison.Ordinal);
        Assert.Contains("value=\"山田 太郎\"", shown, StringComparison.Ordinal); // the posted group item was kept

        await client.GetAsync("/lang?to=en", Ct);
        var en = WebUtility.HtmlDecode(await client.GetStringAsync($"{Base}/family", Ct));
        Assert.Contains("This form has changed", en, StringComparison.Ordinal);
        Assert.Contains("Daytime phone", en, StringComparison.Ordinal);
        await client.GetAsync("/lang?to=ja", Ct);

        // The renamed answer is shown under its new name; once the phone is given the banner goes.
        var applicantPage = WebUtility.HtmlDecode(await client.GetStringAsync($"{Base}/applicant", Ct));
        Assert.Matches("name=\"dateOfBirth\"[^>]*value=\"平成2年4月1日\"", applicantPage);
        applicant.Remove("birthDate");
        applicant["dateOfBirth"] = "平成2年4月1日";
        applicant["phone"] = "0312345678";
        Assert.Equal($"{Base}/family", (await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", applicant)).Headers.Location?.OriginalString);
        Assert.DoesNotContain("data-testid=\"refill\"", await client.GetStringAsync($"{Base}/family", Ct), StringComparison.Ordinal);
    }
}
