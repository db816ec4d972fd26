using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Madoguchi.Web.Features.Applicants;

/// <summary>Where a failed sign-in lands when the provider's answer did not even say which form it was for (a lost or forged state).</summary>
[AllowAnonymous]
public sealed class SignInFailedModel : PageModel
{
    public void OnGet()
    {
    }
}
