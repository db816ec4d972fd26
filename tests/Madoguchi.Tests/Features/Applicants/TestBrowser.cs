using System.Net;
using System.Text.RegularExpressions;

namespace Madoguchi.Tests.Features.Applicants;

/// <summary>
/// A browser without JavaScript for a flow that crosses two servers: requests to https://localhost go
/// to the app in memory, others to the provider's real port. Cookies are kept per host and path, and
/// redirects are followed as a browser does (GET after 302/303).
/// </summary>
public sealed partial class TestBrowser(HttpMessageHandler app, HttpMessageHandler provider) : IDisposable
{
    private readonly HttpMessageInvoker _app = new(app, disposeHandler: false);
    private readonly HttpMessageInvoker _provider = new(provider, disposeHandler: true);

    public CookieContainer Cookies { get; } = new();
    /// <summary>Lets a test change a request the browser is about to send (an attacker's edit of a redirect).</summary>
    public Func<Uri, Uri>? Rewrite { get; set; }
    public Uri Address { get; private set; } = new("https://localhost/");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        var uri = request.RequestUri!.IsAbsoluteUri ? request.RequestUri : new Uri(new Uri("https://localhost/"), request.RequestUri);
        if (Rewrite is not null) uri = Rewrite(uri);
        request.RequestUri = uri;
        var header = Cookies.GetCookieHeader(uri);
        if (header.Length > 0) request.Headers.Add("Cookie", header);
        var response = await (uri.Host == "localhost" && uri.IsDefaultPort ? _app : _provider).SendAsync(request, Ct);
        if (response.Headers.TryGetValues("Set-Cookie", out var set))
        {
            foreach (var cookie in set) Cookies.SetCookies(uri, cookie);
        }
        return response;
    }

    /// <summary>Sends the request and follows redirects; returns the last response (its page is <see cref="Address"/>).</summary>
    public async Task<HttpResponseMessage> NavigateAsync(HttpRequestMessage request)
    {
        for (var hops = 0; hops < 10; hops++)
        {
            var response = await SendAsync(request);
            Address = request.RequestUri!;
            if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is null) return response;
            request = new HttpRequestMessage(HttpMethod.Get, new Uri(Address, response.Headers.Location));
        }
        throw new InvalidOperationException("too many redirects");
    }

    public Task<HttpResponseMessage> GetAsync(string url) => NavigateAsync(new HttpRequestMessage(HttpMethod.Get, url));

    /// <summary>Posts a form of the page as a browser would: the page's hidden fields (antiforgery token included) plus the given ones.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string page, string action, Dictionary<string, string> fields)
    {
        var form = Form(page, action);
        foreach (var (k, v) in fields) form[k] = v;
        var target = new Uri(Address, action);
        return await NavigateAsync(new HttpRequestMessage(HttpMethod.Post, target) { Content = new FormUrlEncodedContent(form) });
    }

    /// <summary>The hidden inputs of the form whose action is <paramref name="action"/>.</summary>
    public static Dictionary<string, string> Form(string page, string action)
    {
        var start = page.IndexOf($"action=\"{action}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no form posting to {action} on the page");
        var end = page.IndexOf("</form>", start, StringComparison.Ordinal);
        var fields = new Dictionary<string, string>();
        foreach (Match m in HiddenInput().Matches(page[start..end]))
        {
            var name = NameAttribute().Match(m.Value).Groups[1].Value;
            var value = ValueAttribute().Match(m.Value).Groups[1].Value;
            fields[WebUtility.HtmlDecode(name)] = WebUtility.HtmlDecode(value);
        }
        return fields;
    }

    public string? Cookie(string name, string url = "https://localhost/forms/") => Cookies.GetCookies(new Uri(url))[name]?.Value;

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*>")]
    private static partial Regex HiddenInput();

    [GeneratedRegex("name=\"([^\"]*)\"")]
    private static partial Regex NameAttribute();

    [GeneratedRegex("value=\"([^\"]*)\"")]
    private static partial Regex ValueAttribute();

    public void Dispose()
    {
        _app.Dispose();
        _provider.Dispose();
    }
}
