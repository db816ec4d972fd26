using System.Net;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Features.Intake;
using Madoguchi.Tests.Features.Submissions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Cases;

/// <summary>Staff key paper applications (窓口・郵送) into the ledger through the residents' own form pages and checks.</summary>
public sealed class KeyingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> Html(HttpResponseMessage r) => WebUtility.HtmlDecode(await r.Content.ReadAsStringAsync(Ct));

    private static async Task<string> UserIdAsync(MadoguchiFactory app, string email)
    {
        await using var scope = app.Scope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email))!.Id;
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task A_counter_application_keyed_by_staff_lands_in_the_ledger_as_counter_with_who_keyed_it()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        app.Clock.Set(new DateTimeOffset(2026, 6, 1, 10, 0, 0, TimeSpan.FromHours(9)));
        var department = Builders.Department("子ども未来部", "子育て支援課");
        var procedureId = await KeyingKit.PublishAsync(app, department);
        var (staff, login) = await app.SignInNewUserAsync(Roles.Staff, department.Id);

        var done = await KeyingKit.KeyKosodateAsync(staff, procedureId, "counter");

        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var page = await Html(done);
        Assert.Contains("data-testid=\"receipt\"", page);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var c = await db.Cases.AsNoTracking().SingleAsync(Ct);
        Assert.Equal(CaseChannel.Counter, c.Channel);
        Assert.Equal(procedureId, c.ProcedureId);
        Assert.Equal(new DateOnly(2026, 6, 1), c.ReceivedOn);
        Assert.Contains(c.ReceiptNumber, page);
        Assert.Contains("山田", c.SearchText);
        var created = await db.CaseEvents.AsNoTracking().SingleAsync(e => e.CaseId == c.Id, Ct);
        Assert.Equal(await UserIdAsync(app, login.Email), created.ActorId);
        Assert.Contains("窓口の申請を職員が入力", created.Text);
        var submission = await db.Submissions.AsNoTracking().SingleAsync(Ct);
        Assert.Equal("staff", submission.Channel);
        // The keyed draft is gone with its submission, and nothing entered the residents' funnel.
        Assert.Equal(0, await db.Drafts.CountAsync(Ct));
        Assert.Equal(0, await db.FunnelEvents.CountAsync(Ct));
    }

    [Fact]
    public async Task A_mailed_application_counts_from_its_postmark_date_while_the_submission_keeps_the_time_it_was_keyed()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var keyedAt = new DateTimeOffset(2026, 6, 8, 14, 30, 0, TimeSpan.FromHours(9));
        app.Clock.Set(keyedAt);
        var department = Builders.Department("子ども未来部", "子育て支援課");
        var procedureId = await KeyingKit.PublishAsync(app, department);
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Procedures.ExecuteUpdateAsync(u => u.SetProperty(p => p.StandardProcessingDays, 5), Ct);
        }
        var staff = await app.SignedInClientAsync(Roles.Staff, department.Id);

        // A date in the future is refused with the reason, and no draft is started.
        var future = await MadoguchiFactory.PostFormAsync(staff, $"/staff/ledger/{procedureId}/new",
            new() { ["Input.Form"] = SubmissionKit.Slug, ["Input.Channel"] = "mail", ["Input.ReceivedOn"] = "2026-06-09" });
        Assert.Equal(HttpStatusCode.OK, future.StatusCode);
        Assert.Contains("未来の日付です", await Html(future));

        var done = await KeyingKit.KeyKosodateAsync(staff, procedureId, "mail", "令和8年6月1日");
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);

        await using var check = app.Scope();
        var db = check.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var c = await db.Cases.AsNoTracking().SingleAsync(Ct);
        Assert.Equal(CaseChannel.Mail, c.Channel);
        Assert.Equal(new DateOnly(2026, 6, 1), c.ReceivedOn);
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.FromHours(9)), c.ReceivedAt);
        // 5 business days from Monday 6/1 (初日不算入): 6/2 … 6/8.
        Assert.Equal(new DateOnly(2026, 6, 8), c.DueOn);
        Assert.Equal(keyedAt, (await db.Submissions.AsNoTracking().SingleAsync(Ct)).SubmittedAt);
        Assert.Contains("郵送の申請を職員が入力（受付日 2026-06-01）", (await db.CaseEvents.AsNoTracking().SingleAsync(Ct)).Text);
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task A_mailed_application_takes_its_place_in_time_among_the_online_applications_of_that_morning()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var department = Builders.Department("子ども未来部", "子育て支援課");
        var procedureId = await KeyingKit.PublishAsync(app, department);
        // Two online applications in the small hours of 6/1 (Japan time), before 09:00, when the UTC date is still 5/31.
        var online = new List<Guid>();
        foreach (var at in new[] { new DateTimeOffset(2026, 6, 1, 0, 30, 0, TimeSpan.FromHours(9)), new DateTimeOffset(2026, 6, 1, 1, 30, 0, TimeSpan.FromHours(9)) })
        {
            app.Clock.Set(at);
            using var resident = app.CreatePlainClient();
            using var sent = await SubmissionKit.PostAsync(resident, SubmissionKit.GoodAnswers());
            Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        }
        // A letter postmarked 5/31 and one of 6/1, both keyed on 6/2: received at 00:00 of their days.
        app.Clock.Set(new DateTimeOffset(2026, 6, 2, 10, 0, 0, TimeSpan.FromHours(9)));
        var staff = await app.SignedInClientAsync(Roles.Staff, department.Id);
        Assert.Equal(HttpStatusCode.OK, (await KeyingKit.KeyKosodateAsync(staff, procedureId, "mail", "2026-06-01")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await KeyingKit.KeyKosodateAsync(staff, procedureId, "mail", "2026-05-31")).StatusCode);

        await using var scope = app.Scope();
        var cases = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.AsNoTracking().ToListAsync(Ct);
        var byTime = cases.OrderBy(c => c.ReceivedAt).Select(c => c.Id).ToList();
        Assert.Equal([new DateOnly(2026, 5, 31), new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 1)],
            byTime.Select(id => cases.Single(c => c.Id == id).ReceivedOn));
        // The ledger lists them as they arrived: the 6/1 letter (00:00) before the 00:30 and 01:30 applications.
        var oldest = LedgerKit.Rows(await staff.GetStringAsync($"/staff/ledger/{procedureId}?Filter.Sort=old", Ct));
        Assert.Equal(byTime, oldest);
        var newest = LedgerKit.Rows(await staff.GetStringAsync($"/staff/ledger/{procedureId}", Ct));
        Assert.Equal(byTime.AsEnumerable().Reverse(), newest);
        var sixFirst = LedgerKit.Rows(await staff.GetStringAsync($"/staff/ledger/{procedureId}?Filter.Sort=old&Filter.From=2026-06-01&Filter.To=2026-06-01", Ct));
        Assert.Equal(byTime.Skip(1), sixFirst);
    }

    [Fact]
    public async Task A_receipt_date_more_than_a_year_back_is_refused_on_the_start_page_and_never_fails_the_last_step()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        app.Clock.Set(new DateTimeOffset(2026, 6, 8, 14, 30, 0, TimeSpan.FromHours(9)));
        var department = Builders.Department("子ども未来部", "子育て支援課");
        var procedureId = await KeyingKit.PublishAsync(app, department);
        var staff = await app.SignedInClientAsync(Roles.Staff, department.Id);

        foreach (var typed in new[] { "0001-01-01", "1900-01-01", "2025-06-07" })
        {
            var refused = await MadoguchiFactory.PostFormAsync(staff, $"/staff/ledger/{procedureId}/new",
                new() { ["Input.Form"] = SubmissionKit.Slug, ["Input.Channel"] = "mail", ["Input.ReceivedOn"] = typed });
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            Assert.Contains("1年以上前の日付です。2025-06-08 以降", await Html(refused));
        }
        await using (var scope = app.Scope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Drafts.CountAsync(Ct));
        }
        // A year back to the day is still a postmark staff may key.
        Assert.Equal(HttpStatusCode.OK, (await KeyingKit.KeyKosodateAsync(staff, procedureId, "mail", "2025-06-08")).StatusCode);

        // A draft saved with such a date before the start page checked it: the last step says so, keeps the draft, stores no case.
        var first = await KeyingKit.StartAsync(staff, procedureId, SubmissionKit.Slug, "mail", "2026-06-01");
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Drafts.ExecuteUpdateAsync(u => u.SetProperty(d => d.KeyedReceivedOn, new DateOnly(1, 1, 1)), Ct);
        }
        var toFamily = await KeyingKit.PostPageAsync(staff, first, KeyingKit.Applicant());
        var toCheck = await KeyingKit.PostPageAsync(staff, toFamily.Headers.Location!.OriginalString, KeyingKit.Family());
        var last = await KeyingKit.PostPageAsync(staff, toCheck.Headers.Location!.OriginalString, []);
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        Assert.Contains("受付日 0001-01-01 は1年以上前の日付のため、申請として登録できません", await Html(last));
        await using var check = app.Scope();
        var db = check.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal(1, await db.Cases.CountAsync(Ct));
        Assert.Equal(1, await db.Drafts.CountAsync(Ct));
    }

    [Fact]
    public async Task A_draft_started_with_a_receipt_date_a_year_back_is_still_accepted_when_submitted_days_later()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        app.Clock.Set(new DateTimeOffset(2026, 6, 8, 14, 30, 0, TimeSpan.FromHours(9)));
        var department = Builders.Department("子ども未来部", "子育て支援課");
        var procedureId = await KeyingKit.PublishAsync(app, department);
        var (staff, login) = await app.SignInNewUserAsync(Roles.Staff, department.Id);
        var first = await KeyingKit.StartAsync(staff, procedureId, SubmissionKit.Slug, "mail", "2025-06-08");
        var toFamily = await KeyingKit.PostPageAsync(staff, first, KeyingKit.Applicant());
        var toCheck = await KeyingKit.PostPageAsync(staff, toFamily.Headers.Location!.OriginalString, KeyingKit.Family());

        // Finished a week later, when 2025-06-08 is more than a year back: the limit counts from the day keying
        // started, so a date the start page took is not refused at the last step.
        app.Clock.Advance(TimeSpan.FromDays(7));
        await MadoguchiFactory.SignInAsync(staff, login);
        var done = await KeyingKit.PostPageAsync(staff, toCheck.Headers.Location!.OriginalString, []);

        Assert.Contains("data-testid=\"receipt\"", await Html(done));
        await using var scope = app.Scope();
        Assert.Equal(new DateOnly(2025, 6, 8), (await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.AsNoTracking().SingleAsync(Ct)).ReceivedOn);
    }

    [Fact]
    public async Task A_receipt_date_refused_at_the_last_step_is_changed_on_its_own_page_with_the_start_pages_rules_and_the_answers_then_go_through()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        app.Clock.Set(new DateTimeOffset(2026, 6, 8, 14, 30, 0, TimeSpan.FromHours(9)));
        var department = Builders.Department("子ども未来部", "子育て支援課");
        var procedureId = await KeyingKit.PublishAsync(app, department);
        var (staff, login) = await app.SignInNewUserAsync(Roles.Staff, department.Id);
        var first = await KeyingKit.StartAsync(staff, procedureId, SubmissionKit.Slug, "mail", "2026-06-01");
        var toFamily = await KeyingKit.PostPageAsync(staff, first, KeyingKit.Applicant());
        var check = (await KeyingKit.PostPageAsync(staff, toFamily.Headers.Location!.OriginalString, KeyingKit.Family())).Headers.Location!.OriginalString;
        var draftBase = check[..check.LastIndexOf('/')];
        // A draft keyed with a 受付日 the start page did not check yet (an earlier release): only the last step refuses it.
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Drafts.ExecuteUpdateAsync(u => u.SetProperty(d => d.KeyedReceivedOn, new DateOnly(2025, 1, 10)), Ct);
        }

        // The error names the date and leads to the field that changes it; so does the banner.
        var refused = await Html(await KeyingKit.PostPageAsync(staff, check, []));
        Assert.Matches($"<a href=\"{draftBase}#Input_ReceivedOn\">＊受付日 2025-01-10 は1年以上前の日付のため、申請として登録できません。受付日を直してください", refused);
        Assert.Matches($"<a href=\"{draftBase}\" data-testid=\"change-received\">受付日・受付の方法を変更する</a>", await Html(await staff.GetAsync(check, Ct)));

        // The change page shows the draft's channel and date, and refuses what the start page refuses, with the same words.
        var page = await Html(await staff.GetAsync(draftBase, Ct));
        Assert.Contains("value=\"2025-01-10\"", page);
        Assert.Matches("value=\"mail\" id=\"Input_Channel-mail\" checked", page);
        foreach (var (typed, why) in new[] { ("2025-01-10", "受付日 2025-01-10 は1年以上前の日付です。2025-06-08 以降の消印または到着の日を入力してください"), ("2026-06-09", "受付日 2026-06-09 は未来の日付です。"), ("6月", "受付日「6月」を日付として読めません。") })
        {
            var again = await Html(await MadoguchiFactory.PostFormAsync(staff, draftBase, new() { ["Input.Channel"] = "mail", ["Input.ReceivedOn"] = typed }));
            Assert.Contains($"<a href=\"#Input_ReceivedOn\">＊{why}", again);
            Assert.Contains("aria-invalid=\"true\"", again);
        }

        var changed = await MadoguchiFactory.PostFormAsync(staff, draftBase, new() { ["Input.Channel"] = "mail", ["Input.ReceivedOn"] = "令和8年6月3日" });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Equal(check, changed.Headers.Location!.OriginalString);
        var checkPage = await Html(await staff.GetAsync(check, Ct));
        Assert.Contains("令和8年6月3日（2026-06-03）", checkPage);
        Assert.Contains("山田", checkPage);

        var done = await KeyingKit.PostPageAsync(staff, check, []);
        Assert.Contains("data-testid=\"receipt\"", await Html(done));
        await using var after = app.Scope();
        var db = after.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var keyed = await db.Cases.AsNoTracking().SingleAsync(Ct);
        Assert.Equal(new DateOnly(2026, 6, 3), keyed.ReceivedOn);
        Assert.Contains("山田", keyed.SearchText);
        // The change is on the trail like keying itself: who, which draft, the department, before and after.
        var entry = await db.AuditEntries.AsNoTracking().SingleAsync(a => a.Action == "case.keying-changed", Ct);
        Assert.Equal("draft", entry.TargetType);
        Assert.Equal(draftBase[(draftBase.LastIndexOf('/') + 1)..], entry.TargetId);
        Assert.Equal(await UserIdAsync(app, login.Email), entry.Actor);
        Assert.Equal(department.Id, entry.DepartmentId);
        Assert.Contains("経路 mail→mail 受付日 2025-01-10→2026-06-03", entry.Detail);
        Assert.Contains("case.keying-changed", Madoguchi.Web.Features.Audit.AuditActions.All);
    }

    [Fact]
    public async Task A_mistyped_receipt_date_outside_the_intake_period_is_changed_from_the_check_page_instead_of_keying_again()
    {
        await using var app = await MadoguchiFactory.CreateAsync(IntakeKit.Unlimited());
        app.Clock.Set(new DateTimeOffset(2026, 6, 8, 14, 30, 0, TimeSpan.FromHours(9)));
        var departmentId = await IntakeKit.PublishInDepartmentAsync(app, """{ "mode": "open", "opens": "2026-06-01T09:00" }""");
        Guid procedureId;
        await using (var scope = app.Scope())
        {
            procedureId = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Procedures.Where(p => p.Code == "KT-T0002").Select(p => p.Id).SingleAsync(Ct);
        }
        var staff = await app.SignedInClientAsync(Roles.Staff, departmentId);
        // Postmarked 6/3, typed as 5/3: the start page takes it (a month back), the period is checked only at the last step.
        var first = await KeyingKit.StartAsync(staff, procedureId, IntakeKit.Slug, "mail", "2026-05-03");
        var check = (await KeyingKit.PostPageAsync(staff, first, new()
        {
            ["applicantName.family"] = "山田",
            ["applicantName.given"] = "花子",
            ["applicantName.familyKana"] = "ヤマダ",
            ["applicantName.givenKana"] = "ハナコ",
            ["birthDate"] = "1990-04-01",
            ["address"] = "江東区東陽4丁目11番28号",
            ["action"] = "next",
        })).Headers.Location!.OriginalString;
        var draftBase = check[..check.LastIndexOf('/')];

        var refused = await Html(await KeyingKit.PostPageAsync(staff, check, []));
        Assert.Matches($"<a href=\"{draftBase}#Input_ReceivedOn\">＊受付日 2026-05-03 は受付期間の外です。この申請の受付はまだ始まっていません。", refused);

        var changed = await MadoguchiFactory.PostFormAsync(staff, draftBase, new() { ["Input.Channel"] = "mail", ["Input.ReceivedOn"] = "2026-06-03" });
        Assert.Equal(check, changed.Headers.Location!.OriginalString);
        Assert.Contains("data-testid=\"receipt\"", await Html(await KeyingKit.PostPageAsync(staff, check, [])));
        await using var after = app.Scope();
        Assert.Equal(new DateOnly(2026, 6, 3), (await after.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.AsNoTracking().SingleAsync(Ct)).ReceivedOn);
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task Keying_a_paper_application_is_audited_with_who_keyed_it_the_channel_and_the_receipt_date()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        app.Clock.Set(new DateTimeOffset(2026, 6, 8, 14, 30, 0, TimeSpan.FromHours(9)));
        var department = Builders.Department("子ども未来部", "子育て支援課");
        var procedureId = await KeyingKit.PublishAsync(app, department);
        var (staff, login) = await app.SignInNewUserAsync(Roles.Staff, department.Id);
        using (var resident = app.CreatePlainClient())
        {
            Assert.Equal(HttpStatusCode.Created, (await SubmissionKit.PostAsync(resident, SubmissionKit.GoodAnswers())).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await KeyingKit.KeyKosodateAsync(staff, procedureId, "mail", "令和8年6月1日")).StatusCode);

        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var keyedCase = await db.Cases.AsNoTracking().SingleAsync(c => c.Channel == CaseChannel.Mail, Ct);
        // One entry, for the keyed case only (an online application is not keyed).
        var entry = await db.AuditEntries.AsNoTracking().SingleAsync(a => a.Action == "case.keyed", Ct);
        Assert.Equal(keyedCase.Id.ToString(), entry.TargetId);
        Assert.Equal("case", entry.TargetType);
        Assert.Equal(await UserIdAsync(app, login.Email), entry.Actor);
        Assert.Equal(department.Id, entry.DepartmentId);
        Assert.Contains("経路 mail", entry.Detail);
        Assert.Contains("受付日 2026-06-01", entry.Detail);
        Assert.Contains(keyedCase.ReceiptNumber, entry.Detail);
        Assert.Contains("case.keyed", Madoguchi.Web.Features.Audit.AuditActions.All);
    }

    [Fact]
    public async Task A_keyed_application_goes_through_the_same_checks_and_bad_input_stores_nothing()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var department = Builders.Department("子ども未来部", "子育て支援課");
        var procedureId = await KeyingKit.PublishAsync(app, department);
        var staff = await app.SignedInClientAsync(Roles.Staff, department.Id);
        var first = await KeyingKit.StartAsync(staff, procedureId, SubmissionKit.Slug, "counter");

        // The page refuses a name without its family name, as it does for residents.
        var applicant = KeyingKit.Applicant(family: "");
        var stay = await KeyingKit.PostPageAsync(staff, first, applicant);
        Assert.Equal(HttpStatusCode.OK, stay.StatusCode);
        Assert.Contains("dads-error-summary", await Html(stay));

        // Submitting anyway: the checker refuses, and neither a submission nor a case is stored.
        var check = first[..first.LastIndexOf('/')] + "/check";
        var refused = await KeyingKit.PostPageAsync(staff, check, []);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.DoesNotContain("data-testid=\"receipt\"", await Html(refused));
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal(0, await db.Submissions.CountAsync(Ct));
        Assert.Equal(0, await db.Cases.CountAsync(Ct));
        Assert.Equal(1, await db.Drafts.CountAsync(Ct));
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task A_person_who_applied_on_paper_is_refused_online_once_the_cap_is_reached_and_another_person_is_accepted()
    {
        await using var app = await MadoguchiFactory.CreateAsync(IntakeKit.Unlimited());
        var departmentId = await IntakeKit.PublishInDepartmentAsync(app,
            """{ "mode": "open", "perPerson": { "by": "person", "max": 1, "name": "applicantName", "birthDate": "birthDate", "address": "address" } }""");
        Guid procedureId;
        await using (var scope = app.Scope())
        {
            procedureId = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Procedures.Where(p => p.Code == "KT-T0002").Select(p => p.Id).SingleAsync(Ct);
        }
        var staff = await app.SignedInClientAsync(Roles.Staff, departmentId);

        // 山田花子 applies at the counter with a paper form; staff key it.
        var first = await KeyingKit.StartAsync(staff, procedureId, IntakeKit.Slug, "counter");
        var toCheck = await KeyingKit.PostPageAsync(staff, first, new()
        {
            ["applicantName.family"] = "山田",
            ["applicantName.given"] = "花子",
            ["applicantName.familyKana"] = "ヤマダ",
            ["applicantName.givenKana"] = "ハナコ",
            ["birthDate"] = "1990-04-01",
            // Paper forms often leave out the prefecture that postcode autofill writes online.
            ["address"] = "江東区東陽4丁目11番28号",
            ["action"] = "next",
        });
        Assert.Equal(HttpStatusCode.Redirect, toCheck.StatusCode);
        var keyed = await KeyingKit.PostPageAsync(staff, toCheck.Headers.Location!.OriginalString, []);
        Assert.Contains("data-testid=\"receipt\"", await Html(keyed));

        // Then she applies online, writing her address differently: refused with the per-person message.
        using var resident = app.CreatePlainClient();
        JsonObject Person(string family, string given, string address) => new()
        {
            ["applicantName"] = new JsonObject { ["family"] = family, ["given"] = given, ["familyKana"] = "ヤマダ", ["givenKana"] = "ハナコ" },
            ["birthDate"] = "1990-04-01",
            ["address"] = address,
        };
        var (status, body) = await IntakeKit.PostAsync(resident, Person("山田", "花子", "東京都江東区東陽四丁目11-28"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("already-applied", body["code"]!.GetValue<string>());
        Assert.Contains("紙の申請書で申し込んだ場合も含みます", body["title"]!.GetValue<string>());

        var (other, _) = await IntakeKit.PostAsync(resident, Person("山田", "一郎", "東京都江東区東陽4丁目11番28号"));
        Assert.Equal(HttpStatusCode.Created, other);

        await using var check = app.Scope();
        var channels = await check.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.AsNoTracking().Select(c => c.Channel).ToListAsync(Ct);
        Assert.Equal([CaseChannel.Online, CaseChannel.Counter], channels.Order());
    }

    [Fact]
    public async Task Another_departments_staff_get_404_and_dx_auditor_and_anonymous_are_kept_out_of_keying()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var department = Builders.Department("子ども未来部", "子育て支援課");
        var theirs = Builders.Department("福祉部", "介護保険課");
        await app.SaveAsync(theirs);
        var procedureId = await KeyingKit.PublishAsync(app, department);
        var owner = await app.SignedInClientAsync(Roles.Staff, department.Id);
        var colleague = await app.SignedInClientAsync(Roles.Staff, department.Id);
        var other = await app.SignedInClientAsync(Roles.Manager, theirs.Id);
        var dx = await app.SignedInClientAsync(Roles.Dx);
        var auditor = await app.SignedInClientAsync(Roles.Auditor);
        using var anonymous = app.CreatePlainClient();
        var first = await KeyingKit.StartAsync(owner, procedureId, SubmissionKit.Slug, "counter");
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync(first, Ct)).StatusCode);

        foreach (var url in new[] { $"/staff/ledger/{procedureId}/new", first, first[..first.LastIndexOf('/')] + "/check", first[..first.LastIndexOf('/')], $"/staff/ledger/{procedureId}/stats", $"/staff/ledger/{procedureId}/settings" })
        {
            var keyedPage = url != $"/staff/ledger/{procedureId}/new" && url.Contains("/new/", StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(url, Ct)).StatusCode);
            foreach (var denied in new[] { dx, auditor })
            {
                var r = await denied.GetAsync(url, Ct);
                Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
                Assert.StartsWith("/staff/denied", r.Headers.Location!.PathAndQuery());
            }
            var a = await anonymous.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.Redirect, a.StatusCode);
            Assert.StartsWith("/staff/signin", a.Headers.Location!.PathAndQuery());
            // A draft belongs to the member of staff who keys it: a colleague does not open it.
            if (keyedPage) Assert.Equal(HttpStatusCode.NotFound, (await colleague.GetAsync(url, Ct)).StatusCode);
        }
        // Nor change its 受付日, even with a valid form token of their own.
        var draftBase = first[..first.LastIndexOf('/')];
        var changed = await MadoguchiFactory.PostFormAsync(colleague, draftBase, new() { ["Input.Channel"] = "mail", ["Input.ReceivedOn"] = "2026-01-01" }, getUrl: $"/staff/ledger/{procedureId}/new");
        Assert.Equal(HttpStatusCode.NotFound, changed.StatusCode);
        await using var scope = app.Scope();
        Assert.Equal("counter", (await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Drafts.AsNoTracking().SingleAsync(Ct)).KeyedChannel);
    }
}

internal static class UriPaths
{
    public static string PathAndQuery(this Uri uri) => uri.IsAbsoluteUri ? uri.PathAndQuery : uri.OriginalString;
}
