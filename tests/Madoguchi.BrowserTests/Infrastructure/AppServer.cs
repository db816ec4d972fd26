using Madoguchi.Web;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog.Import;
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
    /// <summary>A temp folder of this server's own (removed with it) for files a test writes.</summary>
    public string Folder => _folder;
    public IServiceProvider Services => _app.Services;

    private AppServer(WebApplication app, string folder, string baseUrl)
    {
        _app = app;
        _folder = folder;
        BaseUrl = baseUrl;
    }

    /// <param name="settings">Configuration for this server (e.g. <see cref="SmtpCapture.Settings"/>), given as command-line settings.</param>
    public static async Task<AppServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "madoguchi-browser", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var storage = Storage.Parse(Path.Combine(folder, "madoguchi.db"));
        await DataModule.MigrateAsync(storage);
        string[] args = ["--urls", "http://127.0.0.1:0", .. (settings ?? new Dictionary<string, string?>()).Select(s => $"--{s.Key}={s.Value}")];
        var app = MadoguchiApp.Create(args, storage, quiet: true);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new AppServer(app, folder, address.TrimEnd('/'));
    }

    public Task<(string Email, string Password)> CreateUserAsync(string role) => CreateUserAsync(role, null);

    /// <summary>A member of staff of a department (department-scoped pages such as a case).</summary>
    public async Task<(string Email, string Password)> CreateUserAsync(string role, Guid? departmentId)
    {
        var email = $"{role}-{Guid.NewGuid():N}@test.example";
        var password = DemoData.GeneratePassword();
        await using var scope = Services.CreateAsyncScope();
        await StaffAccounts.CreateAsync(scope.ServiceProvider, email, password, role, departmentId);
        return (email, password);
    }

    /// <summary>Imports an inventory file directly (as the CLI does), to build a test's data without the browser.</summary>
    public async Task<ImportPlan> ImportAsync(string path)
    {
        await using var scope = Services.CreateAsyncScope();
        var plan = await scope.ServiceProvider.GetRequiredService<InventoryImporter>()
            .ImportAsync(path, new ImportOptions { VolumesFiscalYear = 2024, Actor = "cli" }, TestContext.Current.CancellationToken);
        Assert.True(plan.IsValid, $"the test's inventory did not import: {plan.Errors.Count} error(s)");
        return plan;
    }

    /// <summary>The Koto demo (municipality, offices, life events, 3,058 procedures) for the public pages.</summary>
    public async Task LoadDemoAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        Assert.NotNull(await DemoData.LoadIfEmptyAsync(scope.ServiceProvider, TestContext.Current.CancellationToken));
    }

    public string Url(string path) => BaseUrl + path;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }
}
