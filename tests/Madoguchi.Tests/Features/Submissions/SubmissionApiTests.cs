using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Submissions;

public sealed class SubmissionApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonObject> BodyAsync(HttpResponseMessage r) => JsonNode.Parse(await r.Content.ReadAsStringAsync(Ct))!.AsObject();

    private static async Task<List<(string Field, string Code, string Message)>> ErrorsAsync(HttpResponseMessage r)
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var body = await BodyAsync(r);
        return [.. body["errors"]!.AsArray().Select(e => (e!["field"]!.GetValue<string>(), e["code"]!.GetValue<string>(), e["message"]!.GetValue<string>()))];
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task A_resident_submits_answers_and_gets_a_receipt_number_with_a_status_link_that_works()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();

        var response = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await BodyAsync(response);
        var receipt = body["receiptNumber"]!.GetValue<string>();
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$", receipt);
        Assert.Equal(1, body["version"]!.GetValue<int>());
        var statusUrl = body["statusUrl"]!.GetValue<string>();
        Assert.StartsWith($"/status/{receipt}?key=", statusUrl);

        // Stored normalised: kana in katakana, 和暦 dates as ISO dates.
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var stored = await db.Submissions.SingleAsync(Ct);
            var answers = JsonNode.Parse(stored.AnswersJson)!;
            Assert.Equal("ヤマダ", answers["applicantName"]!["familyKana"]!.GetValue<string>());
            Assert.Equal("1990-04-01", answers["birthDate"]!.GetValue<string>());
            Assert.Equal("2023-06-01", answers["children"]![0]!["childBirthDate"]!.GetValue<string>());
            Assert.Equal("api", stored.Channel);
        }

        var status = await client.GetStringAsync(statusUrl, Ct);
        Assert.Contains(receipt, status);
        Assert.Contains("子育て支援の申請（テスト）", status);
        Assert.Contains("受付済み", status);
        // The secret is what opens the page: a wrong one shows the same answer as an unknown number.
        var wrong = await client.GetStringAsync($"/status/{receipt}?key=00000000000000000000000000000000", Ct);
        Assert.Contains("受付番号または確認キーが違います", wrong);
        Assert.DoesNotContain("子育て支援", wrong);
        var unknown = await client.GetStringAsync("/status/0000-0000-0000?key=00000000000000000000000000000000", Ct);
        Assert.Contains("受付番号または確認キーが違います", unknown);
        // Typed by hand: lower case, without dashes, O for 0 — still found.
        var key = statusUrl[(statusUrl.IndexOf("key=", StringComparison.Ordinal) + 4)..];
        var typed = await client.GetStringAsync($"/status?receipt={receipt.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant().Replace('0', 'o')}&key={key}", Ct);
        Assert.Contains("受付済み", typed);
    }

    [Fact]
    public async Task Each_wrong_answer_is_reported_with_its_field_a_code_and_how_to_fix_it_and_nothing_is_stored()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        var answers = SubmissionKit.GoodAnswers();
        answers["birthDate"] = "平成31年5月1日";                 // 令和 had begun
        answers["reason"] = "holiday";                          // not an option
        answers["applicantName"]!["givenKana"] = "Hanako";       // not kana
        answers["children"] = new JsonArray(new JsonObject { ["childName"] = "", ["childBirthDate"] = "2025-02-29" });
        answers.Remove("consent");

        var errors = await ErrorsAsync(await SubmissionKit.PostAsync(client, answers));

        Assert.Contains(errors, e => e.Field == "birthDate" && e.Message.Contains("令和元年5月1日", StringComparison.Ordinal));
        Assert.Contains(errors, e => e == ("reason", "not-an-option", "選択肢の中から選んでください。"));
        Assert.Contains(errors, e => e.Field == "applicantName.givenKana");
        Assert.Contains(errors, e => e.Field == "children[0].childName" && e.Code == "required");
        Assert.Contains(errors, e => e.Field == "children[0].childBirthDate");
        Assert.Contains(errors, e => e.Field == "consent" && e.Code == "required");
        await using var scope = app.Scope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Submissions.CountAsync(Ct));
    }

    [Fact]
    public async Task Forged_keys_answers_for_hidden_fields_and_a_tampered_version_are_refused()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();

        var forged = SubmissionKit.GoodAnswers();
        forged["isAdmin"] = "true";
        forged["children"]![0]!["secretField"] = "x";
        forged["reasonOther"] = "表示されない欄"; // reason is "work", so this field is hidden
        var errors = await ErrorsAsync(await SubmissionKit.PostAsync(client, forged));
        Assert.Contains(errors, e => e.Field == "isAdmin" && e.Code == "unknown-field");
        Assert.Contains(errors, e => e.Field == "children[0].secretField" && e.Code == "unknown-field");
        Assert.Contains(errors, e => e.Field == "reasonOther" && e.Code == "not-shown");

        var tampered = await ErrorsAsync(await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers(), version: 99));
        Assert.Equal(("version", "unknown-version", "このフォームに版 99 はありません。公開中の版は 1 です。"), tampered.Single());

        var missing = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers(), slug: "no-such-form");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var notJson = await client.PostAsync($"/api/v1/forms/{SubmissionKit.Slug}/submissions", new StringContent("{answers:", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Contains("JSON として読めません", await notJson.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_conditional_field_becomes_required_when_its_condition_holds()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        var answers = SubmissionKit.GoodAnswers();
        answers["reason"] = "other";

        var errors = await ErrorsAsync(await SubmissionKit.PostAsync(client, answers));
        Assert.Equal(("reasonOther", "required"), (errors.Single().Field, errors.Single().Code));

        answers["reasonOther"] = "<script>alert(1)</script>";
        Assert.Equal(HttpStatusCode.Created, (await SubmissionKit.PostAsync(client, answers)).StatusCode);
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task A_retried_request_with_the_same_idempotency_key_returns_the_first_receipt_and_stores_one_submission()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        var key = Guid.NewGuid().ToString();

        // A double tap: the same request ten times at once, then once more later.
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers(), key)));
        var later = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers(), key);

        var bodies = await Task.WhenAll(responses.Append(later).Select(BodyAsync));
        Assert.All(responses.Append(later), r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Single(bodies.Select(b => b["receiptNumber"]!.GetValue<string>()).Distinct());
        Assert.Single(bodies.Select(b => b["statusUrl"]!.GetValue<string>()).Distinct());
        await using (var scope = app.Scope())
        {
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Submissions.CountAsync(Ct));
        }

        // The same key with other answers is a client bug: refused, not silently answered with the old receipt.
        var other = SubmissionKit.GoodAnswers();
        other["email"] = "hanako@example.jp";
        var reused = await SubmissionKit.PostAsync(client, other, key);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Contains("別の内容の申請に使われています", await reused.Content.ReadAsStringAsync(Ct));

        var badKey = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers(), "has space");
        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task Many_residents_submitting_at_once_each_get_their_own_stored_receipt()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new() { ["Madoguchi:RateLimits:submit:PermitLimit"] = "1000" });
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers())));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var receipts = (await Task.WhenAll(responses.Select(BodyAsync))).Select(b => b["receiptNumber"]!.GetValue<string>()).ToList();
        Assert.Equal(60, receipts.Distinct().Count());
        await using var scope = app.Scope();
        var stored = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Submissions.Select(s => s.ReceiptNumber).ToListAsync(Ct);
        Assert.Equal(receipts.Order(), stored.Order());
    }

    [Fact]
    public async Task Submissions_are_rate_limited_per_address_with_retry_after()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new() { ["Madoguchi:RateLimits:submit:PermitLimit"] = "2" });
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.Created, (await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers())).StatusCode);
        var third = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers());
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.NotNull(third.Headers.RetryAfter);
    }

    [Fact]
    public async Task The_api_ignores_cookies_and_a_body_over_the_limit_is_refused_unread()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        var big = new JsonObject { ["answers"] = new JsonObject { ["email"] = new string('a', 1_100_000) } };
        var response = await client.PostAsync($"/api/v1/forms/{SubmissionKit.Slug}/submissions", new StringContent(big.ToJsonString(), Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task A_version_published_by_another_instance_is_the_one_the_next_submission_and_draft_get()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        // The first submission makes this instance remember version 1 as current.
        Assert.Equal(1, (await BodyAsync(await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers())))["version"]!.GetValue<int>());

        // Version 2 (a new required field) is published through the CLI, a separate instance this app is not told about.
        var v2 = JsonNode.Parse(SubmissionKit.FormJson)!;
        v2["pages"]![0]!["items"]!.AsArray().Add(JsonNode.Parse("""{ "type": "text", "key": "workplace", "required": true, "label": { "ja": "勤務先" } }"""));
        var file = Path.Combine(Path.GetTempPath(), $"madoguchi-v2-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, v2.ToJsonString(), Ct);
        try
        {
            Assert.Equal(0, (await CliRunner.RunAsync(app.Database, "form", "import", file, "--procedure", "KT-T0001")).ExitCode);
            Assert.Equal(0, (await CliRunner.RunAsync(app.Database, "form", "publish", SubmissionKit.Slug)).ExitCode);
        }
        finally
        {
            File.Delete(file);
        }

        // Answers for version 1 are now checked against version 2 and miss its new field.
        Assert.Equal(("workplace", "required", "入力してください。"), (await ErrorsAsync(await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers()))).Single());
        var answers = SubmissionKit.GoodAnswers();
        answers["workplace"] = "江東区役所";
        var accepted = await BodyAsync(await SubmissionKit.PostAsync(client, answers));
        Assert.Equal(2, accepted["version"]!.GetValue<int>());
        // A client that pinned version 1 still gets it.
        Assert.Equal(1, (await BodyAsync(await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers(), version: 1)))["version"]!.GetValue<int>());

        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal(new[] { 1, 1, 2 }, (await db.Submissions.Select(s => s.FormVersionNumber).ToListAsync(Ct)).Order());
        var started = await scope.ServiceProvider.GetRequiredService<Madoguchi.Web.Features.Submissions.DraftService>().StartAsync(SubmissionKit.Slug, "ja", Ct);
        Assert.Equal(2, started!.Value.Draft.FormVersionNumber);
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task Applications_stopped_by_another_instance_are_refused_even_with_the_form_remembered_here_and_a_retry_stays_refused()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        // The first submission makes this instance remember the form's current version.
        Assert.Equal(HttpStatusCode.Created, (await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers())).StatusCode);
        // A resident starts a draft before the stop.
        await using var residentScope = app.Scope();
        var (draft, _) = (await residentScope.ServiceProvider.GetRequiredService<Madoguchi.Web.Features.Submissions.DraftService>().StartAsync(SubmissionKit.Slug, "ja", Ct))!.Value;

        // Staff stop new applications on another instance: only the database knows.
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            Assert.Equal(1, await db.Forms.Where(f => f.Slug == SubmissionKit.Slug)
                .ExecuteUpdateAsync(u => u.SetProperty(f => f.UnpublishedAt, DateTimeOffset.UtcNow), Ct));
        }

        var refused = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers(), key: "stopped-1");
        Assert.Equal(HttpStatusCode.Gone, refused.StatusCode);
        Assert.Contains("受付を停止しています", await refused.Content.ReadAsStringAsync(Ct));
        // A retry of the refused request is refused again, not replayed as if it had been stored.
        Assert.Equal(HttpStatusCode.Gone, (await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers(), key: "stopped-1")).StatusCode);
        // Wrong answers are not worth correcting for a form that takes none: the stop is what the resident is told.
        var wrong = SubmissionKit.GoodAnswers();
        wrong["birthDate"] = "平成31年5月1日";
        Assert.Equal(HttpStatusCode.Gone, (await SubmissionKit.PostAsync(client, wrong)).StatusCode);

        // The draft started before the stop may still be sent.
        var sent = await residentScope.ServiceProvider.GetRequiredService<Madoguchi.Web.Features.Submissions.SubmissionService>().SubmitAsync(
            SubmissionKit.Slug, 1, SubmissionKit.GoodAnswers(), Madoguchi.Web.Features.Submissions.AnswerChecker.Mode.Lenient, "ja", null, "web", Ct, fromDraftId: draft.Id);
        Assert.IsType<Madoguchi.Web.Features.Submissions.SubmissionService.Result.Accepted>(sent);

        await using var check = app.Scope();
        var stored = check.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal(2, await stored.Submissions.CountAsync(Ct));
        Assert.Equal(2, await stored.Cases.CountAsync(Ct));
        Assert.Equal(0, await stored.Submissions.CountAsync(s => s.IdempotencyKey == "stopped-1", Ct));
        Assert.Equal(1, await stored.Submissions.CountAsync(s => s.Channel == "web", Ct));
        Assert.False(await stored.Drafts.AnyAsync(d => d.Id == draft.Id, Ct)); // sent, so ended
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task A_retry_after_a_new_version_was_published_gets_the_first_receipt_not_a_refusal()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        var first = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers(), key: "retry-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var receipt = await BodyAsync(first);

        // Version 2 adds a required field while the client waits to retry (its answer to the first request was lost).
        var v2 = JsonNode.Parse(SubmissionKit.FormJson)!;
        v2["pages"]![0]!["items"]!.AsArray().Add(JsonNode.Parse("""{ "type": "text", "key": "workplace", "required": true, "label": { "ja": "勤務先" } }"""));
        await using (var scope = app.Scope())
        {
            var forms = scope.ServiceProvider.GetRequiredService<Madoguchi.Web.Features.Forms.FormService>();
            await forms.ImportAsync(v2.ToJsonString(), "KT-T0001", "test", Ct);
            await forms.PublishAsync(SubmissionKit.Slug, "test", Ct);
        }

        var retry = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers(), key: "retry-1");

        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        var replayed = await BodyAsync(retry);
        Assert.Equal(receipt["receiptNumber"]!.GetValue<string>(), replayed["receiptNumber"]!.GetValue<string>());
        Assert.Equal(receipt["statusUrl"]!.GetValue<string>(), replayed["statusUrl"]!.GetValue<string>());
        Assert.Equal(1, replayed["version"]!.GetValue<int>());
        // Other answers under the same key are still a client bug.
        var other = SubmissionKit.GoodAnswers();
        other["email"] = "hanako@example.jp";
        other["workplace"] = "江東区役所";
        var reused = await SubmissionKit.PostAsync(client, other, key: "retry-1");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Contains("別の内容の申請に使われています", await reused.Content.ReadAsStringAsync(Ct));
        await using var check = app.Scope();
        Assert.Equal(1, await check.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Submissions.CountAsync(Ct));
    }

    [Fact]
    public async Task Answers_for_a_version_published_after_the_app_last_read_the_form_are_checked_against_that_version()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        Assert.Equal(HttpStatusCode.Created, (await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers())).StatusCode);

        // Version 2 renames email and adds a required field; published behind the app's back (as another
        // instance would), so the app still holds version 1 as the current one.
        var v2 = JsonNode.Parse(SubmissionKit.FormJson)!;
        var items = v2["pages"]![0]!["items"]!.AsArray();
        items.Single(i => i!["key"]!.GetValue<string>() == "email")!["key"] = "contactEmail";
        items.Add(JsonNode.Parse("""{ "type": "text", "key": "workplace", "required": true, "label": { "ja": "勤務先" } }"""));
        v2["changes"] = JsonNode.Parse("""{ "from": 1, "renamed": { "email": "contactEmail" } }""");
        await using (var scope = app.Scope())
        {
            var forms = scope.ServiceProvider.GetRequiredService<Madoguchi.Web.Features.Forms.FormService>();
            await forms.ImportAsync(v2.ToJsonString(), "KT-T0001", "test", Ct);
            await forms.PublishAsync(SubmissionKit.Slug, "test", Ct);
        }

        var answers = SubmissionKit.GoodAnswers();
        answers["contactEmail"] = "hanako@example.jp";
        answers["workplace"] = "江東区役所";
        var response = await SubmissionKit.PostAsync(client, answers);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, (await BodyAsync(response))["version"]!.GetValue<int>());
        // And answers for version 1 are now told what version 2 asks.
        var old = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, old.StatusCode);
        Assert.Contains("workplace", await old.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    /// <summary>The test form with a required file field on its first page.</summary>
    private static string FormWithFile()
    {
        var form = JsonNode.Parse(SubmissionKit.FormJson)!;
        form["pages"]![0]!["items"]!.AsArray().Add(JsonNode.Parse("""
            { "type": "file", "key": "employmentCertificate", "required": true, "accept": ["pdf"], "maxFiles": 2, "label": { "ja": "就労証明書" } }
            """));
        return form.ToJsonString();
    }

    [Fact]
    public async Task A_required_file_cannot_be_skipped_through_the_api_with_a_made_up_attachment_id()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, FormWithFile());
        var client = app.CreatePlainClient();

        var forged = SubmissionKit.GoodAnswers();
        forged["employmentCertificate"] = new JsonArray("00000000-0000-0000-0000-000000000000");
        var refused = (await ErrorsAsync(await SubmissionKit.PostAsync(client, forged))).Single();
        Assert.Equal(("employmentCertificate", "file-not-accepted"), (refused.Field, refused.Code));
        Assert.Contains("API では送れません", refused.Message, StringComparison.Ordinal);

        // Without the file the answer says why it cannot be given here, not just "attach a file".
        var missing = (await ErrorsAsync(await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers()))).Single();
        Assert.Equal(("employmentCertificate", "required"), (missing.Field, missing.Code));
        Assert.Contains("申請フォームの画面", missing.Message, StringComparison.Ordinal);

        await using var scope = app.Scope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Submissions.CountAsync(Ct));
    }

    private static async Task<HttpResponseMessage> PostRawAsync(HttpClient client, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return await client.PostAsync($"/api/v1/forms/{SubmissionKit.Slug}/submissions", content, Ct);
    }

    [Theory]
    [InlineData("""{"answers":{"consent":true},"answers":{"consent":true}}""", "$.answers が同じオブジェクトの中に2回")]
    [InlineData("""{"answers":{"reason":"work","reason":"other"}}""", "$.answers.reason が同じオブジェクトの中に2回")]
    [InlineData("""{"answers":{"reasonOther":"\ud800"}}""", "$.answers.reasonOther の中に、文字として読めない")]
    public async Task A_body_with_a_name_given_twice_or_a_broken_string_gets_a_400_saying_so(string json, string detail)
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);

        var response = await PostRawAsync(app.CreatePlainClient(), Encoding.UTF8.GetBytes(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, (await BodyAsync(response))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_utf8_gets_a_400_saying_so()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        // 山田 in Shift_JIS inside an otherwise valid body.
        byte[] body = [.. "{\"answers\":{\"reasonOther\":\""u8, 0x8E, 0x52, 0x93, 0x63, .. "\"}}"u8];

        var response = await PostRawAsync(app.CreatePlainClient(), body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("UTF-8", (await BodyAsync(response))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_sent_as_form_data_or_text_gets_a_415_naming_the_json_type_to_use()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        var json = new JsonObject { ["answers"] = SubmissionKit.GoodAnswers() }.ToJsonString();

        // curl -d sends application/x-www-form-urlencoded unless told otherwise.
        foreach (var type in new[] { "application/x-www-form-urlencoded", "text/plain" })
        {
            var response = await client.PostAsync($"/api/v1/forms/{SubmissionKit.Slug}/submissions", new StringContent(json, System.Text.Encoding.UTF8, type), Ct);

            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("application/json", (await BodyAsync(response))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        await using var scope = app.Scope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Submissions.CountAsync(Ct));
    }

    [Fact]
    public async Task A_body_with_thousands_of_mistakes_gets_the_first_hundred_and_a_count_of_the_rest()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var answers = SubmissionKit.GoodAnswers();
        for (var i = 0; i < 5000; i++) answers[$"x{i}"] = "1";

        var response = await SubmissionKit.PostAsync(app.CreatePlainClient(), answers);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var body = JsonNode.Parse(text)!;
        Assert.Equal(100, body["errors"]!.AsArray().Count);
        Assert.Equal(("x0", "unknown-field"), (body["errors"]![0]!["field"]!.GetValue<string>(), body["errors"]![0]!["code"]!.GetValue<string>()));
        Assert.Equal(4900, body["omittedErrors"]!.GetValue<int>());
        Assert.InRange(text.Length, 1, 40_000);
    }
}
