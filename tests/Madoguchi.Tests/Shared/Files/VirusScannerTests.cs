using System.Text;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Shared.Files;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Madoguchi.Tests.Shared.Files;

public sealed class VirusScannerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static VirusScanner Scanner(IReadOnlyDictionary<string, string?> settings)
        => new(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), NullLogger<VirusScanner>.Instance);

    [Fact]
    public async Task The_EICAR_test_file_is_found_and_a_clean_file_passes()
    {
        var clamd = await Clamd.InstanceAsync();
        var scanner = Scanner(clamd.Settings);

        var infected = await scanner.ScanAsync(new MemoryStream([.. "%PDF-1.4\n"u8.ToArray(), .. Clamd.Eicar]), Ct);
        Assert.Equal(ScanVerdict.Infected, infected.Verdict);
        Assert.Contains("Eicar-Test-Signature", infected.Signature);
        Assert.False(infected.MayKeep);

        // Larger than one chunk of the stream protocol, so chunking is exercised.
        var clean = await scanner.ScanAsync(new MemoryStream(Encoding.UTF8.GetBytes(new string('あ', 100_000))), Ct);
        Assert.Equal(ScanVerdict.Clean, clean.Verdict);
        Assert.True(clean.MayKeep);
    }

    [Fact]
    public async Task When_the_configured_scanner_is_down_nothing_may_be_kept()
    {
        var closedPort = Clamd.FreePort();
        var scanner = Scanner(new Dictionary<string, string?> { ["Madoguchi:Clamd:Host"] = "127.0.0.1", ["Madoguchi:Clamd:Port"] = closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        var result = await scanner.ScanAsync(new MemoryStream("%PDF-1.4"u8.ToArray()), Ct);

        Assert.Equal(ScanVerdict.Unavailable, result.Verdict);
        Assert.False(result.MayKeep);
    }

    [Fact]
    public async Task Without_a_scanner_configured_uploads_are_not_scanned()
    {
        var scanner = Scanner(new Dictionary<string, string?>());
        Assert.False(scanner.Configured);
        var result = await scanner.ScanAsync(new MemoryStream(Clamd.Eicar), Ct);
        Assert.Equal(ScanVerdict.NotConfigured, result.Verdict);
    }
}
