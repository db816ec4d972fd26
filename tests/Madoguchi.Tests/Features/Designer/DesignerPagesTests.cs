using System.Net;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Features.Submissions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Madoguchi.Tests.Features.Designer.DesignerKit;

namespace Madoguchi.Tests.Features.Designer;

/// <summary>The designer pages (issue 6): edits through plain form posts, each checked by the parser, undoable, scoped to the department.</summary>
public sealed class DesignerPagesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Staff_create_a_form_for_their_procedure_and_add_fields_in_three_languages()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var ours = Builders.Department("子ども未来部", "子育て支援課");
        var theirs = Builders.Department("福祉部", "介護保険課");
        var procedure = Builders.Procedure("KT-N0001", ours);
        await app.SaveAsync(ours, theirs, procedure, Builders.Procedure("KT-N0002", theirs, p => p.Name = "他課の手続"));
        using var staff = await app.SignedInClientAsync(Roles.Staff, ours.Id);

        var newPage = await staff.GetStringAsync("/staff/designer/new", Ct);
        Assert.Contains("KT-N0001", newPage);
        Assert.DoesNotContain("他課の手続", newPage);
        var created = await MadoguchiFactory.PostFormAsync(staff, "/staff/designer/new", new()
        {
            ["Input.ProcedureId"] = procedure.Id.ToString(),
            ["Input.Slug"] = "hoiku-moushikomi",
            ["Input.TitleJa"] = "保育の申込み",
            ["Input.TitleEn"] = "Childcare application",
            ["Input.PageTitle"] = "申し込む人",
        });
        Redirected(created, "/staff/designer/hoiku-moushikomi");

        var added = await SaveItemAsync(app, staff, "p=0&add=text", new()
        {
            ["Key"] = "fullName",
            ["LabelJa"] = "氏名",
            ["LabelEn"] = "Full name",
            ["LabelEasy"] = "{名前|なまえ}",
            ["HelpJa"] = "戸籍のとおりに",
            ["Required"] = "true",
            ["MaxLength"] = "４０",
        }, "hoiku-moushikomi");
        Redirected(added, "/staff/designer/hoiku-moushikomi");
        var radio = await SaveItemAsync(app, staff, "p=0&add=radio", new()
        {
            ["Key"] = "kind",
            ["LabelJa"] = "区分",
            ["Options"] = "new|新規|New|あたらしく\nchange|変更|Change",
        }, "hoiku-moushikomi");
        Redirected(radio, "/staff/designer/hoiku-moushikomi");
        var conditional = await SaveItemAsync(app, staff, "p=0&add=date", new()
        {
            ["Key"] = "changeDate",
            ["LabelJa"] = "変更日",
            ["Min"] = "令和7年4月1日",
            ["ConditionField"] = "kind",
            ["ConditionOperator"] = "equals",
            ["ConditionValues"] = "change",
        }, "hoiku-moushikomi");
        Redirected(conditional, "/staff/designer/hoiku-moushikomi");

        var d = await WorkingAsync(app, "hoiku-moushikomi");
        Assert.Equal("KT-N0001", d.ProcedureCode);
        Assert.Equal(["static", "fullName", "kind", "changeDate"], Keys(d.Pages[0]));
        var name = d.AllFields.Single(f => f.Key == "fullName");
        Assert.Equal(new LocalizedText("氏名", "Full name", "{名前|なまえ}"), name.Label);
        Assert.True(name.Required);
        Assert.Equal(40, name.Settings.MaxLength);
        Assert.Equal(["新規", "変更"], d.AllFields.Single(f => f.Key == "kind").Settings.Options!.Select(o => o.Label.Ja));
        var date = d.AllFields.Single(f => f.Key == "changeDate");
        Assert.Equal(new DateOnly(2025, 4, 1), date.Settings.MinDate);
        Assert.Equal((ConditionOperator.Equals, "kind", "change"), (date.ShowWhen!.Operator, date.ShowWhen.Field, date.ShowWhen.Values.Single()));

        var page = await staff.GetStringAsync("/staff/designer/hoiku-moushikomi", Ct);
        Assert.Contains("氏名", page);
        Assert.Contains("「kind」が change のとき表示", page);
        Assert.Contains("未公開（下書き）", page);
    }

    [Fact]
    public async Task Moving_removing_and_undoing_change_the_working_definition_step_by_step()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (ours, _) = await SetUpAsync(app);
        using var staff = await app.SignedInClientAsync(Roles.Staff, ours.Id);

        var imported = (await FormAsync(app)).WorkingJson;
        var moved = await PressAsync(app, staff, "down:0:0");
        Redirected(moved, "/staff/designer/designer-test?focus=down-item-0-1#down-item-0-1");
        Assert.Equal(["reason", "fullName", "reasonOther"], Keys((await WorkingAsync(app)).Pages[0]));

        // The last item of a page goes down to the top of the next page; a group's field stays in its group.
        Redirected(await PressAsync(app, staff, "down:0:2"), "/staff/designer/");
        var d = await WorkingAsync(app);
        Assert.Equal(["reasonOther", "children", "fee"], Keys(d.Pages[1]));
        Redirected(await PressAsync(app, staff, "up:1:1:1"), "/staff/designer/");
        Assert.Equal(["childBirthDate", "childName"], ((FormGroup)(await WorkingAsync(app)).Pages[1].Items[1]).Fields.Select(f => f.Key));

        Redirected(await PressAsync(app, staff, "remove:1:2"), "/staff/designer/designer-test?focus=undo");
        Assert.DoesNotContain((await WorkingAsync(app)).Pages[1].Items, i => i is FeeDisplay);
        // The family page cannot go first while it holds a field whose condition reads a later one.
        var refused = await PressAsync(app, staff, "page-up:1");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("項目 'reason' はこれより前にありません", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync(Ct)));
        Redirected(await PressAsync(app, staff, "up:1:0"), "/staff/designer/designer-test?focus=up-item-0-2#up-item-0-2");
        Redirected(await PressAsync(app, staff, "page-up:1"), "/staff/designer/");
        Assert.Equal("family", (await WorkingAsync(app)).Pages[0].Key);

        var page = await staff.GetStringAsync("/staff/designer/designer-test", Ct);
        Assert.Contains("6件（直前: ページ「家族」を前へ移動）", page);

        // Undo walks back one step at a time, to the imported definition.
        for (var i = 0; i < 6; i++)
        {
            var undone = await PressAsync(app, staff, "undo");
            Assert.True(undone.StatusCode == HttpStatusCode.Redirect, $"undo {i + 1}: {(int)undone.StatusCode} {await undone.Content.ReadAsStringAsync(Ct)}");
        }
        Assert.Equal(imported, (await FormAsync(app)).WorkingJson);
        var none = await PressAsync(app, staff, "undo");
        Redirected(none, "/staff/designer/");
        Assert.Contains("元に戻せる変更</dt><dd>なし", await staff.GetStringAsync("/staff/designer/designer-test", Ct));
    }

    [Fact]
    public async Task Refused_edits_show_errors_by_the_field_and_write_nothing()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (ours, _) = await SetUpAsync(app);
        using var staff = await app.SignedInClientAsync(Roles.Staff, ours.Id);
        var before = await FormAsync(app);

        var bad = await SaveItemAsync(app, staff, "p=0&index=0", new() { ["Key"] = "Full Name", ["LabelJa"] = "", ["LabelEasy"] = "{名前|なまえ", ["MaxLength"] = "たくさん" });
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        var body = await bad.Content.ReadAsStringAsync(Ct);
        Assert.Contains("保存できませんでした", body);
        Assert.Contains("最大文字数は整数で入力してください（「たくさん」は数として読めません）", body);
        Assert.Contains("aria-invalid=\"true\"", body);

        var parsed = await SaveItemAsync(app, staff, "p=0&index=0", new() { ["Key"] = "Full Name", ["LabelJa"] = "", ["LabelEasy"] = "{名前|なまえ" });
        body = WebUtility.HtmlDecode(await parsed.Content.ReadAsStringAsync(Ct));
        Assert.Contains("key 'Full Name' は使えません", body);
        Assert.Contains("href=\"#Input_Key\"", body);
        Assert.Contains("日本語（ja）の文言がありません", body);
        Assert.Contains("href=\"#Input_LabelJa\"", body);
        Assert.Contains("「{」が閉じていません", body);

        // A condition on a later field, and a duplicate key: the parser's rules, said where they apply.
        var later = await SaveItemAsync(app, staff, "p=0&index=0", new() { ["Key"] = "fullName", ["LabelJa"] = "氏名", ["ConditionField"] = "reasonOther", ["ConditionOperator"] = "filled" });
        Assert.Contains("これより前にありません", WebUtility.HtmlDecode(await later.Content.ReadAsStringAsync(Ct)));
        var duplicate = await SaveItemAsync(app, staff, "p=0&add=email", new() { ["Key"] = "reason", ["LabelJa"] = "メール" });
        Assert.Contains("key 'reason' が重複しています", WebUtility.HtmlDecode(await duplicate.Content.ReadAsStringAsync(Ct)));
        var options = await SaveItemAsync(app, staff, "p=0&index=1", new() { ["Key"] = "reason", ["LabelJa"] = "理由", ["Options"] = "work|就労\nその他" });
        Assert.Contains("選択肢の2行目「その他」は「値|日本語」の形で書いてください", WebUtility.HtmlDecode(await options.Content.ReadAsStringAsync(Ct)));
        // A page keeps at least one item: removing the group goes, removing the fee after it is refused.
        var lastItem = await PressAsync(app, staff, "remove:1:0");
        var refused = await PressAsync(app, staff, "remove:1:0");
        Assert.Contains("2ページ目「家族」: items はこのページの項目の配列で、1つ以上が必要です", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync(Ct)));

        var after = await FormAsync(app);
        Assert.Equal(HttpStatusCode.Redirect, lastItem.StatusCode);
        Assert.NotEqual(before.WorkingSha256, after.WorkingSha256);
        Assert.Equal(["fullName", "reason", "reasonOther"], Keys(FormService.Definition(after.WorkingJson).Pages[0]));
        // Only the good removal was written.
        await using var scope = app.Scope();
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().FormEdits.CountAsync(Ct));
    }

    [Fact]
    public async Task A_page_drawn_before_another_change_cannot_overwrite_it()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (ours, _) = await SetUpAsync(app);
        using var staff = await app.SignedInClientAsync(Roles.Staff, ours.Id);
        var stale = (await FormAsync(app)).WorkingSha256;
        Redirected(await PressAsync(app, staff, "down:0:0"), "/staff/designer/");
        var moved = await FormAsync(app);

        var response = await MadoguchiFactory.PostFormAsync(staff, "/staff/designer/designer-test", new() { ["Op"] = "remove:0:0", ["Sha"] = stale });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("ほかの画面で変更されました", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(moved.WorkingSha256, (await FormAsync(app)).WorkingSha256);
    }

    [Fact]
    public async Task History_keeps_the_last_twenty_steps()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (ours, _) = await SetUpAsync(app);
        using var staff = await app.SignedInClientAsync(Roles.Staff, ours.Id);
        for (var i = 0; i < 22; i++) Redirected(await PressAsync(app, staff, i % 2 == 0 ? "down:0:0" : "up:0:1"), "/staff/designer/");

        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var sequences = await db.FormEdits.Select(e => e.Sequence).OrderBy(s => s).ToListAsync(Ct);
        Assert.Equal(Enumerable.Range(3, 20), sequences);
        Assert.Contains("20件", await staff.GetStringAsync("/staff/designer/designer-test", Ct));
    }

    [Fact]
    public async Task Publish_refusals_show_as_an_error_summary_and_a_good_form_publishes()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (ours, _) = await SetUpAsync(app, procedure: p => { p.OnlineEligible = false; p.IneligibleReason = "対面での本人確認が必要"; });
        using var staff = await app.SignedInClientAsync(Roles.Staff, ours.Id);

        var refused = await PressAsync(app, staff, "publish");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync(Ct);
        Assert.Contains("dads-error-summary", body);
        Assert.Contains("オンライン化不可（対面での本人確認が必要）", body);
        Assert.Null((await FormAsync(app)).CurrentVersion);

        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            await db.Procedures.Where(p => p.Code == Code).ExecuteUpdateAsync(s => s.SetProperty(p => p.OnlineEligible, true), Ct);
        }
        var published = await PressAsync(app, staff, "publish");
        Redirected(published, "/staff/designer/designer-test?focus=publish");
        Assert.Equal(1, (await FormAsync(app)).CurrentVersion);
        Assert.Contains("第1版を公開しました。", await staff.GetStringAsync("/staff/designer/designer-test", Ct));
    }

    [Fact]
    public async Task Unpublishing_stops_new_applications_but_keeps_drafts_and_publishing_again_reopens()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (ours, _) = await SetUpAsync(app, SubmissionKit.FormJson.Replace("\"kosodate-test\"", "\"designer-test\"", StringComparison.Ordinal), publish: true);
        using var staff = await app.SignedInClientAsync(Roles.Staff, ours.Id);
        using var resident = app.CreatePlainClient();
        // A resident starts a draft before the stop.
        var started = await MadoguchiFactory.PostFormAsync(resident, "/forms/designer-test", []);
        Redirected(started, "/forms/designer-test/");

        using var latecomer = app.CreatePlainClient();
        var lateToken = WebUtility.HtmlDecode(MadoguchiFactory.AntiforgeryToken().Match(await latecomer.GetStringAsync("/forms/designer-test", Ct)).Groups[1].Value);

        Redirected(await PressAsync(app, staff, "unpublish"), "/staff/designer/designer-test");
        Assert.Contains("受付停止中（第1版）", await staff.GetStringAsync("/staff/designer/designer-test", Ct));

        var start = await resident.GetAsync("/forms/designer-test", Ct);
        Assert.Equal(HttpStatusCode.Gone, start.StatusCode);
        Assert.Contains("この申請の受付は停止しています", await start.Content.ReadAsStringAsync(Ct));
        // Pressing start on a page loaded before the stop starts no draft either.
        var late = await latecomer.PostAsync("/forms/designer-test", new FormUrlEncodedContent([new("__RequestVerificationToken", lateToken)]), Ct);
        Assert.Equal(HttpStatusCode.Gone, late.StatusCode);
        await using (var drafts = app.Scope())
        {
            Assert.Equal(1, await drafts.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Drafts.CountAsync(Ct));
        }
        Assert.DoesNotContain("designer-test", await resident.GetStringAsync("/api/v1/forms", Ct));
        Assert.Equal(HttpStatusCode.NotFound, (await resident.GetAsync("/api/v1/forms/designer-test", Ct)).StatusCode);
        var api = await SubmissionKit.PostAsync(resident, SubmissionKit.GoodAnswers(), slug: "designer-test");
        Assert.Equal(HttpStatusCode.Gone, api.StatusCode);
        Assert.Contains("受付を停止しています", await api.Content.ReadAsStringAsync(Ct));
        // The draft started before is untouched and still opens.
        Assert.Equal(HttpStatusCode.OK, (await resident.GetAsync(started.Headers.Location!.OriginalString, Ct)).StatusCode);

        Redirected(await PressAsync(app, staff, "publish"), "/staff/designer/designer-test");
        Assert.Equal(HttpStatusCode.OK, (await resident.GetAsync("/forms/designer-test", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await SubmissionKit.PostAsync(resident, SubmissionKit.GoodAnswers(), slug: "designer-test")).StatusCode);
        await using var scope = app.Scope();
        var actions = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().AuditEntries.Select(e => e.Action).ToListAsync(Ct);
        Assert.Contains(AuditActions.FormUnpublished, actions);
    }

    [Fact]
    public async Task Renaming_and_removing_fields_of_a_published_form_are_recorded_for_the_next_version()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (ours, _) = await SetUpAsync(app, publish: true);
        using var staff = await app.SignedInClientAsync(Roles.Staff, ours.Id);

        Redirected(await SaveItemAsync(app, staff, "p=0&index=0", new() { ["Key"] = "applicantName", ["LabelJa"] = "氏名", ["Required"] = "true" }), "/staff/designer/");
        Redirected(await SaveItemAsync(app, staff, "p=0&index=0", new() { ["Key"] = "nameOfApplicant", ["LabelJa"] = "氏名", ["Required"] = "true" }), "/staff/designer/");
        Redirected(await PressAsync(app, staff, "remove:0:2"), "/staff/designer/");
        Redirected(await PressAsync(app, staff, "remove:1:0:1"), "/staff/designer/");

        var page = WebUtility.HtmlDecode(await staff.GetStringAsync("/staff/designer/designer-test", Ct));
        Assert.Contains("名前の変更: fullName → nameOfApplicant", page);
        Assert.Contains("削除: reasonOther", page);
        Assert.Contains("削除: childBirthDate", page);
        Assert.Contains("第1版を公開中・未公開の変更あり", page);

        // Undoing the removal takes it off the list again.
        Redirected(await PressAsync(app, staff, "undo"), "/staff/designer/");
        Assert.DoesNotContain("削除: childBirthDate", WebUtility.HtmlDecode(await staff.GetStringAsync("/staff/designer/designer-test", Ct)));

        Redirected(await PressAsync(app, staff, "publish"), "/staff/designer/");
        Assert.DoesNotContain("名前の変更", await staff.GetStringAsync("/staff/designer/designer-test", Ct));
        await using var scope = app.Scope();
        var details = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().AuditEntries
            .Where(e => e.Action == AuditActions.FormEdited && e.Detail.StartsWith("version=2")).Select(e => e.Detail).ToListAsync(Ct);
        Assert.Contains(details, d => d.Contains("\"fullName\":\"nameOfApplicant\"", StringComparison.Ordinal) && d.Contains("reasonOther", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Staff_of_another_department_cannot_see_or_change_the_form()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (ours, theirs) = await SetUpAsync(app);
        using var other = await app.SignedInClientAsync(Roles.Staff, theirs.Id);
        using var owner = await app.SignedInClientAsync(Roles.Staff, ours.Id);
        var token = MadoguchiFactory.AntiforgeryToken().Match(await owner.GetStringAsync("/staff/designer/designer-test", Ct));
        var otherToken = MadoguchiFactory.AntiforgeryToken().Match(await other.GetStringAsync("/staff/designer", Ct)).Groups[1].Value;
        Assert.True(token.Success);

        Assert.DoesNotContain("設計テストの申請", await other.GetStringAsync("/staff/designer", Ct));
        foreach (var url in new[] { "/staff/designer/designer-test", "/staff/designer/designer-test/preview", "/staff/designer/designer-test/settings", "/staff/designer/designer-test/pages/applicant", "/staff/designer/designer-test/item?p=0&index=0" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(url, Ct)).StatusCode);
        }
        var sha = (await FormAsync(app)).WorkingSha256;
        var post = await other.PostAsync("/staff/designer/designer-test", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Op"] = "remove:0:0",
            ["Sha"] = sha,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(otherToken),
        }), Ct);
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Equal(sha, (await FormAsync(app)).WorkingSha256);

        // Auditors read, they do not design.
        using var auditor = await app.SignedInClientAsync(Roles.Auditor);
        var denied = await auditor.GetAsync("/staff/designer", Ct);
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Contains("/staff/denied", denied.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Page_settings_and_group_edits_save_through_their_own_pages()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (ours, _) = await SetUpAsync(app);
        using var staff = await app.SignedInClientAsync(Roles.Staff, ours.Id);
        var sha = (await FormAsync(app)).WorkingSha256;

        Redirected(await MadoguchiFactory.PostFormAsync(staff, "/staff/designer/designer-test/pages/family", new()
        {
            ["Sha"] = sha,
            ["Input.Key"] = "kazoku",
            ["Input.TitleJa"] = "家族",
            ["Input.TitleEn"] = "Family",
            ["Input.ConditionField"] = "reason",
            ["Input.ConditionOperator"] = "in",
            ["Input.ConditionValues"] = "work, other",
        }), "/staff/designer/");
        sha = (await FormAsync(app)).WorkingSha256;
        Redirected(await MadoguchiFactory.PostFormAsync(staff, "/staff/designer/designer-test/settings", new()
        {
            ["Sha"] = sha,
            ["Input.TitleJa"] = "新しい名前",
            ["Input.DescriptionJa"] = "説明です",
            ["Input.DraftExpiryDays"] = "14",
        }), "/staff/designer/");
        Redirected(await SaveItemAsync(app, staff, "p=1&add=group", new() { ["Key"] = "guardians", ["LabelJa"] = "保護者", ["GroupMin"] = "0", ["GroupMax"] = "2", ["FirstFieldLabel"] = "保護者の氏名" }), "/staff/designer/");
        Redirected(await SaveItemAsync(app, staff, "p=1&group=2&add=phone", new() { ["Key"] = "guardianPhone", ["LabelJa"] = "電話番号" }), "/staff/designer/");
        Redirected(await SaveItemAsync(app, staff, "p=1&add=static", new() { ["HeadingJa"] = "ご注意", ["TextJa"] = "書類を用意してください。" }), "/staff/designer/");
        Redirected(await SaveItemAsync(app, staff, "p=1&add=consent", new() { ["Key"] = "agree", ["LabelJa"] = "確認", ["StatementJa"] = "内容に誤りはありません。" }), "/staff/designer/");

        var d = await WorkingAsync(app);
        Assert.Equal("新しい名前", d.Title.Ja);
        Assert.Equal(14, d.DraftExpiryDays);
        Assert.Equal("kazoku", d.Pages[1].Key);
        Assert.Equal(["work", "other"], d.Pages[1].ShowWhen!.Values);
        var group = Assert.IsType<FormGroup>(d.Pages[1].Items[2]);
        Assert.Equal((0, 2), (group.Min, group.Max));
        Assert.Equal(["保護者の氏名", "電話番号"], group.Fields.Select(f => f.Label.Ja));
        Assert.Equal(["children", "fee", "guardians", "static", "agree"], Keys(d.Pages[1]));
        Assert.True(d.AllFields.Single(f => f.Key == "agree").Required);
        Assert.Equal("新しい名前", (await FormAsync(app)).Title);
    }

    [Fact]
    public async Task Preview_draws_the_working_definition_at_phone_and_desktop_width_in_each_language()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var json = JsonNode.Parse(DesignerKit.FormJson)!;
        json["pages"]![0]!["items"]![0]!["label"] = new JsonObject { ["ja"] = "氏名", ["en"] = "Full name", ["easy"] = "{名前|なまえ}" };
        var (ours, _) = await SetUpAsync(app, json.ToJsonString());
        using var staff = await app.SignedInClientAsync(Roles.Staff, ours.Id);

        var phone = await staff.GetStringAsync("/staff/designer/designer-test/preview", Ct);
        Assert.Contains("class=\"designer-preview\" data-width=\"phone\"", phone);
        Assert.Contains("「reason」が other のとき表示", phone);
        Assert.Contains("300円", phone);
        Assert.Contains("for=\"preview-f-fullName\"", phone);
        var desktop = await staff.GetStringAsync("/staff/designer/designer-test/preview?width=desktop&in=en", Ct);
        Assert.Contains("data-width=\"desktop\"", desktop);
        Assert.Contains("Full name", desktop);
        var easy = await staff.GetStringAsync("/staff/designer/designer-test/preview?in=easy", Ct);
        Assert.Contains("<ruby>名前<rt>なまえ</rt></ruby>", easy);
    }

    [Fact]
    public async Task Staff_charge_a_fee_per_copy_by_choosing_a_number_field_and_a_field_that_cannot_count_gets_an_error_by_the_choice()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var json = JsonNode.Parse(DesignerKit.FormJson)!;
        var first = json["pages"]![0]!["items"]!.AsArray();
        first.Add(JsonNode.Parse("""{ "type": "number", "key": "copies", "required": true, "min": 1, "max": 10, "unit": "通", "label": { "ja": "通数" } }"""));
        first.Add(JsonNode.Parse("""{ "type": "number", "key": "adjustment", "required": true, "min": -5, "max": 5, "label": { "ja": "調整" } }"""));
        var (ours, _) = await SetUpAsync(app, json.ToJsonString());
        using var staff = await app.SignedInClientAsync(Roles.Staff, ours.Id);

        // The fee is the second item of the second page; its page offers the form's number fields, none chosen.
        var form = WebUtility.HtmlDecode(await staff.GetStringAsync("/staff/designer/designer-test/item?p=1&index=1", Ct));
        Assert.Contains("<option value=\"\">なし（定額）</option><option value=\"copies\">通数（copies）</option><option value=\"adjustment\">調整（adjustment）</option></select>", form);

        var saved = await SaveItemAsync(app, staff, "p=1&index=1", new() { ["LabelJa"] = "手数料", ["Yen"] = "300", ["Per"] = "copies" });
        Redirected(saved, "/staff/designer/designer-test");
        Assert.Contains("\"per\": \"copies\"", (await FormAsync(app)).WorkingJson);
        Assert.Contains("<option value=\"copies\" selected>", await staff.GetStringAsync("/staff/designer/designer-test/item?p=1&index=1", Ct));
        Assert.Contains("1通につき300円", await staff.GetStringAsync("/staff/designer/designer-test/preview", Ct));

        var bad = await SaveItemAsync(app, staff, "p=1&index=1", new() { ["LabelJa"] = "手数料", ["Yen"] = "300", ["Per"] = "adjustment" });
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        var body = WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync(Ct));
        Assert.Contains("href=\"#Input_Per\"", body);
        Assert.Contains("<span class=\"dads-form-control__error\" id=\"Input_Per-error\">＊'adjustment' の min（-5）が負の数", body);
        Assert.Contains("aria-invalid=\"true\" aria-describedby=\"Input_Per-hint Input_Per-error\"", body);
        Assert.Contains("\"per\": \"copies\"", (await FormAsync(app)).WorkingJson);

        var cleared = await SaveItemAsync(app, staff, "p=1&index=1", new() { ["LabelJa"] = "手数料", ["Yen"] = "300", ["Per"] = "" });
        Redirected(cleared, "/staff/designer/designer-test");
        Assert.DoesNotContain("\"per\"", (await FormAsync(app)).WorkingJson);
    }
}
