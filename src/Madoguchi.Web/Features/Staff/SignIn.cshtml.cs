using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Madoguchi.Web.Features.Staff;

[AllowAnonymous]
public sealed class SignInModel(SignInManager<StaffUser> signIn) : PageModel
{
    public sealed record InputModel
    {
        [Required(ErrorMessage = "メールアドレスを入力してください")]
        [EmailAddress(ErrorMessage = "メールアドレスの形式で入力してください（例: taro@city.example.jp）")]
        public string Email { get; init; } = "";

        [Required(ErrorMessage = "パスワードを入力してください")]
        public string Password { get; init; } = "";
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    // Read, not bound: a mangled ?signedOut must not put a model error in the sign-in form's summary.
    public bool SignedOut => bool.TryParse(Request.Query["signedOut"], out var signedOut) && signedOut;

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();
        var result = await signIn.PasswordSignInAsync(Input.Email.Trim(), Input.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/staff");
        }
        if (result.IsLockedOut)
        {
            ModelState.AddModelError("", "サインインの失敗が続いたため、このアカウントは一時的にロックされています。15分後にもう一度お試しください。");
            return Page();
        }
        // The same message for an unknown account and a wrong password, so accounts cannot be probed.
        ModelState.AddModelError("Input.Password", "メールアドレスまたはパスワードが正しくありません");
        return Page();
    }
}
