using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Madoguchi.BrowserTests.Infrastructure;

/// <summary>A real SMTP server on loopback that keeps the mails the app sends, for a test to read.</summary>
public sealed class SmtpCapture : MessageStore, IAsyncDisposable
{
    private readonly Channel<MimeKit.MimeMessage> _inbox = Channel.CreateUnbounded<MimeKit.MimeMessage>();
    private readonly CancellationTokenSource _stop = new();
    private SmtpServer.SmtpServer? _server;
    private Task? _running;

    public int Port { get; private init; }

    public static SmtpCapture Start()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var smtp = new SmtpCapture { Port = port };
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(smtp);
        smtp._server = new SmtpServer.SmtpServer(new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, port))).Build(), services);
        smtp._running = smtp._server.StartAsync(smtp._stop.Token);
        return smtp;
    }

    /// <summary>The app's settings to send through this server (plain SMTP on loopback).</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["Madoguchi:Smtp:Host"] = "127.0.0.1",
        ["Madoguchi:Smtp:Port"] = Port.ToString(CultureInfo.InvariantCulture),
        ["Madoguchi:Smtp:Security"] = "none",
        ["Madoguchi:Smtp:From"] = "madoguchi@city.example.jp",
    };

    /// <summary>The next mail received, waiting up to 15 s.</summary>
    public async Task<MimeKit.MimeMessage> NextAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        return await _inbox.Reader.ReadAsync(timeout.Token);
    }

    public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        _inbox.Writer.TryWrite(MimeKit.MimeMessage.Load(new MemoryStream(buffer.ToArray()), cancellationToken));
        return Task.FromResult(SmtpResponse.Ok);
    }

    public async ValueTask DisposeAsync()
    {
        _server?.Shutdown();
        await _stop.CancelAsync();
        if (_running is not null)
        {
            try { await _running; } catch (OperationCanceledException) { }
        }
        _stop.Dispose();
    }
}
