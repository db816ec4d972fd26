using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Cases;

/// <summary>
/// A ledger column follows its field through renames declared by newer form versions (changes.renamed):
/// same heading, same place, and the answers of cases still on the older versions in it.
/// </summary>
public sealed partial class LedgerRenameTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_column_follows_its_renamed_field_with_its_heading_and_place_and_holds_the_answers_of_both_versions()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        await SaveColumnsAsync(client, setup.ProcedureId, ("receipt", "番号"), ("answer:note", "窓口メモ"), ("answer:applicantName:kana", "ﾌﾘｶﾞﾅ"), ("status", "処理状況"));
        var first = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("山田", note: "版1のメモ"));

        await PublishAsync(app, Version(2, new() { ["note"] = "remarks", ["applicantName"] = "applicant" }));
        var answers = LedgerKit.Answers("鈴木", given: "次郎");
        answers["applicant"] = answers["applicantName"]!.DeepClone();
        answers["applicant"]!["givenKana"] = "ジロウ";
        answers.Remove("applicantName");
        answers["remarks"] = "版2のメモ";
        var second = await SubmitAsync(app, answers, version: 2);

        var ledger = await client.GetStringAsync(Url(setup.ProcedureId), Ct);
        Assert.Equal(["選択", "番号", "窓口メモ", "ﾌﾘｶﾞﾅ", "処理状況"], Headers(ledger));
        Assert.Contains("<td>版1のメモ</td><td>ヤマダ ハナコ</td>", Row(ledger, first.Id));
        Assert.Contains("<td>版2のメモ</td><td>ヤマダ ジロウ</td>", Row(ledger, second.Id));
        // The columns page names the new keys, so saving it again keeps the columns.
        var columnsPage = await client.GetStringAsync($"/staff/ledger/{setup.ProcedureId}/columns", Ct);
        Assert.Contains("value=\"answer:remarks\"", columnsPage);
        Assert.Contains("value=\"answer:applicant:kana\"", columnsPage);
        Assert.DoesNotContain("value=\"answer:note\"", columnsPage);
        // The text filter reads the answers of either version.
        Assert.Equal([first.Id], LedgerKit.Rows(await client.GetStringAsync(Url(setup.ProcedureId, "Filter.Q=版1"), Ct)));

        var csv = await ExportCsvAsync(client, setup.ProcedureId);
        Assert.Equal("番号,窓口メモ,ﾌﾘｶﾞﾅ,処理状況", csv[0]);
        Assert.Contains($"{first.ReceiptNumber},版1のメモ,ヤマダ ハナコ,受付", csv);
        Assert.Contains($"{second.ReceiptNumber},版2のメモ,ヤマダ ジロウ,受付", csv);

        // Publishing rewrote the stored layout in the same transaction: the old keys are gone from it.
        await using var scope = app.Scope();
        var stored = (await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().LedgerSettings.AsNoTracking().SingleAsync(Ct)).ColumnsJson;
        Assert.Contains("answer:remarks", stored);
        Assert.Contains("answer:applicant:kana", stored);
        Assert.DoesNotContain("answer:note", stored);
    }

    [Fact]
    public async Task A_column_follows_a_chain_of_renames_across_three_versions_and_a_removed_fields_column_goes()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        await SaveColumnsAsync(client, setup.ProcedureId, ("receipt", "番号"), ("answer:kind", "区分"), ("answer:note", "窓口メモ"), ("status", "処理状況"));
        var v1 = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("山田", note: "版1のメモ"));

        await PublishAsync(app, Version(2, new() { ["note"] = "memo" }));
        var answers = LedgerKit.Answers("鈴木");
        answers.Remove("note");
        answers["memo"] = "版2のメモ";
        var v2 = await SubmitAsync(app, answers, version: 2);

        await PublishAsync(app, Version(3, new() { ["note"] = "remarks" }, removed: ["kind"], from: 2, renamedFrom: new() { ["memo"] = "remarks" }));
        answers = LedgerKit.Answers("佐藤");
        answers.Remove("kind");
        answers["remarks"] = "版3のメモ";
        var v3 = await SubmitAsync(app, answers, version: 3);

        var ledger = await client.GetStringAsync(Url(setup.ProcedureId), Ct);
        Assert.Equal(["選択", "番号", "窓口メモ", "処理状況"], Headers(ledger));
        Assert.Contains("<td>版1のメモ</td>", Row(ledger, v1.Id));
        Assert.Contains("<td>版2のメモ</td>", Row(ledger, v2.Id));
        Assert.Contains("<td>版3のメモ</td>", Row(ledger, v3.Id));

        var sheet = await ExportXlsxAsync(client, setup.ProcedureId);
        Assert.DoesNotContain("区分", sheet);
        Assert.Contains("窓口メモ", sheet);
        Assert.Contains("版1のメモ", sheet);
        Assert.Contains("版2のメモ", sheet);
        Assert.Contains("版3のメモ", sheet);
    }

    [Fact]
    public async Task A_column_of_a_field_in_a_group_follows_the_groups_rename_and_then_the_fields_own()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        await SaveColumnsAsync(client, setup.ProcedureId, ("receipt", "番号"), ("answer:children.childName", "子の氏名"), ("status", "処理状況"));
        var v1 = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("山田", child: "山田 一郎"));

        await PublishAsync(app, Version(2, new() { ["children"] = "kids" }));
        var answers = LedgerKit.Answers("鈴木");
        answers["kids"] = new JsonArray(new JsonObject { ["childName"] = "鈴木 二郎" }, new JsonObject { ["childName"] = "鈴木 三郎" });
        var v2 = await SubmitAsync(app, answers, version: 2);

        await PublishAsync(app, Version(3, new() { ["children"] = "kids", ["childName"] = "kidName" }, from: 2, renamedFrom: new() { ["childName"] = "kidName" }));
        answers = LedgerKit.Answers("佐藤");
        answers["kids"] = new JsonArray(new JsonObject { ["kidName"] = "佐藤 四郎" });
        var v3 = await SubmitAsync(app, answers, version: 3);

        var ledger = await client.GetStringAsync(Url(setup.ProcedureId), Ct);
        Assert.Equal(["選択", "番号", "子の氏名", "処理状況"], Headers(ledger));
        Assert.Contains("<td>山田 一郎</td>", Row(ledger, v1.Id));
        Assert.Contains("<td>鈴木 二郎、鈴木 三郎</td>", Row(ledger, v2.Id));
        Assert.Contains("<td>佐藤 四郎</td>", Row(ledger, v3.Id));
        Assert.Contains("value=\"answer:kids.kidName\"", await client.GetStringAsync($"/staff/ledger/{setup.ProcedureId}/columns", Ct));

        var csv = await ExportCsvAsync(client, setup.ProcedureId);
        Assert.Contains($"{v1.ReceiptNumber},山田 一郎,受付", csv);
        Assert.Contains($"{v2.ReceiptNumber},鈴木 二郎、鈴木 三郎,受付", csv);
        Assert.Contains($"{v3.ReceiptNumber},佐藤 四郎,受付", csv);
    }

    [Fact]
    public async Task Versions_imported_with_their_history_and_published_at_once_move_the_column_through_each_rename()
    {
        // Another installation published versions 2 and 3; this one takes them with `form import` of
        // the --all-versions file and goes from version 1 to 3 in one publish.
        string history;
        await using (var source = await MadoguchiFactory.CreateAsync())
        {
            await LedgerKit.PublishAsync(source);
            await PublishAsync(source, Version(2, new() { ["note"] = "memo" }));
            await PublishAsync(source, Version(3, new() { ["note"] = "remarks" }, from: 2, renamedFrom: new() { ["memo"] = "remarks" }));
            await using var scope = source.Scope();
            history = await scope.ServiceProvider.GetRequiredService<FormService>().ExportAllVersionsAsync(LedgerKit.Slug, Ct);
        }
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        await SaveColumnsAsync(client, setup.ProcedureId, ("receipt", "番号"), ("answer:note", "窓口メモ"), ("status", "処理状況"));
        var v1 = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("山田", note: "版1のメモ"));
        await using (var scope = app.Scope())
        {
            var forms = scope.ServiceProvider.GetRequiredService<FormService>();
            Assert.Equal(2, (await forms.ImportAsync(history, "KT-L0001", "test", Ct)).VersionsAdded);
            await forms.PublishAsync(LedgerKit.Slug, "test", Ct);
        }
        var answers = LedgerKit.Answers("鈴木");
        answers["remarks"] = "版3のメモ";
        var v3 = await SubmitAsync(app, answers, version: 3);

        var ledger = await client.GetStringAsync(Url(setup.ProcedureId), Ct);
        Assert.Equal(["選択", "番号", "窓口メモ", "処理状況"], Headers(ledger));
        Assert.Contains("<td>版1のメモ</td>", Row(ledger, v1.Id));
        Assert.Contains("<td>版3のメモ</td>", Row(ledger, v3.Id));
        await using (var scope = app.Scope())
        {
            var stored = (await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().LedgerSettings.AsNoTracking().SingleAsync(Ct)).ColumnsJson;
            Assert.Contains("answer:remarks", stored);
        }
    }

    [Fact]
    public async Task A_layout_saved_with_a_key_renamed_since_finds_its_field_through_the_versions()
    {
        // A layout written before publishing followed renames, or saved from a columns page opened
        // before a publish: the key no current version offers is followed through the form's changes.
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        var v1 = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("山田", note: "版1のメモ"));
        await PublishAsync(app, Version(2, new() { ["note"] = "memo" }));
        await PublishAsync(app, Version(3, new() { ["note"] = "remarks" }, from: 2, renamedFrom: new() { ["memo"] = "remarks" }));
        var answers = LedgerKit.Answers("鈴木");
        answers.Remove("note");
        answers["remarks"] = "版3のメモ";
        var v3 = await SubmitAsync(app, answers, version: 3);
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            db.LedgerSettings.Add(new LedgerSettings
            {
                ProcedureId = setup.ProcedureId,
                ColumnsJson = """[{"source":"receipt","label":"番号"},{"source":"answer:note","label":"窓口メモ"},{"source":"status","label":"処理状況"}]""",
            });
            await db.SaveChangesAsync(Ct);
        }

        var ledger = await client.GetStringAsync(Url(setup.ProcedureId), Ct);
        Assert.Equal(["選択", "番号", "窓口メモ", "処理状況"], Headers(ledger));
        Assert.Contains("<td>版1のメモ</td>", Row(ledger, v1.Id));
        Assert.Contains("<td>版3のメモ</td>", Row(ledger, v3.Id));
        var csv = await ExportCsvAsync(client, setup.ProcedureId);
        Assert.Contains($"{v1.ReceiptNumber},版1のメモ,受付", csv);
        Assert.Contains($"{v3.ReceiptNumber},版3のメモ,受付", csv);
    }

    [Fact]
    public async Task A_key_given_to_a_new_question_after_its_rename_does_not_take_the_old_fields_column()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        await SaveColumnsAsync(client, setup.ProcedureId, ("receipt", "番号"), ("answer:note", "窓口メモ"), ("status", "処理状況"));
        var v1 = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("山田", note: "版1のメモ"));

        // Version 2 renames note to remarks and asks a new question under the key note.
        var next = Version(2, new() { ["note"] = "remarks" });
        Items(next).Add(new JsonObject { ["type"] = "text", ["key"] = "note", ["maxLength"] = 100, ["label"] = new JsonObject { ["ja"] = "連絡事項" } });
        await PublishAsync(app, next);
        var answers = LedgerKit.Answers("鈴木", note: "新しい質問への回答");
        answers["remarks"] = "版2のメモ";
        var v2 = await SubmitAsync(app, answers, version: 2);

        var ledger = await client.GetStringAsync(Url(setup.ProcedureId), Ct);
        Assert.Equal(["選択", "番号", "窓口メモ", "処理状況"], Headers(ledger));
        Assert.Contains("<td>版1のメモ</td>", Row(ledger, v1.Id));
        Assert.Contains("<td>版2のメモ</td>", Row(ledger, v2.Id));
        Assert.DoesNotContain("新しい質問への回答", ledger);
    }

    [Fact]
    public async Task Two_fields_that_swap_keys_keep_their_own_columns()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        await SaveColumnsAsync(client, setup.ProcedureId, ("receipt", "番号"), ("answer:note", "窓口メモ"), ("answer:address", "所在地"));
        var v1 = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("山田", note: "版1のメモ"));

        // Both keys are still offered after the swap: only the publish knows which field each column meant.
        await PublishAsync(app, Version(2, new() { ["note"] = "address", ["address"] = "note" }));
        var answers = LedgerKit.Answers("鈴木");
        answers["note"] = "東京都江東区豊洲二丁目";
        answers["address"] = "版2のメモ";
        var v2 = await SubmitAsync(app, answers, version: 2);

        var ledger = await client.GetStringAsync(Url(setup.ProcedureId), Ct);
        Assert.Equal(["選択", "番号", "窓口メモ", "所在地"], Headers(ledger));
        Assert.Contains("<td>版1のメモ</td><td>東京都江東区東陽四丁目11番28号</td>", Row(ledger, v1.Id));
        Assert.Contains("<td>版2のメモ</td><td>東京都江東区豊洲二丁目</td>", Row(ledger, v2.Id));
    }

    [Fact]
    public async Task A_field_sensitive_in_any_of_its_versions_never_shows_in_a_column_whatever_it_was_called()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        await SaveColumnsAsync(client, setup.ProcedureId, ("receipt", "番号"), ("answer:note", "窓口メモ"), ("status", "処理状況"));
        var v1 = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("山田", note: "版1のメモ", secret: "SECRET-1"));

        // Version 2: the memo becomes sensitive under a new name; the sensitive number stops being sensitive under one.
        var next = Version(2, new() { ["note"] = "memo", ["secret"] = "reference" });
        Field(next, "memo")["sensitive"] = true;
        Field(next, "reference").Remove("sensitive");
        await PublishAsync(app, next);
        var answers = LedgerKit.Answers("鈴木");
        answers["memo"] = "版2のメモ";
        answers["reference"] = "REF-2";
        var v2 = await SubmitAsync(app, answers, version: 2);

        var ledger = await client.GetStringAsync(Url(setup.ProcedureId), Ct);
        Assert.Equal(["選択", "番号", "処理状況"], Headers(ledger));
        Assert.DoesNotContain("版1のメモ", ledger);
        Assert.DoesNotContain("版2のメモ", ledger);
        Assert.DoesNotContain("answer:memo", await client.GetStringAsync($"/staff/ledger/{setup.ProcedureId}/columns", Ct));

        // The renamed field that is no longer sensitive may be a column: the answer given while it was stays hidden.
        await SaveColumnsAsync(client, setup.ProcedureId, ("receipt", "番号"), ("answer:reference", "照会番号"));
        ledger = await client.GetStringAsync(Url(setup.ProcedureId), Ct);
        Assert.Contains("<td>（機微情報のため非表示）</td>", Row(ledger, v1.Id));
        Assert.Contains("<td>REF-2</td>", Row(ledger, v2.Id));
        Assert.DoesNotContain("SECRET-1", ledger);
        var csv = await ExportCsvAsync(client, setup.ProcedureId);
        Assert.Contains($"{v1.ReceiptNumber},（機微情報のため非表示）", csv);
        Assert.DoesNotContain(csv, l => l.Contains("SECRET-1", StringComparison.Ordinal) || l.Contains("版", StringComparison.Ordinal));
    }

    [Fact]
    public void Publishing_a_rename_leaves_a_column_whose_key_another_form_of_the_procedure_still_has()
    {
        var v1 = Parse(JsonNode.Parse(LedgerKit.FormJson)!.AsObject());
        var v2 = Parse(Version(2, new() { ["note"] = "remarks", ["applicantName"] = "applicant" }));
        var json = LedgerLayout.ToJson([new("receipt", "番号"), new("answer:note", "窓口メモ"), new("answer:applicantName:name", "氏名"), new("answer:kind", "区分")]);

        var moved = LedgerRenames.AfterPublish(json, [v1, v2], []);
        Assert.Equal(2, moved?.Renamed);
        Assert.Equal(["receipt", "answer:remarks", "answer:applicant:name", "answer:kind"], JsonNode.Parse(moved!.Value.Json)!.AsArray().Select(c => c!["source"]!.GetValue<string>()));
        Assert.Contains("\"label\":\"窓口メモ\"", moved.Value.Json);
        // Another form of the procedure still asks note and applicantName: the columns keep showing its answers.
        var other = Parse(JsonNode.Parse(LedgerKit.FormJson.Replace("ledger-test", "ledger-other", StringComparison.Ordinal))!.AsObject());
        Assert.Null(LedgerRenames.AfterPublish(json, [v1, v2], [other]));
    }

    private static FormDefinition Parse(JsonObject form) => FormParser.Parse(form.ToJsonString(), false).Definition!;

    /// <summary>The test form as a new version: keys renamed as declared (inside groups too), removed keys taken out.</summary>
    private static JsonObject Version(int number, Dictionary<string, string> renamed, string[]? removed = null, int? from = null, Dictionary<string, string>? renamedFrom = null)
    {
        var form = JsonNode.Parse(LedgerKit.FormJson)!.AsObject();
        foreach (var item in AllItems(form).ToList())
        {
            var key = item["key"]!.GetValue<string>();
            if (renamed.TryGetValue(key, out var to)) item["key"] = to;
            if (removed?.Contains(key) == true) ((JsonArray)item.Parent!).Remove(item);
        }
        // What this version declares against the one before it (by default: the renames themselves, from version 1).
        var declared = new JsonObject();
        foreach (var (k, v) in renamedFrom ?? renamed) declared[k] = v;
        var changes = new JsonObject { ["from"] = from ?? number - 1, ["renamed"] = declared };
        if (removed is not null) changes["removed"] = new JsonArray([.. removed.Select(r => (JsonNode)r)]);
        form["changes"] = changes;
        return form;
    }

    private static IEnumerable<JsonObject> AllItems(JsonObject form) => Items(form).Select(i => i!.AsObject())
        .SelectMany(i => i["fields"] is JsonArray fields ? [i, .. fields.Select(f => f!.AsObject())] : new[] { i });

    private static JsonArray Items(JsonObject form) => form["pages"]![0]!["items"]!.AsArray();

    private static JsonObject Field(JsonObject form, string key) => AllItems(form).First(i => i["key"]!.GetValue<string>() == key);

    private static async Task PublishAsync(MadoguchiFactory app, JsonObject definition)
    {
        await using var scope = app.Scope();
        var forms = scope.ServiceProvider.GetRequiredService<FormService>();
        await forms.ImportAsync(definition.ToJsonString(), "KT-L0001", "test", Ct);
        await forms.PublishAsync(LedgerKit.Slug, "test", Ct);
    }

    /// <summary>
    /// Submits on the given version: the API's cached current version may still be the previous one
    /// right after a publish in the same process (a refusal does not refresh it).
    /// </summary>
    private static async Task<Case> SubmitAsync(MadoguchiFactory app, JsonObject answers, int version)
    {
        using var client = app.CreatePlainClient();
        using var response = await client.PostAsJsonAsync($"/api/v1/forms/{LedgerKit.Slug}/submissions", new JsonObject { ["answers"] = answers, ["version"] = version }, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var receipt = JsonNode.Parse(body)!["receiptNumber"]!.GetValue<string>();
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.AsNoTracking().SingleAsync(c => c.ReceiptNumber == receipt, Ct);
    }

    private static async Task SaveColumnsAsync(HttpClient client, Guid procedureId, params (string Source, string Label)[] columns)
    {
        var fields = new Dictionary<string, string> { ["Command"] = "save" };
        for (var i = 0; i < columns.Length; i++)
        {
            fields[$"Columns[{i}].Source"] = columns[i].Source;
            fields[$"Columns[{i}].Label"] = columns[i].Label;
        }
        var response = await MadoguchiFactory.PostFormAsync(client, $"/staff/ledger/{procedureId}/columns", fields);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync(Ct));
    }

    private static async Task<string[]> ExportCsvAsync(HttpClient client, Guid procedureId)
    {
        var response = await MadoguchiFactory.PostFormAsync(client, $"/staff/ledger/{procedureId}/export", new() { ["Input.Scope"] = "all", ["Input.Format"] = "csv" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        return Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
    }

    private static async Task<string> ExportXlsxAsync(HttpClient client, Guid procedureId)
    {
        var response = await MadoguchiFactory.PostFormAsync(client, $"/staff/ledger/{procedureId}/export", new() { ["Input.Scope"] = "all", ["Input.Format"] = "xlsx" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync(Ct)));
        using var reader = new StreamReader(zip.GetEntry("xl/worksheets/sheet1.xml")!.Open());
        return await reader.ReadToEndAsync(Ct);
    }

    private static string Url(Guid procedureId, string query = "") => $"/staff/ledger/{procedureId}" + (query.Length > 0 ? "?" + query : "");

    private static IReadOnlyList<string> Headers(string html) => [.. HeaderPattern().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    /// <summary>The markup of one case's row of the ledger page.</summary>
    private static string Row(string html, Guid caseId)
    {
        var start = html.IndexOf($"<tr data-case=\"{caseId}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"case {caseId} is not in the ledger");
        return html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }

    [GeneratedRegex("<th scope=\"col\">([^<]*)</th>")]
    private static partial Regex HeaderPattern();
}
