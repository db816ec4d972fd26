using System.CommandLine;
using System.Globalization;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Identity;

namespace Madoguchi.Cli;

internal static class TokenCommands
{
    public static Command Create()
    {
        var email = new Option<string>("--email") { Description = "トークンの持ち主（職員のメールアドレス）", Required = true };
        var scope = new Option<string>("--scope") { Description = "スコープ（カンマ区切り）: " + string.Join(", ", ApiTokens.Scopes.Keys), Required = true };
        var expires = new Option<string?>("--expires") { Description = "有効期限（この日の終わりまで、例: 2027-03-31）。省略時は90日後" };
        var name = new Option<string?>("--name") { Description = "用途がわかる名前" };
        var create = new Command("create", "APIトークンを作成します。トークンは標準出力の最後の行に1回だけ表示されます") { email, scope, expires, name };
        create.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var owner = await FindOwnerAsync(sp, result.GetValue(email)!);
            DateOnly? until = null;
            if (result.GetValue(expires) is { } text)
            {
                if (!DateOnly.TryParseExact(TextNormalizer.Normalize(text), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                {
                    throw new CliException($"--expires '{text}' は日付として読めません。2027-03-31 の形で指定してください。");
                }
                until = d;
            }
            ApiTokens.Created created;
            try
            {
                created = await sp.GetRequiredService<ApiTokens>().CreateAsync(owner, result.GetValue(name) ?? "CLI", result.GetValue(scope)!, until, ct);
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message);
            }
            var expiry = TimeZoneInfo.ConvertTime(created.Token.ExpiresAt, JapanTime.Zone);
            Cli.Info($"トークン {created.Token.Id} を作成しました（スコープ: {created.Token.Scopes}、有効期限: {expiry:yyyy-MM-dd HH:mm} 日本時間）。この後に表示されるトークンは二度と表示されません。");
            Cli.Stdout.WriteLine(created.Secret);
            return Cli.Ok;
        }));

        var listEmail = new Option<string>("--email") { Description = "持ち主のメールアドレス", Required = true };
        var list = new Command("list", "APIトークンの一覧（トークン本体は表示しません）") { listEmail };
        list.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var owner = await FindOwnerAsync(sp, result.GetValue(listEmail)!);
            var tokens = await sp.GetRequiredService<ApiTokens>().ListAsync(owner.Id, ct);
            Cli.WriteJson(tokens.Select(t => new { id = t.Id, name = t.Name, scopes = t.Scopes.Split(','), createdAt = t.CreatedAt, expiresAt = t.ExpiresAt, revokedAt = t.RevokedAt, lastUsedAt = t.LastUsedAt }));
            return Cli.Ok;
        }));

        var revokeEmail = new Option<string>("--email") { Description = "持ち主のメールアドレス", Required = true };
        var id = new Option<Guid>("--id") { Description = "失効させるトークンの id（token list で確認）", Required = true };
        var revoke = new Command("revoke", "APIトークンを失効させます") { revokeEmail, id };
        revoke.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var owner = await FindOwnerAsync(sp, result.GetValue(revokeEmail)!);
            if (!await sp.GetRequiredService<ApiTokens>().RevokeAsync(owner.Id, result.GetValue(id), ct))
            {
                throw new CliException($"{owner.Email} の有効なトークン {result.GetValue(id)} はありません。token list で id を確認してください。");
            }
            Cli.Info("トークンを失効させました。");
            return Cli.Ok;
        }));
        return new Command("token", "職員用APIのトークン / personal access tokens") { create, list, revoke };
    }

    private static async Task<StaffUser> FindOwnerAsync(IServiceProvider sp, string email)
        => await sp.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email.Trim())
            ?? throw new CliException($"メールアドレス '{email}' の職員アカウントはありません。user create で作成するか、綴りを確認してください。");
}
