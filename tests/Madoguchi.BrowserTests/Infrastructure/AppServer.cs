using Madoguchi.Web;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.BrowserTests.Infrastructure;

/// <summary>The real app on Kestrel at 127.0.0.1 on a free port, with a SQLite database of its own.</summary>
public sealed class AppServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _folder;

    public string BaseUrl { get; }
    public IServiceProvider Services => _app.Services;

    private AppServer(WebApplication app, string folder, string baseUrl)
    {
        _app = app;
        _folder = folder;
        BaseUrl = baseUrl;
    }

    public static async Task<AppServer> StartAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "madoguchi-browser", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var storage = Storage.Parse(Path.Combine(folder, "madoguchi.db"));
        await DataModule.MigrateAsync(storage);
        var app = MadoguchiApp.Create(["--urls", "http://127.0.0.1:0"], storage, quiet: true);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new AppServer(app, folder, address.TrimEnd('/'));
    }

    public async Task<(string Email, string Password)> CreateUserAsync(string role)
    {
        var email = $"{role}-{Guid.NewGuid():N}@test.example";
        var password = DemoData.GeneratePassword();
        await using var scope = Services.CreateAsyncScope();
        await StaffAccounts.CreateAsync(scope.ServiceProvider, email, password, role, null);
        return (email, password);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }
}
