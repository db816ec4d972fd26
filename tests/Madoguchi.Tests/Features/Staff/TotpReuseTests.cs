using System.Net;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Staff;

/// <summary>RFC 6238 §5.2: an authenticator code is accepted once, on every instance of the app.</summary>
public sealed class TotpReuseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage> PasswordThenCodeAsync(HttpClient client, StaffLogin login, string code)
    {
        var password = await MadoguchiFactory.PostFormAsync(client, "/staff/signin", new() { ["Input.Email"] = login.Email, ["Input.Password"] = login.Password });
        Assert.Equal("/staff/signin/code", password.Headers.Location?.OriginalString);
        return await MadoguchiFactory.PostFormAsync(client, "/staff/signin/code", new() { ["Input.Code"] = code });
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task A_code_used_once_is_refused_on_another_instance_and_so_is_an_older_one_the_next_code_works()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (_, login) = await app.SignInNewUserAsync(Roles.Dx);
        // A second app instance on the same database: nothing shared in memory, only the database.
        using var otherInstance = app.WithWebHostBuilder(_ => { });
        HttpClient OtherClient() => otherInstance.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
        var code = Totp.Next(login.TotpKey);

        var first = await PasswordThenCodeAsync(app.CreatePlainClient(), login, code);
        var replayed = await PasswordThenCodeAsync(OtherClient(), login, code);

        Assert.Equal("/staff", first.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Contains("既に使われています", await replayed.Content.ReadAsStringAsync(Ct));
        long step;
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            step = (await db.Users.SingleAsync(u => u.Email == login.Email, Ct)).LastTotpStep!.Value;
        }
        // The code of the step before is still inside the ±2 window, but older than the one accepted.
        var older = Totp.Code(login.TotpKey, DateTimeOffset.FromUnixTimeSeconds((step - 1) * 30));
        Assert.Equal(HttpStatusCode.OK, (await PasswordThenCodeAsync(OtherClient(), login, older)).StatusCode);

        var next = await PasswordThenCodeAsync(OtherClient(), login, Totp.Next(login.TotpKey));
        Assert.Equal("/staff", next.Headers.Location?.OriginalString);
    }
}
