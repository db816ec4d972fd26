using System.Net;
using System.Text.RegularExpressions;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Infrastructure;

/// <summary>The app hosted in memory on a database of its own; one per test.</summary>
public sealed partial class MadoguchiFactory : WebApplicationFactory<Program>
{
    public TestDatabase Database { get; }
    public FakeClock Clock { get; } = new(new DateTimeOffset(2025, 4, 1, 0, 0, 0, TimeSpan.Zero));

    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly bool _ownsDatabase;

    private MadoguchiFactory(TestDatabase database, Dictionary<string, string?>? settings, Action<IServiceCollection>? services = null, bool ownsDatabase = true)
    {
        Database = database;
        _settings = settings ?? [];
        _services = services;
        _ownsDatabase = ownsDatabase;
    }

    /// <param name="settings">Configuration such as "Madoguchi:Sessions:IdleMinutes" = "5".</param>
    /// <param name="services">Replaces services after the app's own (e.g. a fake source of data).</param>
    public static async Task<MadoguchiFactory> CreateAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
        => new(await TestDatabase.CreateAsync(ct: TestContext.Current.CancellationToken), settings, services);

    /// <summary>A second instance of the app on this one's database (scale-out tests); the database stays with this one.</summary>
    public MadoguchiFactory AnotherInstance(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
        => new(Database, settings ?? _settings, services ?? _services, ownsDatabase: false);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        // Sign-ins of many test users come from one address: the per-address limit must not get in their way.
        builder.UseSetting("Madoguchi:RateLimits:signin:PermitLimit", "1000");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(Database.Storage);
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<IStartupFilter, LoopbackClient>();
            _services?.Invoke(services);
        });
    }

    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    /// <summary>Over HTTPS, as production runs (Secure cookies, HSTS).</summary>
    public HttpClient CreatePlainClient() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });

    /// <summary>A plain client of a visitor who chose English with the language switch (its cookie on every request).</summary>
    public HttpClient CreateEnglishClient()
    {
        var client = CreatePlainClient();
        client.DefaultRequestHeaders.Add("Cookie", "madoguchi-lang=en");
        return client;
    }

    /// <summary>Creates a member of staff with a generated password and returns the credentials.</summary>
    public async Task<(string Email, string Password)> CreateUserAsync(string role, Guid? departmentId = null)
    {
        var email = $"{role}-{Guid.NewGuid():N}@test.example";
        var password = Madoguchi.Web.Features.Platform.DemoData.GeneratePassword();
        await using var scope = Scope();
        await StaffAccounts.CreateAsync(scope.ServiceProvider, email, password, role, departmentId);
        return (email, password);
    }

    /// <summary>
    /// A client signed in through the real sign-in pages (antiforgery included): password, then the
    /// first-time enrolment of an authenticator app with a TOTP code computed here.
    /// </summary>
    public async Task<HttpClient> SignedInClientAsync(string role, Guid? departmentId = null)
        => (await SignInNewUserAsync(role, departmentId)).Client;

    /// <summary>Like <see cref="SignedInClientAsync"/>, also returning what the user needs to sign in again.</summary>
    public async Task<(HttpClient Client, StaffLogin Login)> SignInNewUserAsync(string role, Guid? departmentId = null)
    {
        var (email, password) = await CreateUserAsync(role, departmentId);
        var client = CreatePlainClient();
        var key = await EnrolAsync(client, email, password);
        return (client, new StaffLogin(email, password, key));
    }

    /// <summary>First sign-in: password, then enrolment; returns the authenticator key shown.</summary>
    public static async Task<string> EnrolAsync(HttpClient client, string email, string password)
    {
        var response = await PostFormAsync(client, "/staff/signin", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/staff/signin/enrol", response.Headers.Location?.OriginalString);
        var page = await client.GetStringAsync("/staff/signin/enrol");
        var key = TotpKey().Match(page);
        Assert.True(key.Success, "no authenticator key on the enrolment page");
        var done = await PostFormAsync(client, "/staff/signin/enrol", new() { ["Input.Code"] = Totp.Next(key.Groups[1].Value) });
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("回復コード", await done.Content.ReadAsStringAsync());
        return key.Groups[1].Value.Replace(" ", "", StringComparison.Ordinal);
    }

    /// <summary>A later sign-in: password, then the authenticator code; returns the final response.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, StaffLogin login)
    {
        var response = await PostFormAsync(client, "/staff/signin", new() { ["Input.Email"] = login.Email, ["Input.Password"] = login.Password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/staff/signin/code", response.Headers.Location?.OriginalString);
        return await PostFormAsync(client, "/staff/signin/code", new() { ["Input.Code"] = Totp.Next(login.TotpKey) });
    }

    [GeneratedRegex("data-testid=\"totp-key\">([A-Z2-7 ]+)<")]
    private static partial Regex TotpKey();

    /// <summary>GETs the page, copies its antiforgery token, and posts the form fields.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string url, Dictionary<string, string> fields, string? getUrl = null)
    {
        var page = await client.GetStringAsync(getUrl ?? url);
        var token = AntiforgeryToken().Match(page);
        Assert.True(token.Success, $"no antiforgery token on {getUrl ?? url}");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        return await client.PostAsync(url, new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    public static partial Regex AntiforgeryToken();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsDatabase) await Database.DisposeAsync();
    }
}

/// <summary>What a member of staff needs to sign in: the password and the authenticator key.</summary>
public sealed record StaffLogin(string Email, string Password, string TotpKey);

/// <summary>The in-memory server has no client address; give it loopback, a trusted proxy by default.</summary>
internal sealed class LoopbackClient : IStartupFilter
{
    public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
    {
        app.Use(async (ctx, n) =>
        {
            ctx.Connection.RemoteIpAddress ??= IPAddress.Loopback;
            await n();
        });
        next(app);
    };
}

/// <summary>A clock tests move by hand.</summary>
public sealed class FakeClock(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset _now = now;
    // UTC as TimeProvider promises, whatever offset a test wrote the time in: Npgsql writes a
    // timestamptz only from a UTC DateTimeOffset.
    public override DateTimeOffset GetUtcNow() => _now.ToUniversalTime();
    public void Set(DateTimeOffset now) => _now = now;
    public void Advance(TimeSpan by) => _now += by;
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}
