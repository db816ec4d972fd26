using System.Net;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Features.Submissions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Madoguchi.Tests.Shared;

/// <summary>The request log keeps the addresses residents use without the secrets that open their applications.</summary>
public sealed class RequestLogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/status/AB12-CD34-EF56", "?key=5825ade857b3e4d1&lang=en", "/status/AB12-CD34-EF56?key=***&lang=en")]
    [InlineData("/forms/resume", "?code=K7M2-Q9XP", "/forms/resume?code=***")]
    [InlineData("/corrections/s3cr3t", "", "/corrections/***")]
    [InlineData("/reservations/r/tok123/qr", "", "/reservations/r/***/qr")]
    [InlineData("/queue/tickets/tok456", "", "/queue/tickets/***")]
    [InlineData("/staff/ledger/1", "?Filter.Status=reviewing&Filter.Text=%E5%B1%B1", "/staff/ledger/1?Filter.Status=reviewing&Filter.Text=%E5%B1%B1")]
    public void Secret_segments_and_query_values_are_blanked_and_the_rest_is_kept(string path, string query, string logged)
        => Assert.Equal(logged, RequestLog.Redact(path, new QueryString(query.Length == 0 ? null : query)));

    [Fact]
    public async Task Opening_a_status_page_logs_the_request_but_never_its_key()
    {
        var logs = new CapturedLogs();
        await using var app = await MadoguchiFactory.CreateAsync(services: s => s.AddSingleton<ILoggerProvider>(logs));
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        using var sent = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers());
        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        var statusUrl = JsonNode.Parse(await sent.Content.ReadAsStringAsync(Ct))!["statusUrl"]!.GetValue<string>();
        var key = statusUrl[(statusUrl.IndexOf("key=", StringComparison.Ordinal) + 4)..];

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(statusUrl, Ct)).StatusCode);

        var receipt = statusUrl["/status/".Length..statusUrl.IndexOf('?', StringComparison.Ordinal)];
        Assert.Contains($"GET /status/{receipt}?key=*** → 200", logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(key, logs.Text, StringComparison.Ordinal);
    }
}
