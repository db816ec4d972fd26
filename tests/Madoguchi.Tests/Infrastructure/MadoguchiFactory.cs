using System.Net;
using System.Text.RegularExpressions;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
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

    private MadoguchiFactory(TestDatabase database) => Database = database;

    public static async Task<MadoguchiFactory> CreateAsync()
        => new(await TestDatabase.CreateAsync(ct: TestContext.Current.CancellationToken));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(Database.Storage);
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    public HttpClient CreatePlainClient() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>Creates a member of staff with a generated password and returns the credentials.</summary>
    public async Task<(string Email, string Password)> CreateUserAsync(string role, Guid? departmentId = null)
    {
        var email = $"{role}-{Guid.NewGuid():N}@test.example";
        var password = Madoguchi.Web.Features.Platform.DemoData.GeneratePassword();
        await using var scope = Scope();
        await StaffAccounts.CreateAsync(scope.ServiceProvider, email, password, role, departmentId);
        return (email, password);
    }

    /// <summary>A client signed in through the real sign-in page (antiforgery included).</summary>
    public async Task<HttpClient> SignedInClientAsync(string role, Guid? departmentId = null)
    {
        var (email, password) = await CreateUserAsync(role, departmentId);
        var client = CreatePlainClient();
        var response = await PostFormAsync(client, "/staff/signin", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

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
        await Database.DisposeAsync();
    }
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
