using System.Runtime.CompilerServices;
using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Madoguchi.BrowserTests.Infrastructure.BrowserFixture))]

namespace Madoguchi.BrowserTests.Infrastructure;

/// <summary>One headless Chromium (Debian's package, no downloaded browser) for the whole run.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>A hang fails the step after this long instead of waiting for the test runner.</summary>
    public const float StepTimeoutMs = 15_000;

    private static readonly ConditionalWeakTable<IBrowserContext, object> NoScriptContexts = [];
    private IPlaywright? _playwright;
    public IBrowser Browser { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("MADOGUCHI_CHROMIUM") ?? "/usr/bin/chromium",
            // Playwright adds --headless and --disable-dev-shm-usage itself. Without the networking
            // flags Chromium tries to reach Google's hosts, which this network refuses.
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    /// <summary>
    /// A context and page of the test's own (parallel-safe). With <paramref name="javaScript"/> off
    /// the page checks the no-JS promise; axe cannot run there (see <see cref="Axe"/>).
    /// </summary>
    public async Task<BrowserSession> OpenAsync(bool javaScript = true, int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new()
        {
            JavaScriptEnabled = javaScript,
            Locale = "ja-JP",
            TimezoneId = "Asia/Tokyo",
            ViewportSize = new() { Width = width, Height = height },
        });
        if (!javaScript) NoScriptContexts.Add(context, true);
        context.SetDefaultTimeout(StepTimeoutMs);
        context.SetDefaultNavigationTimeout(StepTimeoutMs);
        var page = await context.NewPageAsync();
        return new BrowserSession(context, page);
    }

    public static bool IsScriptDisabled(IPage page) => NoScriptContexts.TryGetValue(page.Context, out _);

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}

/// <summary>A browser context with one page; disposing closes both.</summary>
public sealed class BrowserSession(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IBrowserContext Context { get; } = context;
    public IPage Page { get; } = page;

    public ValueTask DisposeAsync() => new(Context.CloseAsync());
}
