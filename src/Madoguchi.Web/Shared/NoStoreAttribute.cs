namespace Madoguchi.Web.Shared;

/// <summary>
/// A page whose response must never be cached (a resident's answers, a ticket, a receipt's status).
/// Read by <see cref="WebPlatform.UseSecurityHeaders"/> as endpoint metadata and applied when the
/// response starts, after rendering. <c>[NoStore]</c> sets the header before
/// rendering instead, and antiforgery then logs a warning on every view of a page with a form when it
/// adds its own no-cache.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class NoStoreAttribute : Attribute;
