using System.CommandLine;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Cli;

internal static class UserCommands
{
    public static Command Create()
    {
        var email = new Option<string>("--email") { Description = "メールアドレス（サインインID）", Required = true };
        var password = new Option<string>("--password") { Description = "パスワード（12文字以上）", Required = true };
        var role = new Option<string>("--role") { Description = "admin | dx | manager | staff | counter | auditor", Required = true };
        var department = new Option<string?>("--department") { Description = "所属（例: \"区民部 区民課\"）。manager と staff は必須" };
        var name = new Option<string?>("--name") { Description = "表示名" };
        var permission = new Option<string[]>("--permission") { Description = "ロールとは別に与える権限（my-number: 個人番号の閲覧）", AllowMultipleArgumentsPerToken = true };
        var create = new Command("create", "職員アカウントを作成します") { email, password, role, department, name, permission };
        create.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var roleName = result.GetValue(role)!;
            if (!Roles.All.Contains(roleName))
            {
                throw new CliException($"--role '{roleName}' はありません。{string.Join(", ", Roles.All)} のいずれかを指定してください。");
            }
            var db = sp.GetRequiredService<MadoguchiDbContext>();
            Department? dept = null;
            var deptText = result.GetValue(department);
            if (deptText is not null)
            {
                dept = await FindDepartmentAsync(db, deptText, ct)
                    ?? throw new CliException($"所属 '{deptText}' が見つかりません。\"部 課\" または \"部 課 係\" の形で、登録済みの組織を指定してください。");
            }
            else if (Roles.NeedsDepartment(roleName))
            {
                throw new CliException($"ロール {roleName} には --department（所属）が必要です。");
            }
            StaffUser user;
            try
            {
                var granted = result.GetValue(permission) ?? [];
                var unknown = granted.Where(p => !Permissions.All.Contains(p)).ToList();
                if (unknown.Count > 0) throw new ArgumentException($"--permission '{string.Join(", ", unknown)}' はありません。{string.Join(", ", Permissions.All)} のいずれかを指定してください。");
                user = await StaffAccounts.CreateAsync(sp, result.GetValue(email)!.Trim(), result.GetValue(password)!, roleName, dept?.Id, result.GetValue(name));
                foreach (var p in granted) await StaffAccounts.GrantAsync(sp, user, p);
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message);
            }
            Cli.WriteJson(new { id = user.Id, email = user.Email, role = roleName, department = dept?.DisplayName });
            return Cli.Ok;
        }));
        return new Command("user", "職員アカウント / staff accounts") { create };
    }

    public static async Task<Department?> FindDepartmentAsync(MadoguchiDbContext db, string text, CancellationToken ct)
    {
        var parts = text.Split([' ', '　', '/', '／'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length is 0 or > 3) return null;
        var bu = parts[0];
        var ka = parts.Length > 1 ? parts[1] : "";
        var kakari = parts.Length > 2 ? parts[2] : "";
        return await db.Departments.FirstOrDefaultAsync(d => d.Bu == bu && d.Ka == ka && d.Kakari == kakari, ct);
    }
}
