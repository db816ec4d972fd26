using System.Net;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Intake;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Intake;

/// <summary>Rush-event limits through the real API and pages (issue 6): period, first come, one per person.</summary>
public sealed class IntakeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task Two_hundred_concurrent_applications_to_a_first_come_form_of_fifty_store_exactly_fifty()
    {
        await using var app = await MadoguchiFactory.CreateAsync(IntakeKit.Unlimited());
        await IntakeKit.PublishAsync(app, """{ "mode": "first-come", "capacity": 50 }""");
        using var client = app.CreatePlainClient();

        var results = await Task.WhenAll(Enumerable.Range(1, 200).Select(i => IntakeKit.PostAsync(client, IntakeKit.Person(i))));

        Assert.Equal(50, results.Count(r => r.Status == HttpStatusCode.Created));
        var refused = results.Where(r => r.Status != HttpStatusCode.Created).ToList();
        Assert.Equal(150, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal(HttpStatusCode.Conflict, r.Status);
            Assert.Equal("capacity-reached", r.Body["code"]?.GetValue<string>());
            Assert.Contains("先着50件", r.Body["title"]?.GetValue<string>());
        });
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal(50, await db.Submissions.CountAsync(Ct));
        // Every 201 is a stored submission: no acknowledged receipt was lost with a refused neighbour in its batch.
        var receipts = results.Where(r => r.Status == HttpStatusCode.Created).Select(r => r.Body["receiptNumber"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(receipts, (await db.Submissions.Select(s => s.ReceiptNumber).ToListAsync(Ct)).Order().ToList());

        // The start page says the form is full and offers no start button.
        var page = await client.GetStringAsync($"/forms/{IntakeKit.Slug}", Ct);
        Assert.Contains("定員に達したため", page);
        Assert.DoesNotContain("data-testid=\"start\"", page);
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task The_same_person_written_differently_is_refused_a_second_time_with_a_clear_message()
    {
        await using var app = await MadoguchiFactory.CreateAsync(IntakeKit.Unlimited());
        await IntakeKit.PublishAsync(app, """
            { "mode": "open", "perPerson": { "by": "person", "max": 1, "name": "applicantName", "birthDate": "birthDate", "address": "address" } }
            """);
        using var client = app.CreatePlainClient();
        var first = new JsonObject
        {
            ["applicantName"] = new JsonObject { ["family"] = "山田", ["given"] = "はなこ", ["familyKana"] = "ヤマダ", ["givenKana"] = "ハナコ" },
            ["birthDate"] = "1990-04-01",
            ["address"] = "東京都江東区東陽4丁目11番28号 コーポかめいど101号室",
        };
        Assert.Equal(HttpStatusCode.Created, (await IntakeKit.PostAsync(client, first)).Status);

        // Full-width digits and dashes, カナ for かな, 平成 for 西暦, other spaces: the same person.
        var again = new JsonObject
        {
            ["applicantName"] = new JsonObject { ["family"] = "山田 ", ["given"] = "ハナコ", ["familyKana"] = "やまだ", ["givenKana"] = "はなこ" },
            ["birthDate"] = "平成2年4月1日",
            ["address"] = "東京都江東区東陽４－１１－２８　コーポカメイド１０１",
        };
        var (status, body) = await IntakeKit.PostAsync(client, again);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("already-applied", body["code"]?.GetValue<string>());
        var error = body["errors"]![0]!;
        Assert.Equal("applicantName", error["field"]?.GetValue<string>());
        Assert.Equal("already-applied", error["code"]?.GetValue<string>());
        Assert.Contains("お一人1回まで", error["message"]?.GetValue<string>());

        // The same refusal in English for an English-speaking applicant.
        var (_, en) = await IntakeKit.PostAsync(client, again, language: "en");
        Assert.Contains("Only one application per person", en["detail"]?.GetValue<string>());

        // Another birth date is another person.
        again["birthDate"] = "1990-04-02";
        Assert.Equal(HttpStatusCode.Created, (await IntakeKit.PostAsync(client, again)).Status);
        await using var scope = app.Scope();
        Assert.Equal(2, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Submissions.CountAsync(Ct));
    }

    [Fact]
    public async Task Before_the_opening_and_after_the_deadline_applications_are_refused_and_the_start_page_says_when()
    {
        await using var app = await MadoguchiFactory.CreateAsync(IntakeKit.Unlimited());
        // FakeClock starts at 2025-04-01 09:00 Japan time.
        await IntakeKit.PublishAsync(app, """{ "opens": "2025-04-01T10:00", "closes": "2025-04-15T17:00" }""");
        using var client = app.CreatePlainClient();

        var (status, body) = await IntakeKit.PostAsync(client, IntakeKit.Person(1));
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("not-open-yet", body["code"]?.GetValue<string>());
        Assert.Contains("受付開始は令和7年4月1日 10:00（日本時間）", body["title"]?.GetValue<string>());
        var page = await client.GetStringAsync($"/forms/{IntakeKit.Slug}", Ct);
        Assert.Contains("受付開始は令和7年4月1日 10:00", page);
        Assert.Contains("令和7年4月15日 17:00 まで", page);
        Assert.DoesNotContain("data-testid=\"start\"", page);
        // Posting the start form anyway starts no draft.
        await using (var scope = app.Scope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Drafts.CountAsync(Ct));
        }

        app.Clock.Advance(TimeSpan.FromHours(1)); // 10:00 exactly: open
        Assert.Equal(HttpStatusCode.Created, (await IntakeKit.PostAsync(client, IntakeKit.Person(1))).Status);
        Assert.Contains("data-testid=\"start\"", await client.GetStringAsync($"/forms/{IntakeKit.Slug}", Ct));

        app.Clock.Set(new DateTimeOffset(2025, 4, 15, 8, 0, 0, TimeSpan.Zero)); // 17:00 Japan time: closed
        (status, body) = await IntakeKit.PostAsync(client, IntakeKit.Person(2), language: "en");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("closed", body["code"]?.GetValue<string>());
        Assert.Contains("The deadline was 15 April 2025, 17:00 Japan time", body["detail"]?.GetValue<string>());
        var closed = await client.GetStringAsync($"/forms/{IntakeKit.Slug}", Ct);
        Assert.Contains("締め切りました", closed);
        Assert.DoesNotContain("data-testid=\"start\"", closed);
    }

    [Fact]
    public async Task A_resident_refused_at_the_check_page_keeps_the_draft_and_sees_the_message_in_easy_japanese()
    {
        await using var app = await MadoguchiFactory.CreateAsync(IntakeKit.Unlimited());
        await IntakeKit.PublishAsync(app, """{ "closes": "2025-04-01T12:00", "perPerson": { "by": "email", "max": 1, "email": "email" } }""");
        using var client = app.CreatePlainClient();
        // The resident fills in the form while it is open ...
        Assert.Equal(HttpStatusCode.Redirect, (await MadoguchiFactory.PostFormAsync(client, $"/forms/{IntakeKit.Slug}", [])).StatusCode);
        var fill = await MadoguchiFactory.PostFormAsync(client, $"/forms/{IntakeKit.Slug}/applicant", new()
        {
            ["applicantName.family"] = "江東",
            ["applicantName.given"] = "花子",
            ["applicantName.familyKana"] = "コウトウ",
            ["applicantName.givenKana"] = "ハナコ",
            ["birthDate"] = "1980-01-01",
            ["address"] = "東京都江東区東陽4-11-28",
            ["email"] = "hanako@example.jp",
            ["action"] = "next",
        });
        Assert.Equal(HttpStatusCode.Redirect, fill.StatusCode);
        // ... and an application with the same e-mail address (other case) arrives first through the API.
        var other = IntakeKit.Person(9, "Hanako@Example.JP");
        Assert.Equal(HttpStatusCode.Created, (await IntakeKit.PostAsync(client, other)).Status);

        await client.GetAsync("/lang?to=easy", Ct);
        var refused = await MadoguchiFactory.PostFormAsync(client, $"/forms/{IntakeKit.Slug}/check", []);
        var html = await refused.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("1<ruby>人<rt>ひとり</rt></ruby> 1<ruby>回<rt>かい</rt></ruby>です", html);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal(1, await db.Submissions.CountAsync(Ct));
        Assert.Equal(1, await db.Drafts.CountAsync(Ct));
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task Staff_see_which_submissions_share_a_person()
    {
        await using var app = await MadoguchiFactory.CreateAsync(IntakeKit.Unlimited());
        // No max: applications are all accepted, and staff are shown the likely duplicates.
        await IntakeKit.PublishAsync(app, """{ "perPerson": { "by": "email", "email": "email" } }""");
        using var resident = app.CreatePlainClient();
        var a = (await IntakeKit.PostAsync(resident, IntakeKit.Person(1, "taro@example.jp"))).Body["receiptNumber"]!.GetValue<string>();
        var b = (await IntakeKit.PostAsync(resident, IntakeKit.Person(2, "TARO@example.jp"))).Body["receiptNumber"]!.GetValue<string>();
        var c = (await IntakeKit.PostAsync(resident, IntakeKit.Person(3, "jiro@example.jp"))).Body["receiptNumber"]!.GetValue<string>();

        using var staff = await app.SignedInClientAsync(Roles.Dx);
        var page = await staff.GetStringAsync($"/staff/forms/{IntakeKit.Slug}/submissions", Ct);
        Assert.Equal(2, CountOf(page, "data-testid=\"duplicate\""));
        Assert.Contains($"受付番号 {a}", page);
        var section = page[page.IndexOf($"<h2 id=\"r-{c}\"", StringComparison.Ordinal)..];
        section = section[..Math.Max(0, section.IndexOf("</section>", StringComparison.Ordinal))];
        Assert.DoesNotContain("duplicate", section);
        Assert.Contains("data-testid=\"duplicate-persons\">1 人", await staff.GetStringAsync($"/staff/forms/{IntakeKit.Slug}/intake", Ct));
        Assert.NotEqual(a, b);
    }

    [Fact]
    public async Task Intake_rules_are_checked_on_import_and_written_back_canonically()
    {
        var bad = FormParser.Parse(IntakeKit.Form("""
            { "mode": "first-come", "opens": "2025-04-10 10:00", "perPerson": { "by": "person", "name": "applicantName", "birthDate": "birthDate", "address": "email" } }
            """), procedureUsesMyNumber: false);
        Assert.False(bad.IsValid);
        Assert.Contains(bad.Errors, e => e.Path == "$.intake.capacity" && e.Message.Contains("first-come", StringComparison.Ordinal));
        Assert.Contains(bad.Errors, e => e.Path == "$.intake.opens" && e.Message.Contains("2026-05-01T10:00", StringComparison.Ordinal));
        Assert.Contains(bad.Errors, e => e.Path == "$.intake.perPerson.address" && e.Message.Contains("type は email", StringComparison.Ordinal));

        var notRequired = FormParser.Parse(IntakeKit.FormText("""{ "perPerson": { "by": "email", "max": 1, "email": "email" } }"""), false);
        Assert.Contains(notRequired.Errors, e => e.Path == "$.intake.perPerson.email" && e.Message.Contains("required: true", StringComparison.Ordinal));

        var lotteryWithoutDeadline = FormParser.Parse(IntakeKit.Form("""{ "mode": "lottery" }"""), false);
        Assert.Contains(lotteryWithoutDeadline.Errors, e => e.Path == "$.intake.closes");

        var good = FormParser.Parse(IntakeKit.Form("""
            { "perPerson": { "address": "address", "max": 2, "name": "applicantName", "by": "person", "birthDate": "birthDate" }, "capacity": 50, "mode": "first-come", "closes": "2025-04-15T17:00" }
            """), false);
        Assert.True(good.IsValid, string.Join("\n", good.Errors));
        var json = FormJson.Write(good.Definition!);
        Assert.Contains("""
              "intake": {
                "closes": "2025-04-15T17:00",
                "mode": "first-come",
                "capacity": 50,
                "perPerson": {
                  "by": "person",
                  "max": 2,
                  "name": "applicantName",
                  "birthDate": "birthDate",
                  "address": "address"
                }
              }
            """.Replace("\r\n", "\n", StringComparison.Ordinal), json);
        Assert.Equal(json, FormJson.Write(FormParser.Parse(json, false).Definition!));
        Assert.Equal(new DateTimeOffset(2025, 4, 15, 8, 0, 0, TimeSpan.Zero), good.Definition!.Intake!.Closes);
    }

    [Fact]
    public void Person_keys_fold_the_ways_one_address_and_name_are_written()
    {
        Assert.Equal("江東区東陽4-11-28", PersonKeys.Address("東京都江東区東陽4丁目11番28号"));
        Assert.Equal("江東区東陽4-11-28", PersonKeys.Address("東京都 江東区 東陽４－１１－２８"));
        Assert.Equal("江東区東陽4-11-28", PersonKeys.Address("東京都江東区東陽四丁目十一番地の二十八"));
        Assert.Equal("江東区東陽4-11-28", PersonKeys.Address("東京都江東区東陽4−11ー28"));
        // The prefecture, written online by postcode autofill and often left out on paper, does not count.
        Assert.Equal("江東区東陽4-11-28", PersonKeys.Address("江東区東陽四丁目11番28号"));
        Assert.Equal("札幌市中央区北1条西2", PersonKeys.Address("北海道札幌市中央区北1条西2"));
        Assert.Equal("京都市左京区1-2", PersonKeys.Address("京都府京都市左京区1-2"));
        Assert.Equal("大阪狭山市1-2", PersonKeys.Address("大阪府大阪狭山市1-2"));
        Assert.Equal("鹿児島市1-2", PersonKeys.Address("鹿児島県鹿児島市1-2"));
        // Only a whole prefecture name at the start goes: a city that begins like one stays as written.
        Assert.Equal("京都市左京区1-2", PersonKeys.Address("京都市左京区1-2"));
        Assert.Equal("府中市1-2", PersonKeys.Address("府中市1-2"));
        Assert.Equal("東京都", PersonKeys.Address("東京都"));
        Assert.NotEqual(PersonKeys.Address("港区東陽4-11-28"), PersonKeys.Address("江東区東陽4-11-28"));
        Assert.Equal(PersonKeys.Address("東陽4-11-28 コーポかめいど101号室"), PersonKeys.Address("東陽４丁目１１番２８号　コーポカメイド１０１"));
        // ー inside a name stays (コーポ), and different numbers stay different.
        Assert.Contains("コーポ", PersonKeys.Address("東陽4-11-28コーポ"), StringComparison.Ordinal);
        Assert.NotEqual(PersonKeys.Address("東陽4-11-28"), PersonKeys.Address("東陽4-11-2"));
        Assert.NotEqual(PersonKeys.Address("東陽4-1-128"), PersonKeys.Address("東陽4-11-28"));
        Assert.Equal(PersonKeys.Name("山田 はなこ"), PersonKeys.Name("山田　ハナコ"));
        // Small kana are kept: キョウコ and キヨウコ are different names.
        Assert.NotEqual(PersonKeys.Name("きょうこ"), PersonKeys.Name("キヨウコ"));
        Assert.Equal(28, PersonKeys.KanjiNumber("二十八"));
        Assert.Equal(10, PersonKeys.KanjiNumber("十"));
        Assert.Equal(105, PersonKeys.KanjiNumber("一〇五"));
        Assert.Null(PersonKeys.KanjiNumber("十十"));
    }

    private static int CountOf(string text, string what)
    {
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
