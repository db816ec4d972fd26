using System.Text;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web;
using Madoguchi.Web.Features.Protection;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Madoguchi.Tests.Features.Protection;

/// <summary>The app's services on a test database, with every log line (Trace and up) captured.</summary>
internal sealed class ProtectionHost : IAsyncDisposable
{
    public WebApplication App { get; }
    public CapturedLogs Logs { get; } = new();

    private ProtectionHost(TestDatabase db, Dictionary<string, string?>? settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(MadoguchiApp).Assembly.GetName().Name });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.AddMadoguchi(db.Storage);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Trace);
        builder.Logging.AddProvider(Logs);
        App = builder.Build();
    }

    public static ProtectionHost Create(TestDatabase db, Dictionary<string, string?>? settings = null) => new(db, settings);

    public async Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> body)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await body(scope.ServiceProvider);
    }

    public Task PutAsync(string ownerId, string field, string value)
        => RunAsync(async sp => { await sp.GetRequiredService<PersonalDataVault>().PutAsync("Resident", ownerId, field, value, TestContext.Current.CancellationToken); return 0; });

    public Task<string?> GetAsync(string ownerId, string field)
        => RunAsync(sp => sp.GetRequiredService<PersonalDataVault>().GetAsync("Resident", ownerId, field, "テスト", TestContext.Current.CancellationToken));

    public KeyRingStore Keys => App.Services.GetRequiredService<KeyRingStore>();

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

/// <summary>A 個人番号 with a valid check digit, and the byte patterns it could leave behind.</summary>
internal static class Canary
{
    public static string MyNumber(string eleven)
    {
        var n = eleven + Madoguchi.Web.Shared.Japanese.MyNumber.CheckDigit(eleven);
        Assert.True(Madoguchi.Web.Shared.Japanese.MyNumber.IsValid(n));
        return n;
    }

    /// <summary>ASCII and full-width digits in UTF-8, UTF-16 (LE and BE) and Shift_JIS.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Patterns(string value)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var fullWidth = new string([.. value.Select(c => (char)(c - '0' + '０'))]);
        var encodings = new (string, Encoding)[] { ("UTF-8", Encoding.UTF8), ("UTF-16LE", Encoding.Unicode), ("UTF-16BE", Encoding.BigEndianUnicode), ("Shift_JIS", Encoding.GetEncoding(932)) };
        return [.. from text in new[] { value, fullWidth } from e in encodings select ($"{e.Item1} {(text == value ? "半角" : "全角")}", e.Item2.GetBytes(text))];
    }

    /// <summary>Which pattern (if any) occurs in the bytes.</summary>
    public static string? FindIn(ReadOnlySpan<byte> bytes, string value)
    {
        foreach (var (name, pattern) in Patterns(value))
        {
            if (bytes.IndexOf(pattern) >= 0) return name;
        }
        return null;
    }

    /// <summary>Reads a file the app may still hold open (the SQLite file and its WAL).</summary>
    public static byte[] ReadShared(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var ms = new MemoryStream();
        f.CopyTo(ms);
        return ms.ToArray();
    }
}
