using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Queue;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Queue;

/// <summary>An office with one section, two services and some counters, made for one test.</summary>
public sealed record QueueSetup(Office Office, QueueSection Section, QueueService Service, QueueService Other, IReadOnlyList<QueueCounter> Counters);

public static class QueueKit
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>2025-04-01 10:00 in Japan (a Tuesday, a business day): inside opening hours.</summary>
    public static readonly DateTimeOffset Morning = new(2025, 4, 1, 10, 0, 0, TimeSpan.FromHours(9));

    public static QueueSetup Build(int counters = 2, Action<Office>? office = null, Action<QueueService>? service = null, Action<QueueService>? other = null)
    {
        var o = new Office { Name = "テスト庁舎 " + Guid.NewGuid().ToString("N")[..8], NameEn = "Test office", Kind = OfficeKind.MainOffice };
        office?.Invoke(o);
        var section = new QueueSection { OfficeId = o.Id, Name = "住民記録係", NameEn = "Resident records", Colour = "blue" };
        var s = new QueueService { OfficeId = o.Id, SectionId = section.Id, Name = "転入", NameEn = "Moving in", RangeFrom = 2000, RangeTo = 2299, Steps = "受付", SortOrder = 0 };
        service?.Invoke(s);
        var s2 = new QueueService { OfficeId = o.Id, SectionId = section.Id, Name = "転出", NameEn = "Moving out", RangeFrom = 2600, RangeTo = 2799, Steps = "受付", SortOrder = 1 };
        other?.Invoke(s2);
        var list = Enumerable.Range(1, counters).Select(n => new QueueCounter { OfficeId = o.Id, Number = n.ToString(System.Globalization.CultureInfo.InvariantCulture), Name = $"{n}番窓口", SortOrder = n }).ToList();
        return new QueueSetup(o, section, s, s2, list);
    }

    public static async Task<QueueSetup> SetupAsync(this MadoguchiFactory app, int counters = 2, Action<Office>? office = null, Action<QueueService>? service = null, Action<QueueService>? other = null)
    {
        var setup = Build(counters, office, service, other);
        app.Clock.Set(Morning);
        await app.SaveAsync([setup.Office, setup.Section, setup.Service, setup.Other, .. setup.Counters]);
        return setup;
    }

    public static async Task<Ticket> IssueAsync(this MadoguchiFactory app, QueueSetup q, QueueService? service = null, bool priority = false)
    {
        await using var scope = app.Scope();
        return (await scope.ServiceProvider.GetRequiredService<TicketIssuer>().IssueAsync(q.Office.Id, (service ?? q.Service).Id, new IssueRequest("ja", priority), null, Ct)).Ticket;
    }

    public static async Task AssignAsync(this MadoguchiFactory app, QueueCounter counter, params QueueService[] services)
    {
        await using var scope = app.Scope();
        await scope.ServiceProvider.GetRequiredService<CounterOperations>().AssignAsync(counter.Id, "test", services.Select(s => s.Id).ToList(), [], Ct);
    }

    public static async Task<T> OpsAsync<T>(this MadoguchiFactory app, Func<CounterOperations, Task<T>> action)
    {
        await using var scope = app.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<CounterOperations>());
    }

    public static async Task<CongestionSnapshot> SnapshotAsync(this MadoguchiFactory app, QueueSetup q)
    {
        await using var scope = app.Scope();
        return (await scope.ServiceProvider.GetRequiredService<ICongestionSource>().LoadAsync(q.Office.Id, Ct))!;
    }

    public static async Task<string> KioskTokenAsync(this MadoguchiFactory app, Office office, bool revoke = false)
    {
        await using var scope = app.Scope();
        var kiosks = scope.ServiceProvider.GetRequiredService<KioskDevices>();
        var registered = await kiosks.RegisterAsync(office.Id, "発券機A", Ct);
        if (revoke) await kiosks.RevokeAsync(registered.Device.Id, Ct);
        return registered.Token;
    }

    public static Task<HttpResponseMessage> PostTicketAsync(HttpClient client, Office office, QueueService service, string? bearer, object? body = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/offices/{office.Id}/services/{service.Id}/tickets");
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (body is not null) request.Content = JsonContent.Create(body);
        return client.SendAsync(request, Ct);
    }

    public static async Task<JsonObject> JsonAsync(HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!;

    public static MadoguchiDbContext Db(this AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
}
