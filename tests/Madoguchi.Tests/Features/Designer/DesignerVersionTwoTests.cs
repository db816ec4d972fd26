using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Madoguchi.Tests.Features.Designer.DesignerKit;

namespace Madoguchi.Tests.Features.Designer;

/// <summary>Issue 6: a rename and a removal made in the designer become version 2's changes declaration, and a version 1 draft follows them.</summary>
public sealed class DesignerVersionTwoTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publishing_after_a_rename_and_a_removal_declares_them_and_a_v1_draft_resumes_under_the_new_key()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (ours, _) = await SetUpAsync(app, publish: true);
        string code;
        await using (var scope = app.Scope())
        {
            var drafts = scope.ServiceProvider.GetRequiredService<DraftService>();
            var (draft, _) = (await drafts.StartAsync(Slug, "ja", Ct))!.Value;
            await drafts.SaveAsync(draft, new JsonObject { ["fullName"] = "山田 花子", ["reason"] = "other", ["reasonOther"] = "転居のため" }, "family", Ct);
            code = await drafts.NewResumeCodeAsync(draft, Ct);
        }

        using var staff = await app.SignedInClientAsync(Roles.Staff, ours.Id);
        Redirected(await SaveItemAsync(app, staff, "p=0&index=0", new() { ["Key"] = "applicantName", ["LabelJa"] = "氏名", ["Required"] = "true" }), "/staff/designer/");
        Redirected(await PressAsync(app, staff, "remove:0:2"), "/staff/designer/");
        Redirected(await PressAsync(app, staff, "publish"), "/staff/designer/");

        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var versions = await db.FormVersions.AsNoTracking().OrderBy(v => v.Number).Select(v => new { v.Number, v.DefinitionJson }).ToListAsync(Ct);
            Assert.Equal([1, 2], versions.Select(v => v.Number));
            Assert.Null(JsonNode.Parse(versions[0].DefinitionJson)!["changes"]);
            var changes = JsonNode.Parse(versions[1].DefinitionJson)!["changes"]!;
            Assert.Equal(1, changes["from"]!.GetValue<int>());
            Assert.Equal("""{"fullName":"applicantName"}""", changes["renamed"]!.ToJsonString());
            Assert.Equal("""["reasonOther"]""", changes["removed"]!.ToJsonString());
        }

        await using (var scope = app.Scope())
        {
            var drafts = scope.ServiceProvider.GetRequiredService<DraftService>();
            var (opened, _) = (await drafts.ResumeAsync(code, Ct))!.Value;
            Assert.Equal(1, opened.Draft.FormVersionNumber);
            var moved = await drafts.MoveToCurrentVersionAsync(opened, Ct);
            Assert.NotNull(moved);
            Assert.Equal(2, moved.Draft.FormVersionNumber);
            var answers = await drafts.AnswersAsync(moved.Draft, Ct);
            Assert.Equal(["applicantName", "reason"], answers.Select(a => a.Key).Order(StringComparer.Ordinal));
            Assert.Equal("山田 花子", answers["applicantName"]!.GetValue<string>());
        }
    }
}
