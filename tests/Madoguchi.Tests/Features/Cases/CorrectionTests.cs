using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Smtp = Madoguchi.Tests.Features.Submissions.MailTests.Smtp;

namespace Madoguchi.Tests.Features.Cases;

/// <summary>補正 end to end over HTTP with a real SMTP server, status-change mails, and the status page's steps.</summary>
public sealed partial class CorrectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Origin = "https://madoguchi.city.example.jp";

    [GeneratedRegex(@"https://madoguchi\.city\.example\.jp(/corrections/[0-9a-f]+)")]
    private static partial Regex CorrectionLink();

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, Dictionary<string, string> fields) => await MadoguchiFactory.PostFormAsync(client, url, fields);

    private static async Task<HttpResponseMessage> StaffPostAsync(MadoguchiFactory app, HttpClient staff, Guid caseId, string handler, Dictionary<string, string> fields)
    {
        fields["input.Revision"] = (await CaseKit.RevisionAsync(app, caseId)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await MadoguchiFactory.PostFormAsync(staff, $"/staff/cases/{caseId}?handler={handler}", fields, $"/staff/cases/{caseId}");
    }

    /// <summary>Asks for a 補正 of several fields as the page's checkboxes post them (the same name repeated).</summary>
    private static async Task<HttpResponseMessage> RequestAsync(MadoguchiFactory app, HttpClient staff, Guid caseId, string message, params string[] fields)
    {
        var page = await staff.GetStringAsync($"/staff/cases/{caseId}", Ct);
        var token = WebUtility.HtmlDecode(MadoguchiFactory.AntiforgeryToken().Match(page).Groups[1].Value);
        var revision = (await CaseKit.RevisionAsync(app, caseId)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await staff.PostAsync($"/staff/cases/{caseId}?handler=correction",
            Fields([("__RequestVerificationToken", token), ("input.Revision", revision), ("input.Message", message), .. fields.Select(f => ("input.Fields", f))]), Ct);
    }

    private static FormUrlEncodedContent Fields(params (string, string)[] pairs) => new(pairs.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2)));

    [Fact]
    [Trait("storage", "true")]
    public async Task The_applicant_corrects_only_the_marked_fields_through_the_mailed_link_both_versions_are_kept_and_the_due_date_moves()
    {
        await using var smtp = await Smtp.StartAsync();
        await using var app = await MadoguchiFactory.CreateAsync(smtp.Settings(Origin));
        // Friday 2026-12-25: five business days end on 2027-01-07 (年末年始 12/29–1/3 closed).
        app.Clock.Set(new DateTimeOffset(2026, 12, 25, 10, 0, 0, TimeSpan.FromHours(9)));
        var setup = await CaseKit.SetUpAsync(app, standardDays: 5);
        var applied = await CaseKit.ApplyAsync(app);
        _ = await smtp.NextAsync(); // the acknowledgement
        using var staff = await app.SignedInClientAsync(Roles.Staff, setup.Ours.Id);

        var requested = await RequestAsync(app, staff, applied.CaseId, "お名前の漢字と、お子さんのお名前を確認してください。", "applicantName", "children");
        Assert.Equal(HttpStatusCode.Redirect, requested.StatusCode);
        var c = await CaseKit.WithDbAsync(app, db => db.Cases.AsNoTracking().SingleAsync(x => x.Id == applied.CaseId, Ct));
        Assert.Equal(CaseWorkflow.Correction, c.Status);
        Assert.Equal(new DateOnly(2026, 12, 25), c.ClockStoppedOn);

        var mail = await smtp.NextAsync();
        Assert.Equal("hanako@example.jp", mail.To.ToString());
        Assert.Contains(applied.Receipt, mail.Subject);
        var text = mail.TextBody ?? "";
        Assert.Contains("お名前の漢字と、お子さんのお名前を確認してください。", text);
        Assert.Contains("保育の利用申込（テスト）", text);
        Assert.DoesNotContain("山田", text);
        Assert.DoesNotContain("9018", text);
        var link = CorrectionLink().Match(text).Groups[1].Value;
        Assert.NotEmpty(link);

        var staffPage = await staff.GetStringAsync($"/staff/cases/{applied.CaseId}", Ct);
        Assert.Contains("補正待ち（期限の計算を停止中）", staffPage);

        using var resident = app.CreatePlainClient();
        var form = await resident.GetAsync(link, Ct);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.True(form.Headers.CacheControl?.NoStore);
        var html = await form.Content.ReadAsStringAsync(Ct);
        Assert.Contains("お名前の漢字と、お子さんのお名前を確認してください。", html);
        Assert.Contains("name=\"applicantName.given\" value=\"花子\"", html);
        // Only the marked question is asked.
        Assert.DoesNotContain("name=\"email\"", html);
        Assert.DoesNotContain("name=\"reason\"", html);
        Assert.Contains("name=\"children[0].childName\" type=\"text\" value=\"山田 太郎\"", html);

        // Invalid: the given name left empty. The errors are shown and the case stays as it was.
        var bad = await PostAsync(resident, link, new() { ["applicantName.family"] = "山田", ["applicantName.given"] = "", ["applicantName.familyKana"] = "ヤマダ", ["applicantName.givenKana"] = "ハナコ", ["children.count"] = "1", ["children[0].childName"] = "山田 次郎", ["children[0].childBirthDate"] = "R5.6.1" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        var badHtml = await bad.Content.ReadAsStringAsync(Ct);
        Assert.Contains("dads-error-summary", badHtml);
        Assert.Contains("href=\"#f-applicantName-given\"", badHtml);
        Assert.Contains("aria-invalid=\"true\"", badHtml);
        c = await CaseKit.WithDbAsync(app, db => db.Cases.AsNoTracking().SingleAsync(x => x.Id == applied.CaseId, Ct));
        Assert.Null(c.AnswersJson);
        Assert.Equal(CaseWorkflow.Correction, c.Status);

        // Answered on Tuesday 2027-01-05: 12/28, 1/4 and 1/5 were the applicant's, so the due date moves
        // three business days from 1/7, over the weekend and 成人の日 (1/11), to 1/13.
        app.Clock.Set(new DateTimeOffset(2027, 1, 5, 15, 0, 0, TimeSpan.FromHours(9)));
        // The first session has expired over the holidays: a member of staff signs in again.
        using var later = await app.SignedInClientAsync(Roles.Staff, setup.Ours.Id);
        var good = await PostAsync(resident, link, new()
        {
            ["applicantName.family"] = "山田",
            ["applicantName.given"] = "華子",
            ["applicantName.familyKana"] = "やまだ",
            ["applicantName.givenKana"] = "ハナコ",
            ["children.count"] = "1",
            ["children[0].childName"] = "山田 次郎",
            ["children[0].childBirthDate"] = "R5.6.1",
            // Not marked: ignored.
            ["email"] = "someone-else@example.jp",
            ["reason"] = "other",
        });
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Contains("修正を受け付けました", await good.Content.ReadAsStringAsync(Ct));

        c = await CaseKit.WithDbAsync(app, db => db.Cases.AsNoTracking().SingleAsync(x => x.Id == applied.CaseId, Ct));
        var corrected = JsonNode.Parse(c.AnswersJson!)!;
        Assert.Equal("華子", corrected["applicantName"]!["given"]!.GetValue<string>());
        Assert.Equal("ヤマダ", corrected["applicantName"]!["familyKana"]!.GetValue<string>()); // normalised like the form
        Assert.Equal("hanako@example.jp", corrected["email"]!.GetValue<string>());
        Assert.Equal("work", corrected["reason"]!.GetValue<string>());
        Assert.Contains("********9018", c.AnswersJson);
        Assert.Equal("山田 次郎", corrected["children"]![0]!["childName"]!.GetValue<string>());
        Assert.Contains("華子", c.SearchText);
        Assert.Equal(CaseWorkflow.Reviewing, c.Status);
        Assert.Null(c.ClockStoppedOn);
        Assert.Equal(new DateOnly(2027, 1, 13), c.DueOn);
        var submitted = await CaseKit.WithDbAsync(app, db => db.Submissions.AsNoTracking().Where(s => s.Id == applied.CaseId).Select(s => s.AnswersJson).SingleAsync(Ct));
        Assert.Equal("花子", JsonNode.Parse(submitted)!["applicantName"]!["given"]!.GetValue<string>());
        var request = await CaseKit.WithDbAsync(app, db => db.CorrectionRequests.AsNoTracking().SingleAsync(Ct));
        Assert.Equal("花子", JsonNode.Parse(request.BeforeJson)!["applicantName"]!["given"]!.GetValue<string>());
        Assert.Equal("華子", JsonNode.Parse(request.AfterJson!)!["applicantName"]!["given"]!.GetValue<string>());
        Assert.NotNull(request.AnsweredAt);

        // The answer told the applicant the case is under review again.
        var reviewMail = await smtp.NextAsync();
        Assert.Contains("審査中", reviewMail.Subject);

        // Used once: the link now answers 404 with a friendly page, for GET and POST alike.
        var again = await resident.GetAsync(link, Ct);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains("このリンクは使えません", await again.Content.ReadAsStringAsync(Ct));

        // Staff see both versions: the current answers and the original.
        staffPage = await later.GetStringAsync($"/staff/cases/{applied.CaseId}", Ct);
        Assert.Contains("当初の申請内容", staffPage);
        Assert.Contains("山田 華子", staffPage);
        Assert.Contains("山田 花子", staffPage);
        Assert.Contains("補正済み（申請者が修正）", staffPage);
        Assert.Contains("令和9年1月13日（2027-01-13）", staffPage);

        Assert.Equal(HttpStatusCode.Redirect, (await StaffPostAsync(app, later, applied.CaseId, "status", new() { ["input.To"] = CaseWorkflow.Completed })).StatusCode);
        var status = await resident.GetStringAsync(applied.StatusUrl, Ct);
        var steps = status[status.IndexOf("data-testid=\"steps\"", StringComparison.Ordinal)..];
        var order = new[] { "受付", "補正のお願い", "お名前の漢字と、お子さんのお名前を確認してください。", "補正済み", "審査中", "完了" }
            .Select(s => steps.IndexOf(s, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
        Assert.Contains("data-testid=\"current-status\">完了<", status);
        // Staff names and internal notes never reach the applicant.
        Assert.DoesNotContain("@test.example", status);
    }

    [Fact]
    public async Task In_english_an_untranslated_question_named_in_the_errors_is_marked_as_japanese()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await CaseKit.SetUpAsync(app);
        var applied = await CaseKit.ApplyAsync(app, CaseKit.Answers(email: null));
        using var staff = await app.SignedInClientAsync(Roles.Staff, setup.Ours.Id);
        Assert.Equal(HttpStatusCode.Redirect, (await RequestAsync(app, staff, applied.CaseId, "理由を確認してください。", "reason")).StatusCode);
        const string secret = "0123456789abcdef0123456789abcdef";
        await CaseKit.WithDbAsync(app, db => db.CorrectionRequests.ExecuteUpdateAsync(u => u.SetProperty(r => r.SecretHash, Madoguchi.Web.Features.Submissions.ReceiptNumbers.Hash(secret)), Ct));
        using var resident = app.CreateEnglishClient();

        var noReason = await PostAsync(resident, $"/corrections/{secret}", []);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, noReason.StatusCode);
        var html = await noReason.Content.ReadAsStringAsync(Ct);
        // 理由 has no English label in this form: read with a Japanese voice on the English page.
        Assert.Contains("href=\"#f-reason\">＊<span lang=\"ja\">理由</span>: Choose an option.", html);
    }

    [Fact]
    public async Task A_group_and_a_field_can_be_marked_together_and_a_posted_group_item_is_checked_by_the_same_rules()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await CaseKit.SetUpAsync(app);
        var applied = await CaseKit.ApplyAsync(app, CaseKit.Answers(email: null));
        using var staff = await app.SignedInClientAsync(Roles.Staff, setup.Ours.Id);
        var posted = await RequestAsync(app, staff, applied.CaseId, "理由とお子さんの生年月日を確認してください。", "reason", "children");
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var request = await CaseKit.WithDbAsync(app, db => db.CorrectionRequests.AsNoTracking().SingleAsync(Ct));
        Assert.Equal("[\"reason\",\"children\"]", request.FieldsJson);

        // No mail server here: open the request with a secret of our own, as the mailed link would.
        const string secret = "0123456789abcdef0123456789abcdef";
        await CaseKit.WithDbAsync(app, db => db.CorrectionRequests.ExecuteUpdateAsync(u => u.SetProperty(r => r.SecretHash, Madoguchi.Web.Features.Submissions.ReceiptNumbers.Hash(secret)), Ct));
        using var resident = app.CreatePlainClient();
        var html = await resident.GetStringAsync($"/corrections/{secret}", Ct);
        Assert.Contains("name=\"children[0].childName\" type=\"text\" value=\"山田 太郎\"", html);
        Assert.Contains("name=\"reason\"", html);
        Assert.DoesNotContain("name=\"applicantName.given\"", html);

        // 理由 "other" makes その他の理由 required, which was not marked: refused with a clear word, nothing stored.
        var needsMore = await PostAsync(resident, $"/corrections/{secret}", new() { ["reason"] = "other", ["children.count"] = "1", ["children[0].childName"] = "山田 太郎", ["children[0].childBirthDate"] = "R5.6.1" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, needsMore.StatusCode);
        Assert.Contains("data-testid=\"other-error\"", await needsMore.Content.ReadAsStringAsync(Ct));
        var badDate = await PostAsync(resident, $"/corrections/{secret}", new() { ["reason"] = "work", ["children.count"] = "1", ["children[0].childName"] = "山田 太郎", ["children[0].childBirthDate"] = "2023-02-30" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badDate.StatusCode);
        Assert.Contains("href=\"#f-children-0--childBirthDate\"", await badDate.Content.ReadAsStringAsync(Ct));
        Assert.Null(await CaseKit.WithDbAsync(app, db => db.Cases.Where(c => c.Id == applied.CaseId).Select(c => c.AnswersJson).SingleAsync(Ct)));

        var ok = await PostAsync(resident, $"/corrections/{secret}", new() { ["reason"] = "work", ["children.count"] = "1", ["children[0].childName"] = "山田 太郎", ["children[0].childBirthDate"] = "令和5年6月2日" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var answers = await CaseKit.WithDbAsync(app, db => db.Cases.Where(c => c.Id == applied.CaseId).Select(c => c.AnswersJson).SingleAsync(Ct));
        Assert.Equal("2023-06-02", JsonNode.Parse(answers!)!["children"]![0]!["childBirthDate"]!.GetValue<string>());
    }

    [Fact]
    public async Task File_and_sensitive_fields_cannot_be_marked_and_a_request_needs_fields_and_a_message()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await CaseKit.SetUpAsync(app);
        var applied = await CaseKit.ApplyAsync(app);
        using var staff = await app.SignedInClientAsync(Roles.Staff, setup.Ours.Id);
        var page = await staff.GetStringAsync($"/staff/cases/{applied.CaseId}", Ct);
        Assert.DoesNotContain("name=\"input.Fields\" value=\"proof\"", page);
        Assert.DoesNotContain("name=\"input.Fields\" value=\"myNumber\"", page);
        Assert.Contains("就労証明書（ファイル）", page);

        foreach (var (fields, expected) in new[]
        {
            (new Dictionary<string, string> { ["input.Fields"] = "proof", ["input.Message"] = "証明書を" }, "補正の対象にできません"),
            (new Dictionary<string, string> { ["input.Message"] = "確認してください" }, "項目を1つ以上選んでください"),
            (new Dictionary<string, string> { ["input.Fields"] = "reason" }, "メッセージを入力してください"),
        })
        {
            var r = await StaffPostAsync(app, staff, applied.CaseId, "correction", fields);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, r.StatusCode);
            Assert.Contains(expected, await r.Content.ReadAsStringAsync(Ct));
        }
        Assert.Equal(0, await CaseKit.WithDbAsync(app, db => db.CorrectionRequests.CountAsync(Ct)));
        Assert.Equal(CaseWorkflow.Received, await CaseKit.WithDbAsync(app, db => db.Cases.Select(c => c.Status).SingleAsync(Ct)));
    }

    [Fact]
    public async Task A_wrong_secret_is_a_friendly_404_and_a_request_ends_when_staff_move_the_case_on()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await CaseKit.SetUpAsync(app);
        var applied = await CaseKit.ApplyAsync(app);
        using var resident = app.CreatePlainClient();
        var wrong = await resident.GetAsync("/corrections/0123456789abcdef0123456789abcdef", Ct);
        Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
        Assert.Contains("このリンクは使えません", await wrong.Content.ReadAsStringAsync(Ct));

        using var staff = await app.SignedInClientAsync(Roles.Staff, setup.Ours.Id);
        Assert.Equal(HttpStatusCode.Redirect, (await StaffPostAsync(app, staff, applied.CaseId, "correction", new() { ["input.Fields"] = "reason", ["input.Message"] = "理由を確認してください" })).StatusCode);
        const string secret = "fedcba9876543210fedcba9876543210";
        await CaseKit.WithDbAsync(app, db => db.CorrectionRequests.ExecuteUpdateAsync(u => u.SetProperty(r => r.SecretHash, Madoguchi.Web.Features.Submissions.ReceiptNumbers.Hash(secret)), Ct));
        Assert.Equal(HttpStatusCode.OK, (await resident.GetAsync($"/corrections/{secret}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await StaffPostAsync(app, staff, applied.CaseId, "status", new() { ["input.To"] = CaseWorkflow.Rejected })).StatusCode);
        var ended = await resident.GetAsync($"/corrections/{secret}", Ct);
        Assert.Equal(HttpStatusCode.Gone, ended.StatusCode);
        Assert.Contains("この補正の依頼は取り下げられました", await ended.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>Gives the request(s) of a case without a known secret the secret a mailed link would carry.</summary>
    private static Task<int> SetSecretAsync(MadoguchiFactory app, string secret)
    {
        var known = new[] { "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210" }.Select(Madoguchi.Web.Features.Submissions.ReceiptNumbers.Hash).ToList();
        return CaseKit.WithDbAsync(app, db => db.CorrectionRequests.Where(r => !known.Contains(r.SecretHash))
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.SecretHash, Madoguchi.Web.Features.Submissions.ReceiptNumbers.Hash(secret)), Ct));
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task An_older_correction_link_cannot_be_answered_once_staff_withdraw_it_or_send_a_newer_request_and_says_why()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await CaseKit.SetUpAsync(app);
        var applied = await CaseKit.ApplyAsync(app);
        using var staff = await app.SignedInClientAsync(Roles.Staff, setup.Ours.Id);
        using var resident = app.CreatePlainClient();
        const string first = "0123456789abcdef0123456789abcdef", second = "fedcba9876543210fedcba9876543210";
        var answer = new Dictionary<string, string> { ["reason"] = "work" };

        // 依頼1, then staff move the case back to 審査中 without waiting: the link says the office withdrew it.
        Assert.Equal(HttpStatusCode.Redirect, (await RequestAsync(app, staff, applied.CaseId, "理由を確認してください。", "reason")).StatusCode);
        Assert.Equal(1, await SetSecretAsync(app, first));
        Assert.Equal(HttpStatusCode.Redirect, (await StaffPostAsync(app, staff, applied.CaseId, "status", new() { ["input.To"] = CaseWorkflow.Reviewing })).StatusCode);
        var withdrawn = await resident.GetAsync($"/corrections/{first}", Ct);
        Assert.Equal(HttpStatusCode.Gone, withdrawn.StatusCode);
        Assert.Contains("この補正の依頼は取り下げられました", await withdrawn.Content.ReadAsStringAsync(Ct));

        // 依頼2: the first link now points to the newer request and cannot be answered.
        Assert.Equal(HttpStatusCode.Redirect, (await RequestAsync(app, staff, applied.CaseId, "お子さんのお名前を確認してください。", "children")).StatusCode);
        Assert.Equal(1, await SetSecretAsync(app, second));
        var replaced = await resident.GetAsync($"/corrections/{first}", Ct);
        Assert.Equal(HttpStatusCode.Gone, replaced.StatusCode);
        var replacedHtml = await replaced.Content.ReadAsStringAsync(Ct);
        Assert.Contains("新しい依頼に置き換わりました", replacedHtml);
        Assert.Contains("いちばん新しいメールのリンクから修正してください", replacedHtml);
        Assert.DoesNotContain("send-correction", replacedHtml);
        // Sent from the old page still open in a tab (the antiforgery token is the session's, not the page's).
        var late = await MadoguchiFactory.PostFormAsync(resident, $"/corrections/{first}", answer, $"/corrections/{second}");
        Assert.Equal(HttpStatusCode.Gone, late.StatusCode);
        var c = await CaseKit.WithDbAsync(app, db => db.Cases.AsNoTracking().SingleAsync(x => x.Id == applied.CaseId, Ct));
        Assert.Equal(CaseWorkflow.Correction, c.Status);
        Assert.NotNull(c.ClockStoppedOn);
        Assert.Null(c.AnswersJson);

        // The newer link still works, and staff see what became of each request.
        var staffPage = await staff.GetStringAsync($"/staff/cases/{applied.CaseId}", Ct);
        Assert.Contains("新しい補正依頼に置き換え", staffPage);
        Assert.Contains("補正依頼の締切", staffPage);
        Assert.Single(Regex.Matches(staffPage, "申請者の回答待ち"));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(resident, $"/corrections/{second}", new()
        {
            ["children.count"] = "1",
            ["children[0].childName"] = "山田 次郎",
            ["children[0].childBirthDate"] = "R5.6.1",
        })).StatusCode);
        c = await CaseKit.WithDbAsync(app, db => db.Cases.AsNoTracking().SingleAsync(x => x.Id == applied.CaseId, Ct));
        Assert.Equal(CaseWorkflow.Reviewing, c.Status);
        Assert.DoesNotContain("申請者の回答待ち", await staff.GetStringAsync($"/staff/cases/{applied.CaseId}", Ct));
    }

    [Fact]
    public async Task An_answer_under_a_workflow_that_forbids_the_return_to_review_keeps_the_answer_but_not_the_forbidden_status()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await CaseKit.SetUpAsync(app);
        var applied = await CaseKit.ApplyAsync(app);
        // Stored as it could be before the settings page checked it: 補正依頼 may only go to 却下 or 取下げ.
        var workflow = new CaseWorkflow([.. CaseWorkflow.Default.Statuses.Select(s => s.Code == CaseWorkflow.Correction ? s with { Next = [CaseWorkflow.Rejected, CaseWorkflow.Withdrawn] } : s)]);
        await CaseKit.WithDbAsync(app, async db =>
        {
            db.LedgerSettings.Add(new LedgerSettings { ProcedureId = setup.ProcedureId, WorkflowJson = workflow.ToJson() });
            return await db.SaveChangesAsync(Ct);
        });
        using var staff = await app.SignedInClientAsync(Roles.Staff, setup.Ours.Id);
        Assert.Equal(HttpStatusCode.Redirect, (await RequestAsync(app, staff, applied.CaseId, "理由を確認してください。", "reason")).StatusCode);
        const string secret = "0123456789abcdef0123456789abcdef";
        await SetSecretAsync(app, secret);

        using var resident = app.CreatePlainClient();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(resident, $"/corrections/{secret}", new() { ["reason"] = "work" })).StatusCode);

        var c = await CaseKit.WithDbAsync(app, db => db.Cases.AsNoTracking().SingleAsync(x => x.Id == applied.CaseId, Ct));
        Assert.Equal(CaseWorkflow.Correction, c.Status);
        Assert.NotNull(c.AnswersJson);
        Assert.Null(c.ClockStoppedOn);
        var page = WebUtility.HtmlDecode(await staff.GetStringAsync($"/staff/cases/{applied.CaseId}", Ct));
        Assert.Contains("ワークフローで「補正依頼」から「審査中」に移せないため、状態は変えていません", page);
        // Staff move it on along the workflow.
        Assert.Equal(HttpStatusCode.Redirect, (await StaffPostAsync(app, staff, applied.CaseId, "status", new() { ["input.To"] = CaseWorkflow.Rejected })).StatusCode);
    }

    [Fact]
    public async Task Status_change_mails_follow_the_applicants_language_and_the_procedures_own_templates()
    {
        await using var smtp = await Smtp.StartAsync();
        await using var app = await MadoguchiFactory.CreateAsync(smtp.Settings(Origin));
        var setup = await CaseKit.SetUpAsync(app);
        var english = await CaseKit.ApplyAsync(app, CaseKit.Answers("en@example.jp"), "en");
        _ = await smtp.NextAsync();
        var easy = await CaseKit.ApplyAsync(app, CaseKit.Answers("easy@example.jp"), "easy");
        _ = await smtp.NextAsync();
        var japanese = await CaseKit.ApplyAsync(app, CaseKit.Answers("ja@example.jp"));
        _ = await smtp.NextAsync();
        using var staff = await app.SignedInClientAsync(Roles.Manager, setup.Ours.Id);

        // The procedure's own Japanese text; an unknown placeholder is refused with what may be used.
        var url = $"/staff/ledger/{setup.ProcedureId}/notifications";
        var form = await staff.GetStringAsync(url, Ct);
        Assert.Contains("申請の状況が「{status}」になりました（受付番号 {receipt}）", form);
        var fields = new Dictionary<string, string>();
        var i = 0;
        foreach (var kind in CaseTemplates.Kinds)
        {
            foreach (var language in CaseTemplates.Languages)
            {
                var t = CaseTemplates.Default(kind, language);
                fields[$"templates[{i}].Kind"] = kind;
                fields[$"templates[{i}].Language"] = language;
                fields[$"templates[{i}].Subject"] = kind == CaseTemplates.StatusKind && language == "ja" ? "【保育課】{status}になりました {receipt}" : t.Subject;
                fields[$"templates[{i}].Body"] = kind == CaseTemplates.StatusKind && language == "ja" ? "{name} 様\n{procedure} は {status} です。\n{statusUrl}" : t.Body;
                i++;
            }
        }
        var refused = await MadoguchiFactory.PostFormAsync(staff, url, new(fields));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("{name} は使えません", await refused.Content.ReadAsStringAsync(Ct));
        fields["templates[0].Body"] = "{procedure} は {status} です。\n{statusUrl}";
        Assert.Equal(HttpStatusCode.Redirect, (await MadoguchiFactory.PostFormAsync(staff, url, fields)).StatusCode);

        foreach (var applied in new[] { english, easy, japanese })
        {
            Assert.Equal(HttpStatusCode.Redirect, (await StaffPostAsync(app, staff, applied.CaseId, "status", new() { ["input.To"] = CaseWorkflow.Reviewing })).StatusCode);
        }
        var mails = new List<MimeKit.MimeMessage> { await smtp.NextAsync(), await smtp.NextAsync(), await smtp.NextAsync() };
        var en = mails.Single(m => m.To.ToString() == "en@example.jp");
        Assert.Equal($"Your application is now: Under review ({english.Receipt})", en.Subject);
        Assert.Contains("Childcare application (test)", en.TextBody);
        Assert.Contains($"{Origin}/status/{english.Receipt}", en.TextBody);
        var easyMail = mails.Single(m => m.To.ToString() == "easy@example.jp");
        Assert.Contains("しらべています", easyMail.TextBody);
        Assert.Contains("保育の 申込", easyMail.TextBody);
        var ja = mails.Single(m => m.To.ToString() == "ja@example.jp");
        Assert.Equal($"【保育課】審査中になりました {japanese.Receipt}", ja.Subject);
        Assert.Contains("保育の利用申込（テスト） は 審査中 です。", ja.TextBody);
        foreach (var m in mails)
        {
            Assert.Equal("text/plain", m.Body?.ContentType.MimeType);
            Assert.DoesNotContain("山田", m.TextBody);
        }
    }

    [Fact]
    public async Task The_status_page_lists_an_open_correction_with_its_message_and_opens_it_for_the_holder_of_the_status_key()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await CaseKit.SetUpAsync(app);
        var applied = await CaseKit.ApplyAsync(app, language: "en");
        using var staff = await app.SignedInClientAsync(Roles.Staff, setup.Ours.Id);
        Assert.Equal(HttpStatusCode.Redirect, (await StaffPostAsync(app, staff, applied.CaseId, "correction", new() { ["input.Fields"] = "reason", ["input.Message"] = "理由を確認してください" })).StatusCode);

        using var resident = app.CreatePlainClient();
        // The page speaks the language chosen on this device.
        await resident.GetAsync("/lang?to=en", Ct);
        var status = await resident.GetStringAsync(applied.StatusUrl, Ct);
        Assert.Contains("Correction requested", status);
        Assert.Contains("理由を確認してください", status);
        Assert.Contains("data-testid=\"correct-here\"", status);

        var key = applied.StatusUrl[(applied.StatusUrl.IndexOf("key=", StringComparison.Ordinal) + 4)..];
        var wrong = await MadoguchiFactory.PostFormAsync(resident, $"/status/{applied.Receipt}?handler=correct", new() { ["key"] = new string('0', 32) }, applied.StatusUrl);
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        var opened = await MadoguchiFactory.PostFormAsync(resident, $"/status/{applied.Receipt}?handler=correct", new() { ["key"] = key }, applied.StatusUrl);
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        var page = await resident.GetAsync(opened.Headers.Location!.OriginalString, Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("理由を確認してください", await page.Content.ReadAsStringAsync(Ct));
    }
}
