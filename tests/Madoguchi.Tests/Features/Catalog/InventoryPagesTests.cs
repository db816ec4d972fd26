using System.Net;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Staff;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Catalog;

[Trait("storage", "true")]
public sealed class InventoryPagesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_sign_in()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var response = await app.CreatePlainClient().GetAsync("/staff/inventory", Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/staff/signin", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Dx_staff_filter_the_inventory_by_tool_and_status()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var dept = Builders.Department();
        await app.SaveAsync(
            Builders.Procedure("KT-1", dept, p => { p.Name = "住民票の写しの交付申請"; p.Tool = "LoGoフォーム"; p.Status = OnlineStatus.Done; }),
            Builders.Procedure("KT-2", dept, p => { p.Name = "印鑑登録申請"; p.Tool = "ぴったりサービス"; }),
            Builders.Procedure("KT-3", dept, p => { p.Name = "犬の登録"; p.Tool = "LoGoフォーム"; }));
        var client = await app.SignedInClientAsync(Roles.Dx);

        var html = await client.GetStringAsync("/staff/inventory?Filter.Tool=LoGoフォーム&Filter.Status=Done", Ct);

        Assert.Contains("住民票の写しの交付申請", html);
        Assert.DoesNotContain("印鑑登録申請", html);
        Assert.DoesNotContain("犬の登録", html);
        Assert.Contains("1 件", html);
    }

    [Fact]
    public async Task Staff_see_only_their_own_departments_procedures()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var own = Builders.Department("区民部", "区民課");
        var other = Builders.Department("健康部", "生活衛生課");
        var mine = Builders.Procedure("KT-10", own, p => p.Name = "転入届");
        var theirs = Builders.Procedure("KT-11", other, p => p.Name = "飲食店営業許可申請");
        await app.SaveAsync(own, other, mine, theirs);
        var client = await app.SignedInClientAsync(Roles.Staff, own.Id);

        var list = await client.GetStringAsync("/staff/inventory", Ct);
        Assert.Contains("転入届", list);
        Assert.DoesNotContain("飲食店営業許可申請", list);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/staff/inventory/{mine.Id}", Ct)).StatusCode);
        // Another department's procedure is not found, so its id cannot even be confirmed.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/staff/inventory/{theirs.Id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Staff_without_inventory_write_cannot_open_the_edit_page()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var dept = Builders.Department();
        var p = Builders.Procedure("KT-20", dept);
        await app.SaveAsync(dept, p);
        var client = await app.SignedInClientAsync(Roles.Staff, dept.Id);

        var response = await client.GetAsync($"/staff/inventory/{p.Id}/edit", Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/staff/denied", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task An_edit_is_saved_and_shown_in_the_history_with_who_and_what()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var dept = Builders.Department();
        var p = Builders.Procedure("KT-30", dept, x => x.Name = "児童手当認定請求");
        await app.SaveAsync(dept, p);
        var (client, login) = await app.SignInNewUserAsync(Roles.Dx);
        var email = login.Email;

        var response = await MadoguchiFactory.PostFormAsync(client, $"/staff/inventory/{p.Id}/edit", new()
        {
            ["Input.Name"] = "児童手当認定請求",
            ["Input.DepartmentId"] = dept.Id.ToString(),
            ["Input.Eligible"] = "yes",
            ["Input.Status"] = "Done",
            ["Input.OnlineSince"] = "２０２４－０７",
            ["Input.PlanYear"] = "2024",
            ["Input.Tool"] = "ぴったりサービス",
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var details = await client.GetStringAsync($"/staff/inventory/{p.Id}", Ct);
        Assert.Contains("保存しました", details);
        Assert.Contains("2024-07-01", details);
        Assert.Contains(email, details);
        Assert.Contains("オンライン化状況: 未 → 済", details);
        Assert.Contains("利用ツール: （なし） → ぴったりサービス", details);
    }

    [Fact]
    public async Task An_ineligible_procedure_cannot_be_marked_online_and_nothing_is_saved()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var dept = Builders.Department();
        var p = Builders.Procedure("KT-40", dept, x => x.Name = "原本確認が必要な届出");
        await app.SaveAsync(dept, p);
        var client = await app.SignedInClientAsync(Roles.Dx);

        var response = await MadoguchiFactory.PostFormAsync(client, $"/staff/inventory/{p.Id}/edit", new()
        {
            ["Input.Name"] = "名前を変えた届出",
            ["Input.Eligible"] = "no",
            ["Input.IneligibleReason"] = "原本の提示が必要",
            ["Input.Status"] = "Done",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("dads-error-summary", html);
        Assert.Contains("href=\"#Input_Status\"", html);
        Assert.Contains("aria-invalid=\"true\"", html);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var stored = await db.Procedures.SingleAsync(x => x.Id == p.Id, Ct);
        Assert.Equal("原本確認が必要な届出", stored.Name);
        Assert.Empty(await db.ProcedureChanges.Where(c => c.ProcedureId == p.Id).ToListAsync(Ct));
    }
}
