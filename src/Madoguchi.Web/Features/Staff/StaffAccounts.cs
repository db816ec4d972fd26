using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Microsoft.AspNetCore.Identity;

namespace Madoguchi.Web.Features.Staff;

public static class StaffAccounts
{
    public static async Task EnsureRoleAsync(IServiceProvider sp, string role)
    {
        var roles = sp.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(role))
        {
            await roles.CreateAsync(new IdentityRole(role));
        }
    }

    /// <summary>Creates a signed-in-ready account; throws with Identity's reasons in Japanese.</summary>
    public static async Task<StaffUser> CreateAsync(IServiceProvider sp, string email, string password, string role, Guid? departmentId, string? displayName = null)
    {
        var users = sp.GetRequiredService<UserManager<StaffUser>>();
        // The account, its role and the audit entries commit together (one scoped context).
        var db = sp.GetRequiredService<MadoguchiDbContext>();
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync() : null;
        var user = new StaffUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = displayName ?? email,
            DepartmentId = departmentId,
            LockoutEnabled = true,
        };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            throw new ArgumentException("アカウントを作成できません: " + string.Join(" ", created.Errors.Select(IdentityMessages.Japanese)));
        }
        await EnsureRoleAsync(sp, role);
        await users.AddToRoleAsync(user, role);
        var audit = sp.GetRequiredService<AuditTrail>();
        await audit.AppendAsync(new AuditEvent(AuditActions.UserCreated, "staff-user", user.Id) { DepartmentId = departmentId });
        await audit.AppendAsync(new AuditEvent(AuditActions.RoleGranted, "staff-user", user.Id) { DepartmentId = departmentId, Detail = $"role={role}" });
        if (tx is not null) await tx.CommitAsync();
        return user;
    }

    /// <summary>Grants a permission such as <see cref="Permissions.MyNumber"/>; it applies from the next sign-in.</summary>
    public static async Task GrantAsync(IServiceProvider sp, StaffUser user, string permission)
    {
        if (!Permissions.All.Contains(permission))
        {
            throw new ArgumentException($"権限 '{permission}' はありません。{string.Join(", ", Permissions.All)} のいずれかを指定してください。");
        }
        var users = sp.GetRequiredService<UserManager<StaffUser>>();
        var claim = new System.Security.Claims.Claim(Permissions.ClaimType, permission);
        if (!(await users.GetClaimsAsync(user)).Any(c => c.Type == claim.Type && c.Value == claim.Value))
        {
            await users.AddClaimAsync(user, claim);
            await sp.GetRequiredService<AuditTrail>().AppendAsync(new AuditEvent(AuditActions.PermissionGranted, "staff-user", user.Id)
            {
                DepartmentId = user.DepartmentId,
                Detail = $"permission={permission}",
            });
        }
    }

    /// <summary>Takes a permission back; the account's open sessions end so that it applies at once.</summary>
    public static async Task RevokeAsync(IServiceProvider sp, StaffUser user, string permission)
    {
        var users = sp.GetRequiredService<UserManager<StaffUser>>();
        var held = (await users.GetClaimsAsync(user)).Where(c => c.Type == Permissions.ClaimType && c.Value == permission).ToList();
        if (held.Count == 0) return;
        await users.RemoveClaimsAsync(user, held);
        await sp.GetRequiredService<AuditTrail>().AppendAsync(new AuditEvent(AuditActions.PermissionRevoked, "staff-user", user.Id)
        {
            DepartmentId = user.DepartmentId,
            Detail = $"permission={permission}",
        });
        // The permission is a claim inside the session cookie: ending the sessions takes it away now,
        // not at the next security-stamp refresh.
        await users.UpdateSecurityStampAsync(user);
        await sp.GetRequiredService<StaffSessions>().EndAllAsync(user.Id);
    }
}

/// <summary>Identity's error codes in words staff understand.</summary>
public static class IdentityMessages
{
    public static string Japanese(IdentityError e) => e.Code switch
    {
        "PasswordTooShort" => "パスワードは12文字以上にしてください。",
        "DuplicateUserName" or "DuplicateEmail" => "このメールアドレスのアカウントは既にあります。",
        "InvalidEmail" or "InvalidUserName" => "メールアドレスの形式が正しくありません。",
        "PasswordRequiresUniqueChars" => "パスワードに使う文字の種類を増やしてください。",
        _ => e.Description,
    };
}
