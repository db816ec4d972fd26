using System.Net;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Cases;

/// <summary>The ledger (台帳): filters, text search, cursor paging, columns, bulk actions, unread marker, access and audit.</summary>
public sealed partial class LedgerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Url(Guid procedureId, string query = "") => $"/staff/ledger/{procedureId}" + (query.Length > 0 ? "?" + query : "");

    [Fact]
    [Trait("storage", "true")]
    public async Task Each_filter_narrows_the_ledger_to_the_cases_it_names()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 10, 0, 0, TimeSpan.FromHours(9)));
        var setup = await LedgerKit.PublishAsync(app);
        var login = await app.CreateUserAsync(Roles.Staff, setup.Department.Id);
        var me = await LedgerKit.UserIdAsync(app, login.Email);

        var april1 = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("青木"));
        app.Clock.Set(new DateTimeOffset(2026, 4, 10, 23, 30, 0, TimeSpan.FromHours(9)));
        var april10 = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("井上"));
        app.Clock.Set(new DateTimeOffset(2026, 5, 7, 9, 0, 0, TimeSpan.FromHours(9)));
        var counter = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("上田"));
        var assigned = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("江藤"));
        var reviewing = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("太田"));
        await LedgerKit.UpdateAsync(app, counter.Id, u => u.SetProperty(c => c.Channel, CaseChannel.Counter));
        await LedgerKit.UpdateAsync(app, assigned.Id, u => u.SetProperty(c => c.AssigneeId, me));
        await LedgerKit.UpdateAsync(app, reviewing.Id, u => u.SetProperty(c => c.Status, CaseWorkflow.Reviewing));
        // Opened: every case but april10 is read; april1 and april10 are past their due dates by 5/7 (5 business days).
        foreach (var c in new[] { april1, counter, assigned, reviewing }) await LedgerKit.UpdateAsync(app, c.Id, u => u.SetProperty(x => x.OpenedAt, app.Clock.GetUtcNow()));
        await LedgerKit.UpdateAsync(app, april1.Id, u => u.SetProperty(c => c.ClosedAt, app.Clock.GetUtcNow()).SetProperty(c => c.Status, CaseWorkflow.Completed));

        // Signed in now: the session counts from the (fake) clock's present.
        var client = app.CreatePlainClient();
        await MadoguchiFactory.EnrolAsync(client, login.Email, login.Password);
        async Task<IReadOnlyList<Guid>> RowsAsync(string query) => LedgerKit.Rows(await client.GetStringAsync(Url(setup.ProcedureId, query), Ct));

        // Newest first by default (the three of 5/7 share a time; the id orders them).
        var all = await RowsAsync("");
        Assert.Equal(5, all.Count);
        Assert.Equal([april10.Id, april1.Id], all.Skip(3));
        Assert.Equal([april1.Id, april10.Id], (await RowsAsync("Filter.Sort=old")).Take(2));
        Assert.Equal(all.Take(3).Order(), new[] { reviewing.Id, assigned.Id, counter.Id }.Order());
        Assert.Equal([reviewing.Id], await RowsAsync("Filter.Status=reviewing"));
        Assert.Equal([counter.Id], await RowsAsync("Filter.Channel=counter"));
        Assert.Equal([assigned.Id], await RowsAsync("Filter.Assignee=me"));
        Assert.Equal([assigned.Id], await RowsAsync($"Filter.Assignee={me}"));
        Assert.Equal(4, (await RowsAsync("Filter.Assignee=none")).Count);
        // Japan dates, written as staff write them: 令和8年4月10日 23:30 JST is 4/10 (14:30 UTC).
        Assert.Equal([april10.Id], await RowsAsync("Filter.From=" + Uri.EscapeDataString("令和8年4月2日") + "&Filter.To=" + Uri.EscapeDataString("２０２６/４/１０")));
        Assert.Equal([april10.Id, april1.Id], await RowsAsync("Filter.To=R8.4.30"));
        Assert.Equal([april10.Id], await RowsAsync("Filter.Overdue=true"));
        Assert.Equal([april10.Id], await RowsAsync("Filter.Unread=true"));

        var bad = await client.GetStringAsync(Url(setup.ProcedureId, "Filter.From=2026-02-30"), Ct);
        Assert.Contains("その月は28日までです", bad);
        Assert.Empty(LedgerKit.Rows(bad));
    }

    [Fact]
    public async Task Dates_at_the_ends_of_the_calendar_get_a_field_error_instead_of_a_server_error()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var (client, _) = await app.SignInNewUserAsync(Roles.Staff, setup.Department.Id);
        await LedgerKit.SubmitAsync(app, LedgerKit.Answers("青木"));

        foreach (var query in new[] { "Filter.From=0001-01-01", "Filter.To=9999-12-31", "Filter.From=0001-01-01&Filter.To=9999-12-31" })
        {
            using var response = await client.GetAsync(Url(setup.ProcedureId, query), Ct);
            var html = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode}");
            // In the error summary, linked to the field, and no rows for a filter that could not be read.
            Assert.Matches("dads-error-summary[\\s\\S]*扱える範囲の外です", html);
            Assert.Empty(LedgerKit.Rows(html));
        }
        // The widest dates that are allowed still filter.
        Assert.Single(LedgerKit.Rows(await client.GetStringAsync(Url(setup.ProcedureId, "Filter.From=1873-01-01&Filter.To=9999-12-30"), Ct)));
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task The_text_filter_finds_full_and_half_width_forms_and_never_searches_sensitive_answers()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        var abc = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("山田", note: "ＡＢＣ商店ｶﾌﾞｼｷｶﾞｲｼｬ", secret: "ZX-98765"));
        var other = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("佐藤", note: "100%_off", child: "佐藤 次郎"));

        async Task<IReadOnlyList<Guid>> FindAsync(string q) => LedgerKit.Rows(await client.GetStringAsync(Url(setup.ProcedureId, "Filter.Q=" + Uri.EscapeDataString(q)), Ct));

        Assert.Equal([abc.Id], await FindAsync("abc商店"));       // stored NFKC (ABC), typed half-width
        Assert.Equal([abc.Id], await FindAsync("ＡＢＣ"));
        Assert.Equal([abc.Id], await FindAsync("カブシキガイシャ")); // stored from half-width kana
        Assert.Equal([abc.Id], await FindAsync("山田　ABC"));     // words (全角スペース) all must match
        Assert.Equal([other.Id], await FindAsync("次郎"));        // answers inside a group
        Assert.Equal([other.Id], await FindAsync(other.ReceiptNumber));
        Assert.Empty(await FindAsync("ZX-98765"));               // the sensitive answer is not searched
        Assert.Equal([other.Id], await FindAsync("%_"));         // wildcards typed are the characters themselves
        Assert.Empty(await FindAsync("0%o"));
    }

    private static readonly string[] Families = ["阿部", "伊藤", "上野", "遠藤", "小野", "加藤", "木村", "工藤", "小林", "佐藤", "清水"];

    [Theory]
    [InlineData(LedgerSort.Newest)]
    [InlineData(LedgerSort.Oldest)]
    [InlineData(LedgerSort.Due)]
    [Trait("storage", "true")]
    public async Task Paging_returns_every_case_exactly_once_forward_and_back_while_new_cases_arrive(LedgerSort sort)
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var made = new List<Case>();
        for (var i = 0; i < 11; i++)
        {
            // Pairs of cases share a received time, so the id must break ties.
            if (i % 2 == 0) app.Clock.Advance(TimeSpan.FromHours(30));
            made.Add(await LedgerKit.SubmitAsync(app, LedgerKit.Answers(Families[i])));
        }
        // Some cases without a due date (the procedure had no 標準処理期間 then): the due sort puts them last.
        foreach (var c in made.Where((_, i) => i % 4 == 1)) await LedgerKit.UpdateAsync(app, c.Id, u => u.SetProperty(x => x.DueOn, (DateOnly?)null));
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin)], "test"));

        async Task<LedgerPage> PageAsync(string? after, string? before)
        {
            await using var scope = app.Scope();
            var cases = scope.ServiceProvider.GetRequiredService<CaseService>();
            var q = (await cases.VisibleAsync(admin, Ct)).Where(c => c.ProcedureId == setup.ProcedureId);
            return await LedgerQuery.PageAsync(q, scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Submissions, sort, after, before, 3, Ct);
        }

        var seen = new List<Guid>();
        var pages = new List<LedgerPage>();
        string? cursor = null;
        do
        {
            var page = await PageAsync(cursor, null);
            Assert.InRange(page.Rows.Count, 1, 3);
            pages.Add(page);
            seen.AddRange(page.Rows.Select(r => r.Id));
            cursor = page.Next;
            // A new application arrives between page loads.
            await LedgerKit.SubmitAsync(app, LedgerKit.Answers("途中の申請"));
        }
        while (cursor is not null);

        Assert.Equal(made.Select(c => c.Id).Order(), seen.Where(made.Select(c => c.Id).Contains).Order());
        Assert.Equal(seen.Count, seen.Distinct().Count());
        // The order is the sort's, across page boundaries.
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var stored = await db.Cases.AsNoTracking().Where(c => seen.Contains(c.Id)).ToDictionaryAsync(c => c.Id, Ct);
            var keys = seen.Select(id => stored[id]).ToList();
            for (var i = 1; i < keys.Count; i++)
            {
                var (a, b) = (keys[i - 1], keys[i]);
                switch (sort)
                {
                    case LedgerSort.Newest: Assert.True(a.ReceivedAt >= b.ReceivedAt); break;
                    case LedgerSort.Oldest: Assert.True(a.ReceivedAt <= b.ReceivedAt); break;
                    default: Assert.True(b.DueOn is null || (a.DueOn is { } ad && ad <= b.DueOn), $"{a.DueOn} before {b.DueOn}"); break;
                }
            }
        }
        // 前へ from the last page walks back to the first; where no new case can come between, through the same pages.
        var back = pages[^1];
        var walked = new List<Guid>();
        for (var step = 1; back.Previous is not null && step < 20; step++)
        {
            back = await PageAsync(null, back.Previous);
            walked.AddRange(back.Rows.Select(r => r.Id));
            var i = pages.Count - 1 - step;
            if (sort == LedgerSort.Oldest || (sort == LedgerSort.Newest && i > 0)) Assert.Equal(pages[i].Rows.Select(r => r.Id), back.Rows.Select(r => r.Id));
        }
        Assert.Null(back.Previous);
        Assert.Subset(walked.ToHashSet(), pages.SkipLast(1).SelectMany(p => p.Rows).Select(r => r.Id).ToHashSet());
    }

    [Fact]
    public async Task Renamed_and_reordered_columns_show_in_the_ledger_and_sensitive_fields_are_refused()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        await LedgerKit.SubmitAsync(app, LedgerKit.Answers("山田", note: "窓口で受付", secret: "SECRET-1", kind: "renew", child: "山田 一郎"));
        var columnsUrl = $"/staff/ledger/{setup.ProcedureId}/columns";

        // The default: 受付番号, the first answers (氏名 without its kana), then the built-ins.
        var ledger = await client.GetStringAsync(Url(setup.ProcedureId), Ct);
        Assert.Equal(["選択", "受付番号", "氏名", "住所", "備考", "種別", "受付日時", "経路", "状態", "担当", "期限"], Headers(ledger));
        Assert.Contains("<td>山田 花子</td>", ledger);
        Assert.Contains("<td>更新</td>", ledger);
        Assert.DoesNotContain("SECRET-1", ledger);

        var columnsPage = await client.GetStringAsync(columnsUrl, Ct);
        Assert.DoesNotContain("answer:secret", columnsPage); // never offered
        var response = await MadoguchiFactory.PostFormAsync(client, columnsUrl, new()
        {
            ["Columns[0].Source"] = "receipt",
            ["Columns[0].Label"] = "番号",
            ["Columns[1].Source"] = "answer:applicantName:kana",
            ["Columns[1].Label"] = "ﾌﾘｶﾞﾅ",
            ["Columns[2].Source"] = "answer:children.childName",
            ["Columns[2].Label"] = "子の氏名",
            ["Columns[3].Source"] = "status",
            ["Columns[3].Label"] = "処理状況",
            ["Command"] = "up-3",
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        ledger = await client.GetStringAsync(Url(setup.ProcedureId), Ct);
        Assert.Equal(["選択", "番号", "ﾌﾘｶﾞﾅ", "処理状況", "子の氏名"], Headers(ledger));
        Assert.Contains("<td>ヤマダ ハナコ</td>", ledger);
        Assert.Contains("<td>山田 一郎</td>", ledger);

        // Adding the sensitive field (posted by hand: the page never offers it) is refused with the reason; nothing changes.
        response = await MadoguchiFactory.PostFormAsync(client, columnsUrl, new()
        {
            ["Columns[0].Source"] = "receipt",
            ["Columns[0].Label"] = "番号",
            ["AddSource"] = "answer:secret",
            ["Command"] = "add",
        });
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("「秘密の番号」は機微情報", body);
        Assert.Equal(["選択", "番号", "ﾌﾘｶﾞﾅ", "処理状況", "子の氏名"], Headers(await client.GetStringAsync(Url(setup.ProcedureId), Ct)));
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.DoesNotContain("secret", (await db.LedgerSettings.SingleAsync(Ct)).ColumnsJson);
        Assert.Equal(1, await db.AuditEntries.CountAsync(a => a.Action == LedgerColumnsModel.AuditAction, Ct));
    }

    [Fact]
    public async Task A_field_made_sensitive_in_a_new_form_version_leaves_the_ledger_as_soon_as_the_version_is_published()
    {
        // The ledger page keeps a procedure's layout in memory for a while; publishing must not wait for that.
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        await LedgerKit.SubmitAsync(app, LedgerKit.Answers("山田", note: "窓口で受付"));
        var ledger = await client.GetStringAsync(Url(setup.ProcedureId), Ct);
        Assert.Contains("備考", Headers(ledger));
        Assert.Contains("<td>窓口で受付</td>", ledger);

        await using (var scope = app.Scope())
        {
            var forms = scope.ServiceProvider.GetRequiredService<FormService>();
            var sensitiveNote = LedgerKit.FormJson.Replace("\"key\": \"note\",", "\"key\": \"note\", \"sensitive\": true,", StringComparison.Ordinal);
            await forms.ImportAsync(sensitiveNote, "KT-L0001", "test", Ct);
            await forms.PublishAsync(LedgerKit.Slug, "test", Ct);
        }
        ledger = await client.GetStringAsync(Url(setup.ProcedureId), Ct);
        Assert.DoesNotContain("備考", Headers(ledger));
        Assert.DoesNotContain("窓口で受付", ledger);
    }

    private static IReadOnlyList<string> Headers(string html) => [.. HeaderPattern().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    [GeneratedRegex("<th scope=\"col\">([^<]*)</th>")]
    private static partial Regex HeaderPattern();

    [Fact]
    public async Task Bulk_assign_and_bulk_status_change_each_selected_case_and_report_the_refused_ones()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var (client, login) = await app.SignInNewUserAsync(Roles.Staff, setup.Department.Id);
        var colleague = await app.CreateUserAsync(Roles.Staff, setup.Department.Id);
        var colleagueId = await LedgerKit.UserIdAsync(app, colleague.Email);
        var a = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("一"));
        var b = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("二"));
        var done = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("三"));
        await LedgerKit.UpdateAsync(app, done.Id, u => u.SetProperty(c => c.Status, CaseWorkflow.Completed));
        var url = Url(setup.ProcedureId, "Filter.Sort=old");

        async Task<HttpResponseMessage> BulkAsync(string action, string field, string value, params Case[] cases)
        {
            var page = await client.GetStringAsync(url, Ct);
            var token = WebUtility.HtmlDecode(MadoguchiFactory.AntiforgeryToken().Match(page).Groups[1].Value);
            var fields = new List<KeyValuePair<string, string>> { new("__RequestVerificationToken", token), new("Input.Action", action), new(field, value), new("Input.Return", "Filter.Sort=old") };
            fields.AddRange(cases.Select(c => new KeyValuePair<string, string>("Input.Ids", c.Id.ToString())));
            fields.AddRange(Revisions(page));
            return await client.PostAsync($"/staff/ledger/{setup.ProcedureId}?handler=bulk", new FormUrlEncodedContent(fields), Ct);
        }

        var assigned = await BulkAsync("assign", "Input.AssignTo", colleagueId, a, b);
        Assert.Equal(HttpStatusCode.Redirect, assigned.StatusCode);
        Assert.Equal(url, assigned.Headers.Location?.OriginalString);
        Assert.Contains("2件の担当を割り当てました。", await client.GetStringAsync(url, Ct));

        var moved = await BulkAsync("status", "Input.Status", CaseWorkflow.Reviewing, a, b, done);
        Assert.Equal(HttpStatusCode.Redirect, moved.StatusCode);
        var page = await client.GetStringAsync(url, Ct);
        Assert.Contains("2件の状態を「審査中」にしました。1件は変更できませんでした。", page);
        Assert.Contains($"{done.ReceiptNumber}: 「完了」から「審査中」には移せません", page);

        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var stored = await db.Cases.AsNoTracking().ToDictionaryAsync(c => c.Id, Ct);
        Assert.Equal(colleagueId, stored[a.Id].AssigneeId);
        Assert.Equal(colleagueId, stored[b.Id].AssigneeId);
        Assert.Equal(CaseWorkflow.Reviewing, stored[a.Id].Status);
        Assert.Equal(CaseWorkflow.Completed, stored[done.Id].Status);
        Assert.Equal(2, await db.CaseEvents.CountAsync(e => e.Kind == CaseEventKinds.Status, Ct));

        // Without the antiforgery token nothing happens.
        var forged = await client.PostAsync($"/staff/ledger/{setup.ProcedureId}?handler=bulk",
            new FormUrlEncodedContent([new("Input.Action", "status"), new("Input.Status", CaseWorkflow.Rejected), new("Input.Ids", a.Id.ToString())]), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        _ = login;
    }

    /// <summary>The rows' revisions as the page's hidden inputs post them.</summary>
    private static IEnumerable<KeyValuePair<string, string>> Revisions(string page)
        => RevisionPattern().Matches(page).Select(m => new KeyValuePair<string, string>(m.Groups[1].Value, m.Groups[2].Value));

    [GeneratedRegex("<input type=\"hidden\" name=\"(Input\\.Revisions\\[[0-9a-f-]{36}\\])\" value=\"(\\d+)\">")]
    private static partial Regex RevisionPattern();

    [Theory]
    [InlineData("assign")]
    [InlineData("status")]
    public async Task A_bulk_action_leaves_alone_the_cases_a_colleague_changed_after_the_ledger_was_opened_and_names_them(string action)
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var (client, login) = await app.SignInNewUserAsync(Roles.Staff, setup.Department.Id);
        var me = await LedgerKit.UserIdAsync(app, login.Email);
        var colleague = await app.CreateUserAsync(Roles.Staff, setup.Department.Id);
        var colleagueId = await LedgerKit.UserIdAsync(app, colleague.Email);
        var taken = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("一"));
        var free = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("二"));
        var url = Url(setup.ProcedureId);

        // Staff A opens the ledger while both are 未割当 and 受付 ...
        var page = await client.GetStringAsync(url, Ct);
        var token = WebUtility.HtmlDecode(MadoguchiFactory.AntiforgeryToken().Match(page).Groups[1].Value);
        // ... and meanwhile staff B takes one on its case page (assigns it and starts the review).
        await using (var scope = app.Scope())
        {
            var cases = scope.ServiceProvider.GetRequiredService<CaseService>();
            var b = new CaseActor(colleagueId, "職員B");
            var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin)], "test"));
            Assert.IsType<CaseChange.Done>(await cases.AssignAsync((await cases.FindAsync(admin, taken.Id, Ct))!, colleagueId, b, Ct));
            Assert.IsType<CaseChange.Done>(await cases.ChangeStatusAsync((await cases.FindAsync(admin, taken.Id, Ct))!, CaseWorkflow.Reviewing, b, null, Ct));
        }

        var fields = new List<KeyValuePair<string, string>> { new("__RequestVerificationToken", token), new("Input.Action", action) };
        fields.Add(action == "assign" ? new("Input.AssignTo", "me") : new("Input.Status", CaseWorkflow.Rejected));
        fields.AddRange(new[] { taken, free }.Select(c => new KeyValuePair<string, string>("Input.Ids", c.Id.ToString())));
        fields.AddRange(Revisions(page));
        var posted = await client.PostAsync($"/staff/ledger/{setup.ProcedureId}?handler=bulk", new FormUrlEncodedContent(fields), Ct);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);

        var result = WebUtility.HtmlDecode(await client.GetStringAsync(url, Ct));
        Assert.Contains(action == "assign" ? "1件の担当を割り当てました。" : "1件の状態を「却下」にしました。", result);
        Assert.Contains($"1件は一覧を開いたあとにほかの職員が変更したため、変更していません（{taken.ReceiptNumber}）", result);
        Assert.Contains($"{taken.ReceiptNumber}: ほかの職員が変更したため、変更していません。", result);
        await using var check = app.Scope();
        var db = check.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var stored = await db.Cases.AsNoTracking().ToDictionaryAsync(c => c.Id, Ct);
        // B's work stands; the other case got A's action.
        Assert.Equal(colleagueId, stored[taken.Id].AssigneeId);
        Assert.Equal(CaseWorkflow.Reviewing, stored[taken.Id].Status);
        if (action == "assign") Assert.Equal(me, stored[free.Id].AssigneeId);
        else Assert.Equal(CaseWorkflow.Rejected, stored[free.Id].Status);
    }

    [Fact]
    public async Task The_unread_marker_goes_once_the_case_is_opened()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        var c = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("未読"));
        var page = await client.GetStringAsync(Url(setup.ProcedureId), Ct);
        Assert.Contains($">{c.ReceiptNumber}</a> <strong class=\"dads-tag\" data-testid=\"unread\">未読</strong>", page);
        Assert.Contains($"href=\"/staff/cases/{c.Id}\"", page);

        await using (var scope = app.Scope())
        {
            var cases = scope.ServiceProvider.GetRequiredService<CaseService>();
            var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin)], "test"));
            await cases.MarkOpenedAsync((await cases.FindAsync(admin, c.Id, Ct))!, Ct);
        }
        page = await client.GetStringAsync(Url(setup.ProcedureId), Ct);
        Assert.Contains(c.ReceiptNumber, page);
        Assert.DoesNotContain("未読</strong>", page);
    }

    [Fact]
    public async Task Answers_that_hold_markup_show_as_text_in_the_ledger()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        const string note = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>&amp;";
        var c = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("安全", note: note));

        var page = await client.GetStringAsync(Url(setup.ProcedureId), Ct);

        Assert.Equal([c.Id], LedgerKit.Rows(page));
        Assert.DoesNotContain("<script>alert", page);
        Assert.DoesNotContain("<img src=x", page);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&amp;amp;", page);
        // The row's own markup around the answers is intact: selection, link and unread marker.
        Assert.Contains($"<label for=\"sel-{c.Id}\" class=\"visually-hidden\">受付番号 {c.ReceiptNumber} を選択</label>", page);
        Assert.Contains($"<a href=\"/staff/cases/{c.Id}\">{c.ReceiptNumber}</a> <strong class=\"dads-tag\" data-testid=\"unread\">未読</strong>", page);
    }

    [Fact]
    public async Task The_ledger_list_counts_open_unread_and_overdue_cases_of_ones_own_department_only()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 10, 0, 0, TimeSpan.FromHours(9)));
        var setup = await LedgerKit.PublishAsync(app);
        var c1 = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("一"));
        await LedgerKit.SubmitAsync(app, LedgerKit.Answers("二"));
        await LedgerKit.UpdateAsync(app, c1.Id, u => u.SetProperty(c => c.OpenedAt, app.Clock.GetUtcNow()));
        app.Clock.Set(new DateTimeOffset(2026, 4, 20, 10, 0, 0, TimeSpan.FromHours(9)));
        var fresh = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("三"));
        await LedgerKit.UpdateAsync(app, fresh.Id, u => u.SetProperty(c => c.ClosedAt, app.Clock.GetUtcNow()));

        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        var page = await client.GetStringAsync("/staff/ledger", Ct);
        var counts = Regex.Match(page, @"台帳テスト手続</a></th>\s*<td>区民課</td>\s*<td data-numeric>(\d+)</td>\s*<td data-numeric>(\d+)</td>\s*<td data-numeric>(.*?)</td>");
        Assert.True(counts.Success, page);
        // Open: c1 and the second; unread: the second and the closed one; overdue (due 4/8): c1 and the second.
        Assert.Equal(("2", "2", "<strong class=\"ledger-overdue\">2</strong>"), (counts.Groups[1].Value, counts.Groups[2].Value, counts.Groups[3].Value.Trim()));

        var theirs = Builders.Department("福祉部", "介護保険課");
        await app.SaveAsync(theirs);
        var other = await app.SignedInClientAsync(Roles.Staff, theirs.Id);
        Assert.DoesNotContain("台帳テスト手続", await other.GetStringAsync("/staff/ledger", Ct));
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task Only_the_procedures_department_sees_its_ledger_and_each_view_is_audited_and_not_cached()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        await LedgerKit.SubmitAsync(app, LedgerKit.Answers("山田"));
        var theirs = Builders.Department("福祉部", "介護保険課");
        await app.SaveAsync(theirs);
        var ledger = Url(setup.ProcedureId);
        var columns = $"/staff/ledger/{setup.ProcedureId}/columns";

        var other = await app.SignedInClientAsync(Roles.Staff, theirs.Id);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(ledger, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(columns, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/staff/ledger/{Guid.NewGuid()}", Ct)).StatusCode);
        foreach (var role in new[] { Roles.Dx, Roles.Auditor })
        {
            var denied = await app.SignedInClientAsync(role);
            foreach (var url in new[] { "/staff/ledger", ledger, columns })
            {
                var r = await denied.GetAsync(url, Ct);
                Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
                Assert.StartsWith("/staff/denied", r.Headers.Location?.AbsolutePath ?? r.Headers.Location?.OriginalString);
                Assert.Equal(HttpStatusCode.Forbidden, (await denied.GetAsync(r.Headers.Location, Ct)).StatusCode);
            }
        }
        using var anonymous = app.CreatePlainClient();
        foreach (var url in new[] { "/staff/ledger", ledger, columns })
        {
            var r = await anonymous.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
            Assert.StartsWith("/staff/signin", r.Headers.Location?.AbsolutePath);
        }

        var (owner, ownerLogin) = await app.SignInNewUserAsync(Roles.Staff, setup.Department.Id);
        for (var i = 0; i < 2; i++)
        {
            var r = await owner.GetAsync(Url(setup.ProcedureId, "Filter.Q=" + Uri.EscapeDataString("山田")), Ct);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.True(r.Headers.CacheControl?.NoStore, r.Headers.CacheControl?.ToString());
        }
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var views = await db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.PersonalDataViewed && a.TargetType == "ledger").ToListAsync(Ct);
        Assert.Equal(2, views.Count);
        var ownerId = await LedgerKit.UserIdAsync(app, ownerLogin.Email);
        Assert.All(views, v =>
        {
            Assert.Equal(ownerId, v.Actor);
            Assert.False(string.IsNullOrEmpty(v.ActorName));
            Assert.Equal(setup.ProcedureId.ToString(), v.TargetId);
            Assert.Equal(setup.Department.Id, v.DepartmentId);
            Assert.Contains("キーワード", v.Detail);
            Assert.DoesNotContain("山田", v.Detail); // what staff typed may be a name: not in the trail
        });
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task The_ledger_is_not_shown_when_its_view_cannot_be_recorded()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var applied = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("山田"));
        var owner = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        Assert.Contains(applied.ReceiptNumber, await owner.GetStringAsync(Url(setup.ProcedureId), Ct));

        // The entry is written on a connection of its own while the rows are read: when the audit store
        // refuses it (full disk, revoked grant …), the rows already read must still not be shown.
        await Madoguchi.Tests.Features.Audit.AuditTrailTests.RefuseAuditWritesAsync(app);
        var refused = await owner.GetAsync(Url(setup.ProcedureId), Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain(applied.ReceiptNumber, body);
        Assert.DoesNotContain("山田", body);
    }
}
