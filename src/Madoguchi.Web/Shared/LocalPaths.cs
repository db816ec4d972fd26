namespace Madoguchi.Web.Shared;

/// <summary>
/// Where a "return to" parameter may send the browser: a path on this site only. "//host" and "/\host"
/// start with a slash but browsers read them as another site; an open redirect would let a phishing
/// link borrow the city's domain.
/// </summary>
public static class LocalPaths
{
    public static bool Is(string? url) => url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

    /// <summary><paramref name="url"/> when it is a local path, else <paramref name="fallback"/>.</summary>
    public static string Or(string? url, string fallback) => Is(url) ? url! : fallback;
}
