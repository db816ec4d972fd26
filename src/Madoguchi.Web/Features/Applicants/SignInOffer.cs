using Madoguchi.Web.Features.Forms;

namespace Madoguchi.Web.Features.Applicants;

/// <summary>What the sign-in part of a form's start page needs (<c>_SignIn.cshtml</c>).</summary>
/// <param name="Refused">An anonymous start of a form that requires sign-in was just refused.</param>
public sealed record SignInOffer(string Slug, FormDefinition Definition, bool Refused = false)
{
    /// <summary>Whether residents may start the form without signing in.</summary>
    public static bool AnonymousAllowed(FormDefinition definition) => definition?.SignIn?.Mode != SignInMode.Required;
}
