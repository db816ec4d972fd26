using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Madoguchi.Tests.Infrastructure;

/// <summary>
/// A private clamd for the tests, started once per test run on a free port with a local signature
/// database that holds only the EICAR test signature (nothing is downloaded). Needs the clamav-daemon
/// package (scripts/test installs it).
/// </summary>
public sealed class Clamd
{
    /// <summary>The EICAR anti-virus test string: harmless, but every scanner reports it.</summary>
    public static readonly byte[] Eicar = Encoding.ASCII.GetBytes(@"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");

    private static readonly Lazy<Task<Clamd>> Shared = new(StartAsync);

    public int Port { get; private init; }

    /// <summary>Configuration values that point the app at this clamd.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Madoguchi:Clamd:Host"] = "127.0.0.1",
        ["Madoguchi:Clamd:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static Task<Clamd> InstanceAsync() => Shared.Value;

    private static async Task<Clamd> StartAsync()
    {
        var binary = new[] { "/usr/sbin/clamd", "/usr/bin/clamd" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("clamd is not installed (apt package clamav-daemon); scripts/test installs it.");
        var dir = Directory.CreateTempSubdirectory("madoguchi-clamd-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "db"));
        // A body signature (.ndb): name, any file type, any offset, the EICAR bytes in hex.
        await File.WriteAllTextAsync(Path.Combine(dir, "db", "local.ndb"), $"Eicar-Test-Signature:0:*:{Convert.ToHexStringLower(Eicar[..68])}\n");
        var port = FreePort();
        await File.WriteAllTextAsync(Path.Combine(dir, "clamd.conf"), $"""
            Foreground yes
            DatabaseDirectory {dir}/db
            TCPSocket {port}
            TCPAddr 127.0.0.1
            LogFile {dir}/clamd.log
            StreamMaxLength 50M
            MaxScanSize 200M
            MaxFileSize 50M
            """);
        var process = Process.Start(new ProcessStartInfo(binary, ["-c", Path.Combine(dir, "clamd.conf")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("clamd did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { process.Kill(); } catch (InvalidOperationException) { } };

        for (var i = 0; i < 300; i++)
        {
            if (process.HasExited) throw new InvalidOperationException("clamd exited: " + await File.ReadAllTextAsync(Path.Combine(dir, "clamd.log")));
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return new Clamd { Port = port };
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new InvalidOperationException("clamd did not open its port within 30 s");
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
