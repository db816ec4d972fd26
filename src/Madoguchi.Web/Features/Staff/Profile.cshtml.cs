using System.Globalization;
using System.Security.Claims;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Madoguchi.Web.Features.Staff;

/// <summary>The signed-in member of staff's own account: passkeys, API tokens and "sign out everywhere".</summary>
[Authorize]
public sealed class ProfileModel(UserManager<StaffUser> users, ApiTokens tokens, StaffSessions sessions, SignInManager<StaffUser> signIn, AuditTrail audit) : PageModel
{
    public sealed record PasskeyInput
    {
        public string? Name { get; init; }
        /// <summary>The JSON of navigator.credentials.create(), put in the form by passkeys.js.</summary>
        public string? CredentialJson { get; init; }
    }

    public sealed record PasskeyRow(string Id, string Name, DateTimeOffset CreatedAt);

    [BindProperty] public PasskeyInput Passkey { get; set; } = new();
    public IReadOnlyList<PasskeyRow> PasskeyRows { get; private set; } = [];

    public sealed record InputModel
    {
        public string? Name { get; init; }
        public List<string> Scopes { get; init; } = [];
        public string? Expires { get; init; }
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public IReadOnlyList<ApiToken> Tokens { get; private set; } = [];
    /// <summary>A token just created: shown on this response only.</summary>
    public string? NewToken { get; private set; }
    [TempData] public string? Notice { get; set; }

    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        Tokens = await tokens.ListAsync(UserId, ct);
        var user = await users.GetUserAsync(User);
        PasskeyRows = user is null ? [] : [.. (await users.GetPasskeysAsync(user)).OrderBy(p => p.CreatedAt)
            .Select(p => new PasskeyRow(System.Buffers.Text.Base64Url.EncodeToString(p.CredentialId), p.Name ?? "（名前なし）", p.CreatedAt))];
    }

    public async Task<IActionResult> OnPostAddPasskeyAsync(CancellationToken ct)
    {
        var name = Passkey.Name?.Trim() ?? "";
        if (name.Length == 0) ModelState.AddModelError("Passkey.Name", "パスキーの名前を入力してください（例: 窓口端末の指紋認証）");
        else if (name.Length > 50) ModelState.AddModelError("Passkey.Name", $"パスキーの名前は50文字以内にしてください（今は{name.Length}文字）");
        var user = await users.GetUserAsync(User);
        if (ModelState.IsValid && user is not null)
        {
            if (string.IsNullOrWhiteSpace(Passkey.CredentialJson))
            {
                ModelState.AddModelError("Passkey.Name", "パスキーの登録には JavaScript が必要です。JavaScript を有効にして「パスキーを登録」を押してください");
            }
            else
            {
                PasskeyAttestationResult? result = null;
                try
                {
                    result = await signIn.PerformPasskeyAttestationAsync(Passkey.CredentialJson);
                }
                catch (InvalidOperationException)
                {
                    // No registration pending (it expired after 10 minutes, or the form was posted twice).
                }
                if (result is not { Succeeded: true } || result.UserEntity.Id != user.Id)
                {
                    ModelState.AddModelError("Passkey.Name", "パスキーを登録できませんでした。もう一度「パスキーを登録」を押し、端末の PIN や指紋・顔で本人確認をしてください");
                }
                else
                {
                    result.Passkey.Name = name;
                    await users.AddOrUpdatePasskeyAsync(user, result.Passkey);
                    Notice = $"パスキー「{name}」を登録しました。次回から、サインイン画面の「パスキーでサインイン」で使えます。";
                    return RedirectToPage();
                }
            }
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRemovePasskeyAsync(string id)
    {
        var user = await users.GetUserAsync(User);
        byte[]? credentialId = null;
        try
        {
            credentialId = System.Buffers.Text.Base64Url.DecodeFromChars(id);
        }
        catch (FormatException)
        {
        }
        // Only the signed-in member's own passkeys can be found, so another's id removes nothing.
        var existing = user is null || credentialId is null ? null : await users.GetPasskeyAsync(user, credentialId);
        if (existing is null)
        {
            Notice = "そのパスキーは見つかりません。既に削除されている可能性があります。";
        }
        else
        {
            await users.RemovePasskeyAsync(user!, credentialId!);
            Notice = $"パスキー「{existing.Name}」を削除しました。";
        }
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        DateOnly? expires = null;
        if (!string.IsNullOrWhiteSpace(Input.Expires))
        {
            if (DateOnly.TryParseExact(TextNormalizer.Normalize(Input.Expires), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) expires = d;
            else ModelState.AddModelError("Input.Expires", "有効期限は 2027-03-31 の形で入力してください");
        }
        if (Input.Scopes.Count == 0) ModelState.AddModelError("Input.Scopes", "スコープを1つ以上選んでください");
        if (ModelState.IsValid)
        {
            var user = await users.GetUserAsync(User);
            try
            {
                var created = await tokens.CreateAsync(user!, Input.Name ?? "", string.Join(",", Input.Scopes), expires, ct);
                NewToken = created.Secret;
            }
            catch (ArgumentException e)
            {
                ModelState.AddModelError("Input.Scopes", e.Message);
            }
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken ct)
    {
        Notice = await tokens.RevokeAsync(UserId, id, ct) ? "トークンを失効させました。" : "そのトークンは見つからないか、既に失効しています。";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostSignOutEverywhereAsync(CancellationToken ct)
    {
        await audit.AppendAsync(new AuditEvent(AuditActions.SignOutEverywhere, "staff-user", UserId), ct);
        await sessions.EndAllAsync(UserId, ct);
        var user = await users.GetUserAsync(User);
        // A new security stamp also invalidates sign-ins half way through (password given, code not yet).
        if (user is not null) await users.UpdateSecurityStampAsync(user);
        await signIn.SignOutAsync();
        return LocalRedirect("/staff/signin?signedOut=true");
    }
}
