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
}
