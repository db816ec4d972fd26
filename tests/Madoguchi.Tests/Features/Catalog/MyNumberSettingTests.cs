using System.Net;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Features.Forms;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Catalog;

/// <summary>Whether a procedure may collect 個人番号 is set on its edit page, by administrators only.</summary>
public sealed class MyNumberSettingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Edit(Guid departmentId, bool? usesMyNumber) => new()
    {
        ["Input.Name"] = "児童手当認定請求",
        ["Input.DepartmentId"] = departmentId.ToString(),
        ["Input.Eligible"] = "yes",
        ["Input.Status"] = "NotDone",
        ["Input.UsesMyNumber"] = usesMyNumber is true ? "true" : "",
    };

    [Fact]
    public async Task An_administrator_marks_a_procedure_as_using_my_number_and_the_history_says_so()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var dept = Builders.Department();
        var p = Builders.Procedure("KT-50", dept, x => x.Name = "児童手当認定請求");
        await app.SaveAsync(dept, p);
        var client = await app.SignedInClientAsync(Roles.Admin);

        Assert.Contains("この手続で個人番号を利用する", await client.GetStringAsync($"/staff/inventory/{p.Id}/edit", Ct));
        var response = await MadoguchiFactory.PostFormAsync(client, $"/staff/inventory/{p.Id}/edit", Edit(dept.Id, true));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        Assert.True(await StoredAsync(app, p.Id));
        Assert.Contains("個人番号の利用: （なし） → 利用する", await client.GetStringAsync($"/staff/inventory/{p.Id}", Ct));
    }

    [Fact]
    public async Task Dx_staff_see_the_setting_but_a_posted_value_does_not_change_it()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var dept = Builders.Department();
        var p = Builders.Procedure("KT-51", dept, x => x.Name = "児童手当認定請求");
        await app.SaveAsync(dept, p);
        var client = await app.SignedInClientAsync(Roles.Dx);

        var page = await client.GetStringAsync($"/staff/inventory/{p.Id}/edit", Ct);
        Assert.Contains("変更できるのは管理者だけです", page);
        Assert.DoesNotContain("name=\"Input.UsesMyNumber\"", page);
        var response = await MadoguchiFactory.PostFormAsync(client, $"/staff/inventory/{p.Id}/edit", Edit(dept.Id, true));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.False(await StoredAsync(app, p.Id));
    }

    [Fact]
    public async Task It_cannot_be_turned_off_while_a_form_of_the_procedure_collects_my_number()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var dept = Builders.Department();
        var p = Builders.Procedure("KT-1", dept, x => { x.Name = "児童手当認定請求"; x.UsesMyNumber = true; });
        await app.SaveAsync(dept, p);
        var form = JsonNode.Parse(FormParserTests.Minimal)!;
        form["pages"]![0]!["items"]!.AsArray().Add(new JsonObject { ["type"] = "my-number", ["key"] = "myNumber", ["label"] = new JsonObject { ["ja"] = "個人番号" } });
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<FormService>().ImportAsync(form.ToJsonString(), "KT-1", "staff@example.jp", Ct);
        }
        var client = await app.SignedInClientAsync(Roles.Admin);

        var response = await MadoguchiFactory.PostFormAsync(client, $"/staff/inventory/{p.Id}/edit", Edit(dept.Id, false));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("フォーム test-form が個人番号の項目を持っています", html);
        Assert.Contains("href=\"#Input_UsesMyNumber\"", html);
        Assert.True(await StoredAsync(app, p.Id));
    }

    private static async Task<bool> StoredAsync(MadoguchiFactory app, Guid id)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        return (await db.Procedures.FindAsync([id], Ct))!.UsesMyNumber;
    }
}
