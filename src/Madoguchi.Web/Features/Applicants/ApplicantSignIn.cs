using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared.Localization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Applicants;

/// <summary>
/// The end of a resident's sign-in, inside the provider's callback (whose state and nonce the
/// handler has checked): the resident's unfinished draft of the form is reopened on this device,
/// or a new one is started with the claims as prefilled answers. The cookie then keeps only the
/// subject hash: names, addresses and birthdates live in the draft, never in a cookie.
/// </summary>
public sealed class ApplicantSignIn(MadoguchiDbContext db, DraftService drafts, ApplicantOidcSettings settings, TimeProvider clock, Lang lang)
{
    /// <summary>
    /// An unkeyed hash of issuer and subject: the same person at the same provider always gives the
    /// same value (so drafts resume), but the raw identifier, which the provider could resolve to a
    /// person, is never stored.
    /// </summary>
    public static string Subject(string issuer, string sub) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"madoguchi-applicant\n{issuer.TrimEnd('/')}\n{sub}")));

    public async Task CompleteAsync(TicketReceivedContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var ct = ctx.HttpContext.RequestAborted;
        var slug = ctx.Properties?.Items.TryGetValue(ApplicantsModule.SlugItem, out var s) == true ? s : null;
        var sub = ctx.Principal?.FindFirst("sub")?.Value;
        if (slug is null || sub is null || ctx.Principal is null)
        {
            ctx.Fail("no subject or form");
            return;
        }
        var subject = Subject(settings.ExpectedIssuer, sub);
        var form = $"/forms/{Uri.EscapeDataString(slug)}";
        var now = clock.GetUtcNow();
        var existing = await db.Drafts.Include(d => d.Form)
            .Where(d => d.Form!.Slug == slug && d.ApplicantSubject == subject && d.ExpiresAt > now)
            .OrderByDescending(d => d.UpdatedAt).FirstOrDefaultAsync(ct);
        string next;
        if (existing is not null)
        {
            // The same person on another device (or after signing out): continue without a code; a
            // device that held the draft before needs to sign in again.
            var secret = ReceiptNumbers.NewSecret();
            existing.SecretHash = ReceiptNumbers.Hash(secret);
            await db.SaveChangesAsync(ct);
            FormFilling.WriteCookie(ctx.Response, slug, existing.Id, secret);
            var opened = await drafts.OpenAsync(existing.Id, secret, ct);
            next = $"{form}/{existing.CurrentPage ?? opened?.Definition.Pages.FirstOrDefault()?.Key ?? "check"}";
        }
        else
        {
            var started = await drafts.StartAsync(slug, Lang.Code(lang.Current), ct);
            if (started is not { } fresh)
            {
                ctx.Fail("form not published");
                return;
            }
            var definition = await PublishedDefinitions.GetAsync(db, fresh.Draft.FormVersionId, ct);
            var (answers, hashes) = ApplicantPrefill.Answers(definition, ctx.Principal, settings);
            fresh.Draft.ApplicantSubject = subject;
            fresh.Draft.PrefilledJson = hashes.Count == 0 ? null : JsonSerializer.Serialize(hashes);
            await drafts.SaveAsync(fresh.Draft, answers, null, ct);
            FormFilling.WriteCookie(ctx.Response, slug, fresh.Draft.Id, fresh.Secret);
            var first = FormFilling.VisiblePages(definition, answers).FirstOrDefault();
            next = first is null ? $"{form}/check" : $"{form}/{first.Key}";
        }
        var identity = new ClaimsIdentity([new Claim(ApplicantsModule.SubjectClaim, subject)], ApplicantsModule.CookieScheme);
        ctx.Principal = new ClaimsPrincipal(identity);
        ctx.ReturnUri = next;
    }
}
