using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Madoguchi.Web.Shared.Files;

public enum ScanVerdict { Clean, Infected, Unavailable, NotConfigured }

public sealed record ScanResult(ScanVerdict Verdict, string? Signature = null, string? Detail = null)
{
    /// <summary>
    /// Whether the upload may be kept. When a scanner is configured and cannot answer, the upload is
    /// refused (fail closed): a resident can retry later, a stored virus cannot be taken back.
    /// </summary>
    public bool MayKeep => Verdict is ScanVerdict.Clean or ScanVerdict.NotConfigured;
}

/// <summary>
/// Scans uploads with clamd over its INSTREAM protocol (TCP host:port from Madoguchi:Clamd:Host and
/// :Port, or a Unix socket from Madoguchi:Clamd:Socket). Without either setting, scanning is off.
/// </summary>
public sealed class VirusScanner(IConfiguration configuration, ILogger<VirusScanner> log)
{
    private const int ChunkSize = 64 * 1024;

    public bool Configured => Endpoint() is not null;

    public async Task<ScanResult> ScanAsync(Stream content, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        var endpoint = Endpoint();
        if (endpoint is null) return new ScanResult(ScanVerdict.NotConfigured);
        var timeout = TimeSpan.FromSeconds(configuration.GetValue("Madoguchi:Clamd:TimeoutSeconds", 30));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var socket = endpoint is UnixDomainSocketEndPoint
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endpoint, cts.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await stream.WriteAsync("zINSTREAM\0"u8.ToArray(), cts.Token);
            var buffer = new byte[ChunkSize + 4];
            int n;
            while ((n = await content.ReadAsync(buffer.AsMemory(4, ChunkSize), cts.Token)) > 0)
            {
                BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)n);
                await stream.WriteAsync(buffer.AsMemory(0, n + 4), cts.Token);
            }
            await stream.WriteAsync(new byte[4], cts.Token); // zero-length chunk ends the stream
            var reply = await ReadReplyAsync(stream, cts.Token);
            // Replies: "stream: OK", "stream: NAME FOUND", "INSTREAM size limit exceeded. ERROR".
            if (reply.EndsWith(" FOUND", StringComparison.Ordinal))
            {
                var signature = reply["stream: ".Length..^" FOUND".Length];
                log.LogWarning("Virus scanner found {Signature} in an upload", signature);
                return new ScanResult(ScanVerdict.Infected, signature);
            }
            if (reply.EndsWith(": OK", StringComparison.Ordinal)) return new ScanResult(ScanVerdict.Clean);
            log.LogError("Virus scanner answered {Reply}", reply);
            return new ScanResult(ScanVerdict.Unavailable, Detail: reply);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            log.LogError("Virus scanner unreachable: {Error}", e.Message);
            return new ScanResult(ScanVerdict.Unavailable, Detail: e.Message);
        }
    }

    private static async Task<string> ReadReplyAsync(NetworkStream stream, CancellationToken ct)
    {
        var bytes = new List<byte>();
        var one = new byte[256];
        int n;
        while ((n = await stream.ReadAsync(one, ct)) > 0)
        {
            var end = Array.IndexOf(one, (byte)0, 0, n);
            bytes.AddRange(one.AsSpan(0, end < 0 ? n : end).ToArray());
            if (end >= 0) break;
        }
        return Encoding.UTF8.GetString([.. bytes]).Trim();
    }

    private System.Net.EndPoint? Endpoint()
    {
        var socketPath = configuration["Madoguchi:Clamd:Socket"];
        if (!string.IsNullOrWhiteSpace(socketPath)) return new UnixDomainSocketEndPoint(socketPath);
        var host = configuration["Madoguchi:Clamd:Host"];
        if (string.IsNullOrWhiteSpace(host)) return null;
        var port = configuration.GetValue("Madoguchi:Clamd:Port", 3310);
        return System.Net.IPAddress.TryParse(host, out var ip)
            ? new System.Net.IPEndPoint(ip, port)
            : new System.Net.DnsEndPoint(host, port);
    }
}

public static class FilesModule
{
    public static WebApplicationBuilder AddFileChecks(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<VirusScanner>();
        return builder;
    }
}
