using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Staff;

/// <summary>DESIGN.md §4.3: 個人番号 is a permission of its own, not part of any role.</summary>
public sealed class PermissionTests
{
    private static async Task<bool> MayViewMyNumberAsync(MadoguchiFactory app, string email)
    {
        await using var scope = app.Scope();
        var sp = scope.ServiceProvider;
        var user = await sp.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email);
        var principal = await sp.GetRequiredService<IUserClaimsPrincipalFactory<StaffUser>>().CreateAsync(user!);
        return (await sp.GetRequiredService<IAuthorizationService>().AuthorizeAsync(principal, Policies.MyNumber)).Succeeded;
    }

    [Fact]
    public async Task Only_accounts_granted_my_number_pass_its_policy_not_even_admins_by_role()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (admin, _) = await app.CreateUserAsync(Roles.Admin);
        var dept = Builders.Department();
        await app.SaveAsync(dept);

        var created = await CliRunner.RunAsync(app.Database, "user", "create", "--email", "kojin@test.example", "--password", "correct-horse-battery",
            "--role", "staff", "--department", "区民部 区民課", "--permission", "my-number");
        var refused = await CliRunner.RunAsync(app.Database, "user", "create", "--email", "other@test.example", "--password", "correct-horse-battery",
            "--role", "dx", "--permission", "everything");

        Assert.Equal(0, created.ExitCode);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("--permission 'everything' はありません", refused.Stderr);
        Assert.False(await MayViewMyNumberAsync(app, admin));
        Assert.True(await MayViewMyNumberAsync(app, "kojin@test.example"));
        await using var scope = app.Scope();
        Assert.Null(await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync("other@test.example"));
    }

    [Fact]
    public async Task Only_an_admin_grants_and_revokes_my_number_on_the_users_page_and_revoking_ends_the_holders_sessions()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var admin = await app.SignedInClientAsync(Roles.Admin);
        var dx = await app.SignedInClientAsync(Roles.Dx);
        var (holder, login) = await app.SignInNewUserAsync(Roles.Dx);
        string id;
        await using (var scope = app.Scope())
        {
            id = (await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(login.Email))!.Id;
        }
        var url = $"/staff/admin/users?handler=MyNumber&id={id}";

        var byDx = await MadoguchiFactory.PostFormAsync(dx, url, new() { ["grant"] = "true" }, getUrl: "/staff/profile");
        Assert.Equal(System.Net.HttpStatusCode.Redirect, byDx.StatusCode);
        Assert.StartsWith("/staff/denied", byDx.Headers.Location!.PathAndQuery);
        Assert.False(await MayViewMyNumberAsync(app, login.Email));

        var granted = await MadoguchiFactory.PostFormAsync(admin, url, new() { ["grant"] = "true" }, getUrl: "/staff/admin/users");
        Assert.Equal(System.Net.HttpStatusCode.Redirect, granted.StatusCode);
        Assert.True(await MayViewMyNumberAsync(app, login.Email));
        var page = await admin.GetStringAsync("/staff/admin/users", TestContext.Current.CancellationToken);
        Assert.Contains("個人番号の権限を付与しました", page);
        Assert.Contains("取り消す<span class=\"visually-hidden\">（" + login.Email, page);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await holder.GetAsync("/staff", TestContext.Current.CancellationToken)).StatusCode);

        var revoked = await MadoguchiFactory.PostFormAsync(admin, url, new() { ["grant"] = "false" }, getUrl: "/staff/admin/users");
        Assert.Equal(System.Net.HttpStatusCode.Redirect, revoked.StatusCode);
        Assert.False(await MayViewMyNumberAsync(app, login.Email));
        // The permission lived in the holder's session cookie: that session is over.
        var after = await holder.GetAsync("/staff", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/staff/signin", after.Headers.Location!.PathAndQuery);
    }
}
