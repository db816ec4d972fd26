using System.Text.Json;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Queue;
using Madoguchi.Web.Features.Queue.Live;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Queue.Live;

/// <summary>
/// Stands in for the queue core's database: one office (江東区役所 本庁舎) whose queue a test sets by
/// hand; it counts loads and can fail like an unreachable database.
/// </summary>
public sealed class FakeCongestionSource : ICongestionSource
{
    public static readonly Guid Office = Guid.Parse("0f6b6d4e-3c2a-4f4e-9a51-8d1f0c3b2a10");
    public static readonly Guid Juki = Guid.Parse("1a6b6d4e-3c2a-4f4e-9a51-8d1f0c3b2a11");
    public static readonly Guid Tennyu = Guid.Parse("2b6b6d4e-3c2a-4f4e-9a51-8d1f0c3b2a12");
    public static readonly Guid Tenshutsu = Guid.Parse("3c6b6d4e-3c2a-4f4e-9a51-8d1f0c3b2a13");
    public static readonly Guid Koseki = Guid.Parse("4d6b6d4e-3c2a-4f4e-9a51-8d1f0c3b2a14");

    private readonly Lock _gate = new();
    private int[] _tennyu = [2001, 2002, 2003];
    private int? _serving = 2000;
    private List<RecentCall> _calls = [];
    private DateTimeOffset _updatedAt = new(2025, 4, 1, 0, 30, 0, TimeSpan.Zero);
    private int _loads;

    public volatile bool Failing;
    public volatile bool ListFailing;
    public TimeSpan Delay { get; set; }
    public int Loads => Volatile.Read(ref _loads);

    /// <summary>Sets the 転入 queue (in calling order), the number served and the data's time.</summary>
    public void Set(int[] tennyu, int? serving = null, DateTimeOffset? updatedAt = null, params RecentCall[] calls)
    {
        lock (_gate)
        {
            _tennyu = tennyu;
            _serving = serving ?? _serving;
            _updatedAt = updatedAt ?? _updatedAt.AddMinutes(1);
            if (calls.Length > 0) _calls = [.. calls];
        }
    }

    public async Task<CongestionSnapshot?> LoadAsync(Guid officeId, CancellationToken ct)
    {
        Interlocked.Increment(ref _loads);
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay, ct);
        if (Failing) throw new InvalidOperationException("database unreachable (test)");
        if (officeId != Office) return null;
        lock (_gate)
        {
            // 10 minutes per person in 転入, as a plain rule for the test.
            var tennyu = new ServiceCongestion(Tennyu, "転入", "Moving in", _tennyu.Length, _serving,
                new WaitRange(_tennyu.Length * 5, _tennyu.Length * 10), [.. _tennyu]);
            // No service times measured yet for 転出: its estimate is the provisional default.
            var tenshutsu = new ServiceCongestion(Tenshutsu, "転出", "Moving out", 1, null, new WaitRange(5, 10), [2301]) { EstimateBasis = "default" };
            var koseki = new ServiceCongestion(Koseki, "戸籍証明", "Family register certificates", 0, 3010, new WaitRange(0, 0), []);
            return new CongestionSnapshot(new OfficeRef(Office, "江東区役所 本庁舎", "Koto City Hall"), _updatedAt, false,
                [
                    new SectionCongestion(Juki, "住民記録係", "Resident records", "blue", _tennyu.Length + 1, [tennyu, tenshutsu]),
                    new SectionCongestion(Guid.Parse("5e6b6d4e-3c2a-4f4e-9a51-8d1f0c3b2a15"), "戸籍係", "Family register", "green", 0, [koseki]),
                ],
                [.. _calls]);
        }
    }

    public Task<IReadOnlyList<Guid>> OfficeIdsAsync(CancellationToken ct)
        => ListFailing ? throw new InvalidOperationException("database unreachable (test)") : Task.FromResult<IReadOnlyList<Guid>>([Office]);
}

/// <summary>Tickets known to the test: token → ticket.</summary>
public sealed class FakeTicketLookup : ITicketLookup
{
    public Dictionary<string, TicketRef> Tickets { get; } = [];

    public Task<TicketRef?> FindAsync(string token, CancellationToken ct) => Task.FromResult(Tickets.GetValueOrDefault(token));
}

/// <summary>One server-sent event as a client reads it.</summary>
public sealed record SseEvent(string? Id, string? Event, string Data)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement;
    public int TennyuWaiting => Json.GetProperty("sections")[0].GetProperty("services")[0].GetProperty("waiting").GetInt32();
}

/// <summary>Reads an SSE response the way EventSource does (comments skipped).</summary>
public sealed class SseReader(Stream stream) : IAsyncDisposable
{
    private readonly StreamReader _reader = new(stream);

    public int Comments { get; private set; }

    public async Task<SseEvent> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        string? id = null, name = null;
        var data = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("the stream ended");
            if (line.Length == 0)
            {
                if (data.Count > 0) return new SseEvent(id, name, string.Join('\n', data));
                continue;
            }
            if (line.StartsWith(':')) { Comments++; continue; }
            var (field, value) = line.IndexOf(':') is var i and >= 0 ? (line[..i], line[(i + 1)..].TrimStart(' ')) : (line, "");
            switch (field)
            {
                case "id": id = value; break;
                case "event": name = value; break;
                case "data": data.Add(value); break;
            }
        }
    }

    /// <summary>True if an event arrives within the time (comments do not count).</summary>
    public async Task<bool> AnyEventWithinAsync(TimeSpan time)
    {
        try
        {
            await NextAsync(time);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        // The test server's response stream reports a read cancelled mid-way as an IOException around the cancellation.
        catch (IOException e) when (e.InnerException is OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        return ValueTask.CompletedTask;
    }
}

public static class LiveKit
{
    public static async Task<(MadoguchiFactory App, FakeCongestionSource Source)> AppAsync(
        Dictionary<string, string?>? settings = null, FakeCongestionSource? source = null, FakeTicketLookup? tickets = null)
    {
        source ??= new FakeCongestionSource();
        var app = await MadoguchiFactory.CreateAsync(settings, Register(source, tickets));
        return (app, source);
    }

    public static Action<IServiceCollection> Register(FakeCongestionSource source, FakeTicketLookup? tickets = null) => services =>
    {
        services.AddSingleton<ICongestionSource>(source);
        if (tickets is not null) services.AddSingleton<ITicketLookup>(tickets);
    };

    public static string Stream => $"/api/v1/offices/{FakeCongestionSource.Office}/congestion/stream";
    public static string Api => $"/api/v1/offices/{FakeCongestionSource.Office}/congestion";
    public static string Page => $"/queue/offices/{FakeCongestionSource.Office}";

    public static async Task<SseReader> SubscribeAsync(HttpClient client, string? origin = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Stream);
        if (origin is not null) request.Headers.Add("Origin", origin);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
    }

    public static Task ChangedAsync(MadoguchiFactory app)
        => app.Services.GetRequiredService<IQueueNotifier>().OfficeChangedAsync(FakeCongestionSource.Office, TestContext.Current.CancellationToken);
}
