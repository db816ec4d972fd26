using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Protection;
using Madoguchi.Web.Features.Submissions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Submissions;

public sealed class SensitiveAnswerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A valid 個人番号 (check digit 8) used as a canary: it must never be stored in plain text.
    private const string Canary = "123456789018";

    private const string FormJson = """
    {
      "slug": "kojin-bango-test",
      "title": { "ja": "個人番号を伴う申請（テスト）" },
      "pages": [
        { "key": "p1", "title": { "ja": "申請者" },
          "items": [
            { "type": "email", "key": "email", "label": { "ja": "メールアドレス" } },
            { "type": "my-number", "key": "myNumber", "required": true, "label": { "ja": "個人番号" } },
            { "type": "bank-account", "key": "account", "required": true, "label": { "ja": "振込先" } }
          ] }
      ]
    }
    """;

    private static async Task PublishAsync(MadoguchiFactory app)
    {
        await app.SaveAsync(Builders.Procedure("KT-T0001", configure: p => p.UsesMyNumber = true));
        await using var scope = app.Scope();
        var forms = scope.ServiceProvider.GetRequiredService<Madoguchi.Web.Features.Forms.FormService>();
        await forms.ImportAsync(FormJson, "KT-T0001", "test", Ct);
        await forms.PublishAsync("kojin-bango-test", "test", Ct);
    }

    private static JsonObject Answers() => new()
    {
        ["myNumber"] = "1234 5678 9018",
        ["account"] = new JsonObject { ["bank"] = "0001", ["branch"] = "001", ["type"] = "普通", ["number"] = "1234567", ["holder"] = "ヤマダ ハナコ" },
    };

    /// <summary>Every byte of the SQLite database and its WAL, after a checkpoint-free write.</summary>
    private static byte[] DatabaseBytes(MadoguchiFactory app)
    {
        SqliteConnection.ClearAllPools();
        var path = new SqliteConnectionStringBuilder(app.Database.Storage.ConnectionString).DataSource;
        var bytes = new List<byte>(File.ReadAllBytes(path));
        if (File.Exists(path + "-wal")) bytes.AddRange(File.ReadAllBytes(path + "-wal"));
        return [.. bytes];
    }

    private static bool Contains(byte[] haystack, string text) =>
        haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0 || haystack.AsSpan().IndexOf(Encoding.Unicode.GetBytes(text)) >= 0;

    [Fact]
    public async Task A_submitted_my_number_and_bank_account_are_sealed_in_the_vault_and_staff_see_only_the_mask()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await PublishAsync(app);

        var response = await SubmissionKit.PostAsync(app.CreatePlainClient(), Answers(), slug: "kojin-bango-test");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        Guid id;
        await using (var scope = app.Scope())
        {
            var stored = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Submissions.SingleAsync(Ct);
            id = stored.Id;
            Assert.DoesNotContain(Canary, stored.AnswersJson);
            Assert.DoesNotContain("1234567", stored.AnswersJson);
            Assert.Contains("********9018", stored.AnswersJson);
            var vault = scope.ServiceProvider.GetRequiredService<PersonalDataVault>();
            Assert.Equal($"\"{Canary}\"", await vault.GetAsync(SubmissionService.SubmissionOwner, id.ToString(), "myNumber", "test", Ct));
            Assert.Contains("1234567", await vault.GetAsync(SubmissionService.SubmissionOwner, id.ToString(), "account", "test", Ct));
        }
        if (!app.Database.IsPostgres)
        {
            var bytes = DatabaseBytes(app);
            Assert.False(Contains(bytes, Canary), "the 個人番号 is in the database file in plain text");
        }
    }

    [Fact]
    public async Task A_draft_keeps_its_my_number_sealed_yet_the_resident_gets_it_back_and_submitting_moves_it_to_the_submission()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await PublishAsync(app);
        await using var scope = app.Scope();
        var drafts = scope.ServiceProvider.GetRequiredService<DraftService>();
        var (draft, _) = (await drafts.StartAsync("kojin-bango-test", "ja", Ct))!.Value;
        var definition = await PublishedDefinitions.GetAsync(scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>(), draft.FormVersionId, Ct);
        var checkedAnswers = AnswerChecker.Check(definition, Answers(), AnswerChecker.Mode.Lenient);
        await drafts.SaveAsync(draft, checkedAnswers.Answers, "p1", Ct);

        Assert.DoesNotContain(Canary, draft.AnswersJson);
        var back = await drafts.AnswersAsync(draft, Ct);
        Assert.Equal(Canary, back["myNumber"]!.GetValue<string>());
        Assert.Equal("1234567", back["account"]!["number"]!.GetValue<string>());
        Assert.False(Contains(DatabaseBytes(app), Canary), "the draft's 個人番号 is in the database file in plain text");

        var result = await scope.ServiceProvider.GetRequiredService<SubmissionService>()
            .SubmitAsync("kojin-bango-test", draft.FormVersionNumber, back, AnswerChecker.Mode.Lenient, "ja", draft.Id.ToString(), "web", Ct, draft.Id);
        var accepted = Assert.IsType<SubmissionService.Result.Accepted>(result);
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var owners = await db.ProtectedValues.AsNoTracking().Select(v => new { v.OwnerType, v.OwnerId }).Distinct().ToListAsync(Ct);
        Assert.Equal([(SubmissionService.SubmissionOwner, accepted.Submission.Id.ToString())], owners.Select(o => (o.OwnerType, o.OwnerId)));
    }
}
