using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Madoguchi.BrowserTests.Infrastructure.BrowserFixture))]

namespace Madoguchi.BrowserTests.Infrastructure;

/// <summary>One headless Chromium (Debian's package, no downloaded browser) for the whole run.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    public IBrowser Browser { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("MADOGUCHI_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            // Without the networking flags Chromium tries to reach Google's hosts, which this network refuses.
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
